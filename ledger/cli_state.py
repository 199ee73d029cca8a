"""What the ledger commands share: the --ledger directory, opening it, progress bars, KEY=VALUE,
the --executor and --backend choices.

The global `--ledger DIR` (env ZKP_LEDGER_DIR, default ./ledger-data) is an option of the app
callback (ledger/cli.py) and reaches the commands through the typer context. Progress bars are
drawn only when stdout is a terminal and the output is not --json, so pipes and scripts get
exactly the documented output.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from engine.errors import InputError
from kernels.backend import get_backend
from ledger.api import Ledger

DEFAULT_LEDGER_DIR = Path("ledger-data")
JsonOpt = typer.Option(False, "--json", help="print machine-readable JSON on stdout")


class ExecutorName(str, Enum):
    """--executor: where shard jobs run (ledger.executors)."""

    in_process = "in-process"
    local = "local"
    ray = "ray"


ExecutorOpt = typer.Option(None, "--executor",
                           help="in-process (default), local (a process pool) or ray")
RayAddressOpt = typer.Option(None, "--ray-address", metavar="ADDR",
                             help="with --executor ray: the cluster to join (auto, HOST:6379, "
                                  "ray://HOST:10001); default: ray.address of "
                                  "configs/cluster.toml, else $RAY_ADDRESS, else a local Ray")


@dataclass(frozen=True)
class CliState:
    ledger_dir: Path


def ledger_dir(ctx: typer.Context) -> Path:
    state = ctx.find_object(CliState)
    return state.ledger_dir if state is not None else DEFAULT_LEDGER_DIR


def open_ledger(ctx: typer.Context) -> Ledger:
    return Ledger(ledger_dir(ctx))


def console() -> Console:
    return Console(highlight=False, markup=False, soft_wrap=True)


@contextmanager
def shard_progress(enabled: bool, label: str) -> Iterator[Callable[[int, int], None] | None]:
    """A (done, total) callback drawing a rich bar, or None when not drawing."""
    if not (enabled and sys.stdout.isatty()):
        yield None
        return
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("shards"), TimeElapsedColumn(), transient=True) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def use_backend(backend: str) -> None:
    """Make `backend` this process's proving backend (BackendUnavailable, exit 2, if it can't)."""
    get_backend(backend)
    if backend != "auto":
        os.environ["ZKP_BACKEND"] = backend
        get_backend.cache_clear()


def parse_params(items: list[str] | None) -> dict:
    """`--param k=v` pairs: v as JSON when it parses (numbers, true, lists...), else a string."""
    params: dict = {}
    for item in items or []:
        key, sep, text = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise InputError(f"--param {item!r} is not KEY=VALUE")
        if key in params:
            raise InputError(f"--param {key} is given twice")
        try:
            params[key] = json.loads(text)
        except json.JSONDecodeError:
            params[key] = text
    return params


__all__ = ["CliState", "DEFAULT_LEDGER_DIR", "ExecutorName", "ExecutorOpt", "JsonOpt",
           "RayAddressOpt", "console", "ledger_dir", "open_ledger", "parse_params",
           "shard_progress", "use_backend"]
