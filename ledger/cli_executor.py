"""`--executor`, `--ray-address` and `--workers` as the commands that run shard jobs share them.

Spellings: no --executor runs in this process, or in a pool of N processes with `--workers N`
(N > 1), as before --executor existed; `--executor local [--workers N]` is that pool (default: a
process per core); `--executor ray [--ray-address ADDR]` joins or starts Ray (ledger.executors).
A flag that does not apply to the chosen executor is a usage error (exit 2). With Ray on a
terminal the live bar (ledger.cli_progress) shows each file's scan and proofs.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from ledger.cli_common import EXIT_USAGE, fail
from ledger.cli_progress import ClusterBar, Phased
from ledger.cli_state import ExecutorName
from ledger.executors import Runner, cluster_scanner, open_runner


def executor_name(executor: ExecutorName | None, ray_address: str | None,
                  workers: int | None) -> tuple[str, int | None]:
    """The executor a command line asks for, and the local pool size; usage errors exit 2."""
    if ray_address is not None and executor is not ExecutorName.ray:
        fail("--ray-address needs --executor ray", EXIT_USAGE)
    if executor is None:
        if workers is None or workers == 1:
            return "in-process", None
        return "local", workers
    if workers is not None and executor is not ExecutorName.local:
        fail(f"--workers sizes the local pool; with --executor {executor.value} set the actor "
             f"count in configs/cluster.toml (ZKP_LEDGER_CLUSTER_ACTORS_COUNT)", EXIT_USAGE)
    return executor.value, workers


@contextmanager
def cli_runner(name: str, ray_address: str | None, workers: int | None, *,
               bar: ClusterBar | None = None, scan_on_executor: bool | None = None,
               json_out: bool = False) -> Iterator[Runner]:
    """The Runner for the command; a Ray one reports to `bar` (ledger.cli_progress).

    While Ray is connected, what it prints on its own goes to stderr: the driver prints the
    cluster's error messages ("(raylet) Task ... failed", e.g. for an actor killed with a call
    in flight) on stdout, whatever log_to_driver says, and stdout is the command's documented
    output. With `json_out` the workers' own output is not forwarded at all."""
    if name != "ray":
        with open_runner(name, ray_address=ray_address, workers=workers,
                         scan_on_executor=scan_on_executor) as runner:
            yield runner
        return
    with contextlib.redirect_stdout(sys.stderr), \
            open_runner(name, ray_address=ray_address,
                        progress=bar.update if bar is not None else None,
                        scan_on_executor=scan_on_executor, worker_logs=not json_out) as runner:
        if bar is None:
            yield runner
            return
        phased = Phased(runner.executor, bar)
        yield Runner(phased, cluster_scanner(phased), runner.shard_rows, runner.name)


__all__ = ["cli_runner", "executor_name"]
