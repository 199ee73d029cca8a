"""`zkp-ledger transform | split`: lineage between notarized datasets (`recertify` is
ledger.cli_recertify).

    transform --input REF [--input REF ...] --output REF --operation OP [--param k=v ...]
              (--code FILE | --code-hash sha256:HEX)
    split PARENT --child NAME=FILE | --child REF [...] --seed N --method M

REF is a dataset reference (name, name@version, ds-<id>, or a notarize entry's id or #index).
A split child NAME=FILE is notarized first with the parent's statement, in the same transaction
as the split; a plain REF must already be notarized.
"""

from __future__ import annotations

from pathlib import Path

import typer

from engine.errors import InputError
from ledger.api import code_hash_of
from ledger.cli_common import emit_json, reports_errors
from ledger.cli_state import JsonOpt, console, open_ledger, parse_params, shard_progress
from ledger.results import Recorded


def _print_recorded(done: Recorded, what: str) -> None:
    console().print(f"{what}: entry #{done.log_index} {done.entry_id}")


@reports_errors
def transform_cmd(ctx: typer.Context,
                  inputs: list[str] = typer.Option(..., "--input",
                                                   help="input dataset (repeatable)"),
                  output: str = typer.Option(..., "--output", help="output dataset"),
                  operation: str = typer.Option(..., "--operation", help="what was done"),
                  params: list[str] = typer.Option(None, "--param",
                                                   help="k=v, v as JSON if it parses "
                                                        "(repeatable)"),
                  code: Path = typer.Option(None, "--code", help="the code that ran (hashed)"),
                  code_hash: str = typer.Option(None, "--code-hash", help="sha256:<hex>"),
                  json_out: bool = JsonOpt) -> None:
    """Record that OPERATION made the notarized --output from the notarized --input(s)."""
    if (code is None) == (code_hash is None):
        raise InputError("give exactly one of --code FILE and --code-hash sha256:<hex>")
    digest = code_hash_of(code) if code is not None else code_hash
    done = open_ledger(ctx).record_transform(inputs, output, operation, parse_params(params),
                                             digest)
    if json_out:
        emit_json(done.to_json())
    else:
        _print_recorded(done, f"transform {operation} -> {done.entry.dataset.name}"
                              f"@{done.entry.dataset.version}")


def _child(spec: str) -> str | tuple[str, str]:
    name, sep, file = spec.partition("=")
    if not sep:
        return spec
    if not name or not file:
        raise InputError(f"--child {spec!r} is neither NAME=FILE nor a dataset reference")
    return name, file


@reports_errors
def split_cmd(ctx: typer.Context,
              parent: str = typer.Argument(..., help="the parent dataset"),
              children: list[str] = typer.Option(..., "--child",
                                                 help="NAME=FILE to notarize, or a notarized "
                                                      "dataset (repeatable)"),
              seed: int = typer.Option(..., "--seed", help="the split's random seed"),
              method: str = typer.Option(..., "--method", help="e.g. random-rows, by-date"),
              json_out: bool = JsonOpt) -> None:
    """Record that PARENT was split into the --child datasets.

    Their proved counts and sums must add up to the parent's: exit 1 if they do not, and
    nothing is written then."""
    ledger = open_ledger(ctx)
    with shard_progress(not json_out, "notarizing split children") as progress:
        done = ledger.record_split(parent, [_child(c) for c in children], seed, method,
                                   progress=progress)
    if json_out:
        emit_json(done.to_json())
    else:
        kids = ", ".join(f"{c.name}@{c.version} ({c.ratio:.4g})" for c in done.entry.children)
        _print_recorded(done, f"split of {done.entry.dataset.name}@"
                              f"{done.entry.dataset.version} into {kids}")


def register(app: typer.Typer) -> None:
    app.command("transform")(transform_cmd)
    app.command("split")(split_cmd)


__all__ = ["register"]
