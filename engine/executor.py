"""Executors run a plan's pure jobs and hand back results in job order, never completion order.

The notarize pipeline only needs `map(fn, jobs) -> results`: jobs are independent, picklable and
idempotent (a retried job recomputes the same public result), so where they run is the
executor's business. `InProcessExecutor` runs them one by one here (tests, small files);
`LocalExecutor` fans them out to a process pool on this machine; the Ray executor (cluster/)
implements the same protocol.

The pool uses the "spawn" start method: the driver has already run Numba's OpenMP-parallel
kernels (row hashing), and forking a process that has used GNU OpenMP is unsafe. Each worker
process therefore imports and compiles the kernels itself and keeps what it loads (circuits,
proving contexts) for every later job it runs: keep one pool (`with LocalExecutor() as pool`)
across notarizations. As with any spawn pool, a script that uses it needs the
`if __name__ == "__main__":` guard, since each worker imports the main module.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Protocol, TypeVar

J = TypeVar("J")
T = TypeVar("T")


class Executor(Protocol):
    def map(self, fn: Callable[[J], T], jobs: Sequence[J]) -> list[T]:
        """fn(job) for every job; results[i] belongs to jobs[i]. The first failure is raised."""
        ...


class InProcessExecutor:
    """Runs every job in this process, in order."""

    def map(self, fn: Callable[[J], T], jobs: Sequence[J]) -> list[T]:
        return [fn(job) for job in jobs]


class LocalExecutor:
    """A process pool of `workers` (default: the CPU count) spawned processes.

    Usable as a context manager to keep one pool (and its warmed workers) across several maps;
    otherwise each `map` starts and stops its own pool."""

    def __init__(self, workers: int | None = None):
        if workers is not None and workers < 1:
            raise ValueError(f"workers must be positive, got {workers}")
        self.workers = workers or os.cpu_count() or 1
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> LocalExecutor:
        self._pool = self._new_pool()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"))

    def map(self, fn: Callable[[J], T], jobs: Sequence[J]) -> list[T]:
        if not jobs:
            return []
        if self._pool is not None:
            return list(self._pool.map(fn, jobs))
        with self._new_pool() as pool:
            try:
                return list(pool.map(fn, jobs))
            except BaseException:
                pool.shutdown(cancel_futures=True)
                raise


__all__ = ["Executor", "InProcessExecutor", "LocalExecutor"]
