"""`zkp-ledger notarize FILE... (--name NAME... | --name-prefix P)`: prove files, append entries.

    notarize FILE --name NAME [statement flags] [--backend B] [--workers N]
    notarize FILE... --name N1 --name N2 ...       one --name per FILE, in order
    notarize FILE... --name-prefix PREFIX          each FILE named PREFIX + its stem
    ... [--executor in-process|local|ray] [--ray-address ADDR]

Several files share the statement flags and run as one job: every file is scanned and proved
first, then all their entries are appended in one durable transaction, so a file with bad data
leaves the ledger as it was (Ledger.notarize_datasets). With one FILE, --json prints one object;
with several, a list of them, in FILE order.
"""

from __future__ import annotations

from pathlib import Path

import typer

from ledger.api import statement_options
from ledger.cli_browse import column_line
from ledger.cli_common import EXIT_USAGE, emit_json, fail, reports_errors
from ledger.cli_executor import cli_runner, executor_name
from ledger.cli_progress import cluster_bar
from ledger.cli_state import (ExecutorName, ExecutorOpt, JsonOpt, RayAddressOpt, console,
                              open_ledger, shard_progress, use_backend)
from ledger.results import NotarizeResult


def dataset_names(files: list[Path], names: list[str] | None,
                  prefix: str | None) -> list[str]:
    """One name per file from --name (repeated, in order) or --name-prefix; else exit 2."""
    if names and prefix is not None:
        fail("give --name (one per FILE) or --name-prefix, not both", EXIT_USAGE)
    if prefix is not None:
        return [prefix + f.stem for f in files]
    if not names:
        fail("name the dataset(s): --name NAME (one per FILE, in order) or --name-prefix "
             "PREFIX (PREFIX + each file's stem)", EXIT_USAGE)
    if len(names) != len(files):
        fail(f"{len(files)} FILE(s) but {len(names)} --name(s); give one --name per FILE, in "
             f"order, or --name-prefix", EXIT_USAGE)
    return list(names)


@reports_errors
def notarize_cmd(ctx: typer.Context,
                 files: list[Path] = typer.Argument(..., metavar="FILE",
                                                    help="Parquet, CSV/TSV or NDJSON file(s)"),
                 names: list[str] = typer.Option(None, "--name",
                                                 help="dataset name, one per FILE in order "
                                                      "(versions count up)"),
                 name_prefix: str = typer.Option(None, "--name-prefix",
                                                 help="name each FILE PREFIX + its stem "
                                                      "(instead of --name)"),
                 columns: str = typer.Option(None, "--columns",
                                             help="proved columns a,b (default: every numeric)"),
                 scale: list[str] = typer.Option(None, "--scale",
                                                 help="b=2: column b is fixed point with 2 "
                                                      "decimals (repeatable)"),
                 bounds: list[str] = typer.Option(None, "--bounds",
                                                  help="a=LO:HI in the column's units; either "
                                                       "side may be empty (repeatable)"),
                 shard_rows: int = typer.Option(None, "--shard-rows",
                                                help="rows per proof, a power of two "
                                                     "(default 1024; with Ray, shards."
                                                     "shard_rows of configs/cluster.toml)"),
                 backend: str = typer.Option("auto", "--backend", help="cpu, cuda or auto"),
                 workers: int = typer.Option(None, "--workers", min=1,
                                             help="prove shards in N processes (1: in this "
                                                  "one; the local executor's pool size)"),
                 executor: ExecutorName = ExecutorOpt,
                 ray_address: str = RayAddressOpt,
                 json_out: bool = JsonOpt) -> None:
    """Prove the dataset statement over each FILE and append its notarize entry.

    Several FILEs are one job: all are proved, then all recorded together, or none."""
    named = list(zip(files, dataset_names(files, names, name_prefix), strict=True))
    where, pool = executor_name(executor, ray_address, workers)
    statement_options(columns, scale or None, bounds or None, shard_rows)  # exit 2 before Ray
    use_backend(backend)
    ledger = open_ledger(ctx)
    label = f"notarizing {files[0].name}" if len(files) == 1 else f"notarizing {len(files)} files"
    draw = not json_out
    with cluster_bar(draw and where == "ray") as bar, \
            cli_runner(where, ray_address, pool, bar=bar, json_out=json_out) as runner, \
            shard_progress(draw and where != "ray", label) as progress:
        results = ledger.notarize_datasets(
            named, columns=columns, scale=scale or None, bounds=bounds or None,
            shard_rows=shard_rows, backend=backend, executor=runner,
            progress=progress)
    if json_out:
        emit_json(results[0].to_json() if len(results) == 1 else [r.to_json() for r in results])
        return
    for file, result in zip(files, results, strict=True):
        _print_result(file, result)


def _print_result(file: Path, result: NotarizeResult) -> None:
    info = result.to_json()
    out = console()
    out.print(f"notarized {file} as {info['name']}@{info['version']} "
              f"({info['rows']} rows, {info['proofs']} proofs)")
    for key in ("entry_id", "log_index", "dataset_id", "sha256", "blake3_root",
                "commitment_root"):
        out.print(f"  {key:16} {info[key]}")
    for column, s in info["statement"].items():
        out.print(f"  column {column}: "
                  + column_line(s["count"], s["sum"], s["lo"], s["hi"], s["scale"]))


def register(app: typer.Typer) -> None:
    app.command("notarize")(notarize_cmd)


__all__ = ["dataset_names", "register"]
