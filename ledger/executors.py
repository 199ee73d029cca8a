"""Where a ledger command's shard jobs run, and whether the dataset scan runs there too.

The CLI's `--executor` and the API's `executor=` name one of:
- "in-process" (or None): scan and proofs in this process;
- "local": engine.executor.LocalExecutor proves shards in a process pool; the driver scans;
- "ray": the RayExecutor of configs/cluster.toml (cluster.config; ZKP_LEDGER_CLUSTER_* overrides),
  joined at `ray_address` or, without one, a local Ray started for the call and shut down after
  it. The dataset scan runs on it too, as shard jobs (cluster.distributed_scan): for a Parquet
  file the driver reads the footer, the bytes once for their sha256 and, when notarizing, the
  first batch (up to 2^16 rows, to fit the statement's defaults); the workers scan every row.
The local pool and an Executor object also scan when `scan_on_executor=True` (re-certification
asks for it: there is nothing else for them to do); an Executor object is used as given, never
closed, and scans by default when it is a RayExecutor. Ray is imported only when asked for.

Only the driver (the caller of these functions) writes the ledger; executors return results.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from cluster.distributed_scan import scan_on_cluster
from engine.dataset_scan import scan_dataset
from engine.errors import InputError, ZkpLedgerError
from engine.executor import Executor, InProcessExecutor, LocalExecutor
from engine.notarize import Scanner

EXECUTORS = ("in-process", "local", "ray")
_NAMES = {InProcessExecutor.__name__: "in-process", LocalExecutor.__name__: "local"}


class ClusterUnavailable(ZkpLedgerError):
    """Ray could not be started or reached."""


@dataclass(frozen=True)
class Runner:
    """What a command runs its jobs with: the executor (None: in this process), the scanner
    (scan_dataset's signature) and the executor's default rows per shard, if it has one."""

    executor: Executor | None
    scanner: Scanner
    shard_rows: int | None = None
    name: str = "in-process"


def is_ray(executor: object) -> bool:
    """Whether `executor` is a cluster RayExecutor (never imports Ray to find out)."""
    module = sys.modules.get("cluster.ray_executor")  # not imported: it cannot be one
    return module is not None and isinstance(executor, module.RayExecutor)


def cluster_scanner(executor: Executor) -> Scanner:
    """The dataset scan as shard jobs on `executor` (text files: on the driver)."""
    return functools.partial(scan_on_cluster, executor=executor)


def runner_for(executor: Executor, *, scan_on_executor: bool | None = None) -> Runner:
    """A Runner around an executor object; it scans too when it is Ray (or when asked)."""
    scan = is_ray(executor) if scan_on_executor is None else scan_on_executor
    kind = type(executor).__name__
    name = "ray" if is_ray(executor) else _NAMES.get(kind, kind)
    return Runner(executor, cluster_scanner(executor) if scan else scan_dataset, name=name)


@contextmanager
def open_runner(executor: Executor | str | Runner | None = None, *,
                ray_address: str | None = None,
                workers: int | None = None, progress: Callable[[Any], None] | None = None,
                scan_on_executor: bool | None = None,
                worker_logs: bool = True) -> Iterator[Runner]:
    """The Runner an executor name (module doc) or object describes, open for the `with` block
    (a Runner is used as it is).

    `progress` goes to the RayExecutor (it receives cluster.ray_executor.Progress); `workers`
    sizes the local pool (default: the CPU count). `worker_logs=False` keeps the Ray workers'
    output off this process's stdout and stderr (Ray's log_to_driver; it stays in Ray's log
    files), for output that must be exactly JSON."""
    if isinstance(executor, Runner):
        yield executor
        return
    if executor is not None and not isinstance(executor, str):
        if ray_address is not None or workers is not None:
            raise InputError("ray_address and workers configure a named executor, not an "
                             "executor object")
        yield runner_for(executor, scan_on_executor=scan_on_executor)
        return
    name = executor or "in-process"
    if name not in EXECUTORS:
        raise InputError(f"unknown executor {name!r}; use one of {', '.join(EXECUTORS)}")
    if ray_address is not None and name != "ray":
        raise InputError("a Ray address needs the ray executor (--executor ray)")
    if workers is not None and name != "local":
        raise InputError("a worker count needs the local executor (--executor local)")
    if name == "in-process":
        yield Runner(None, scan_dataset)
    elif name == "local":
        with LocalExecutor(workers) as pool:
            yield Runner(pool, cluster_scanner(pool) if scan_on_executor else scan_dataset,
                         name="local")
    else:
        with _ray_executor(ray_address, progress, worker_logs) as (ray_ex, shard_rows):
            yield Runner(ray_ex, cluster_scanner(ray_ex), shard_rows, "ray")


@contextmanager
def _ray_executor(address: str | None, progress: Callable[[Any], None] | None,
                  worker_logs: bool):
    from cluster.config import load_cluster_config

    config = load_cluster_config()
    ex = config.executor(address=address, progress=progress)
    if not worker_logs:
        ex.init_options["log_to_driver"] = False
    try:
        ex.start()  # joins or starts Ray now, so a bad address fails before any work
    except (ConnectionError, RuntimeError, ValueError, TimeoutError) as exc:
        where = address or config.ray.address or os.environ.get("RAY_ADDRESS") or "a local Ray"
        ex.close()
        raise ClusterUnavailable(f"cannot start or reach Ray ({where}): "
                                 f"{_first_line(exc)}") from None
    try:
        yield ex, config.shards.shard_rows
    finally:
        ex.close()


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


__all__ = ["ClusterUnavailable", "EXECUTORS", "Runner", "cluster_scanner", "is_ray",
           "open_runner", "runner_for"]
