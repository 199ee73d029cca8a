"""The live view of a cluster job: one bar line per map (a file's scan, then its proofs) with
shards done / running / retried / failed, as cluster.ray_executor.RayExecutor reports them.

RayExecutor calls `ClusterBar.update` with a Progress after every change, from the thread that
called `map`. It does not say which map it is running, so `Phased` wraps the executor and names
each map on the bar (file name and step, from the jobs it is given) before passing it on. Drawn
only on a terminal and never with --json, like every other bar of the CLI (ledger.cli_state).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

J = TypeVar("J")
T = TypeVar("T")

STEPS = {"scan_shard": "scan", "prove_shard": "prove"}  # shard job functions, by name


class ClusterBar:
    """One rich task per map; `count` keeps one more line (e.g. datasets done of all)."""

    def __init__(self, progress: Progress):
        self._progress = progress
        self._task: Any = None
        self._label = "shards"
        self._counters: dict[str, Any] = {}

    def phase(self, label: str) -> None:
        """The next update starts a new line named `label`."""
        self._label, self._task = label, None

    def update(self, p: Any) -> None:
        """A RayExecutor progress callback (cluster.ray_executor.Progress)."""
        if self._task is None:
            self._task = self._progress.add_task(self._label, total=p.total, detail="")
        failed = f", {p.failed} failed" if p.failed else ""
        self._progress.update(self._task, total=p.total, completed=p.done,
                              detail=f"shards, {p.running} running, {p.retried} retried{failed}")

    def count(self, label: str, done: int, total: int) -> None:
        """A plain "done of total" line named `label`."""
        if label not in self._counters:
            self._counters[label] = self._progress.add_task(label, total=total, detail="")
        self._progress.update(self._counters[label], completed=done, total=total)


class Phased:
    """An Executor that names each map on `bar`, then runs it on `inner`."""

    def __init__(self, inner: Any, bar: ClusterBar):
        self.inner, self.bar = inner, bar

    def map(self, fn: Callable[[J], T], jobs: Sequence[J]) -> list[T]:
        if jobs:
            path = getattr(jobs[0], "path", None)
            step = STEPS.get(getattr(fn, "__name__", ""), "shards")
            self.bar.phase(f"{os.path.basename(path)}: {step}" if path else step)
        return self.inner.map(fn, jobs)


@contextmanager
def cluster_bar(enabled: bool, console: Console | None = None) -> Iterator[ClusterBar | None]:
    """A ClusterBar drawing on `console` (default: stdout as it is now, even if it is later
    redirected), or None when not on a terminal."""
    terminal = console.is_terminal if console is not None else sys.stdout.isatty()
    if not (enabled and terminal):
        yield None
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("{task.fields[detail]}"), TimeElapsedColumn())
    with Progress(*columns, console=console or Console(file=sys.stdout)) as progress:
        yield ClusterBar(progress)


__all__ = ["ClusterBar", "Phased", "cluster_bar"]
