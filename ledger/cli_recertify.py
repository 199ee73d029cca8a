"""`zkp-ledger recertify`: re-check notarized datasets against their files and record the outcome.

    recertify ID [FILE] [--executor ...]            one dataset (FILE: default, where it was
                                                    notarized from)
    recertify --all [--since DATE] [--executor in-process|local|ray] [--ray-address ADDR]
                    [--report DIR]                  the nightly job (ledger.recertify_all)

`--all` writes recertify-report.json and recertify-report.html into --report DIR (default: the
current directory), prints one line per dataset (`--json`: the report itself) and exits 1 if any
dataset changed, vanished, failed or could not be checked, or the log did not verify; 0 if all
are ok. With `--executor ray` the files are rescanned on the cluster, shard by shard.
"""

from __future__ import annotations

from pathlib import Path

import typer

from ledger.cli_common import EXIT_INVALID, EXIT_USAGE, emit_json, fail, reports_errors
from ledger.cli_executor import cli_runner, executor_name
from ledger.cli_progress import cluster_bar
from ledger.cli_state import ExecutorName, ExecutorOpt, JsonOpt, RayAddressOpt, console, open_ledger
from ledger.recertify_all import RecertifyReport


@reports_errors
def recertify_cmd(ctx: typer.Context,
                  ref: str = typer.Argument(None, metavar="[ID]",
                                            help="notarize entry or dataset reference"),
                  file: Path = typer.Argument(None, help="the file (default: where it was "
                                                         "notarized from)"),
                  every: bool = typer.Option(False, "--all",
                                             help="every dataset's latest version (the "
                                                  "nightly job)"),
                  since: str = typer.Option(None, "--since",
                                            help="with --all: only datasets notarized at or "
                                                 "after this time (ISO 8601, UTC)"),
                  report_dir: Path = typer.Option(None, "--report", metavar="DIR",
                                                  help="with --all: write recertify-report."
                                                       "json/.html here (default: .)"),
                  executor: ExecutorName = ExecutorOpt,
                  ray_address: str = RayAddressOpt,
                  json_out: bool = JsonOpt) -> None:
    """Re-check notarized datasets against their files and record the outcome.

    Exit 1 unless every status is ok; the entries are recorded either way."""
    if every == (ref is not None):
        fail("give a dataset ID, or --all", EXIT_USAGE)
    if not every and (since is not None or report_dir is not None):
        fail("--since and --report go with --all", EXIT_USAGE)
    where, pool = executor_name(executor, ray_address, None)
    ledger = open_ledger(ctx)
    if not every:
        with cli_runner(where, ray_address, pool, scan_on_executor=True,
                        json_out=json_out) as runner:
            done = ledger.recertify(ref, file, executor=runner)
        _single(done, json_out)
        return
    with cluster_bar(not json_out) as bar, \
            cli_runner(where, ray_address, pool, bar=bar, scan_on_executor=True,
                       json_out=json_out) as runner:
        count = (lambda done, total: bar.count("datasets", done, total)) if bar else None
        report = ledger.recertify_all(since, executor=runner, progress=count)
    paths = report.write(report_dir if report_dir is not None else Path.cwd())
    if json_out:
        emit_json(report.to_json())
    else:
        _summary(report, paths)
    if not report.ok:
        raise typer.Exit(EXIT_INVALID)


def _single(done, json_out: bool) -> None:
    status = done.entry.status
    if json_out:
        emit_json({**done.to_json(), "status": status})
    else:
        reason = f": {done.entry.reason}" if done.entry.reason else ""
        console().print(f"recertify {done.entry.dataset.name}@{done.entry.dataset.version} "
                        f"{status}{reason}: entry #{done.log_index} {done.entry_id}")
    if status != "ok":
        raise typer.Exit(EXIT_INVALID)


def _summary(report: RecertifyReport, paths: tuple[Path, Path]) -> None:
    out = console()
    for d in report.datasets:
        reason = f": {d.reason}" if d.reason else ""
        where = (f" (entry #{d.recertify_index})" if d.recertify_index is not None
                 else " (not recorded)")
        out.print(f"{d.label:28} {d.status:8}{where}{reason}")
    for problem in report.chain_problems:
        out.print(f"log INVALID: {problem}")
    counts = ", ".join(f"{n} {s}" for s, n in report.counts().items() if n) or "none"
    out.print(f"{len(report.datasets)} dataset(s): {counts}; log "
              f"{'verified' if report.chain_ok else 'did NOT verify (nothing recorded)'}")
    out.print(f"report: {paths[0]}\n        {paths[1]}")


def register(app: typer.Typer) -> None:
    app.command("recertify")(recertify_cmd)


__all__ = ["register"]
