"""The prover actor: a long-lived Ray worker process that runs shard jobs one at a time.

An actor is a process that outlives its jobs, so what a job function caches in its process
stays warm for every later shard the actor proves: engine.notarize keeps one ProverContext per
proving key (loaded from the key file once, then its coefficient layout and, with the cuda
backend, its bases on the device the actor was given through `num_gpus`), and the shard circuit
per shape. Nothing is reloaded between shards; a restarted actor loads once more.

`run` never raises for a job's own failure: it returns an `Outcome` carrying the exception (an
InputError keeps its file, row and column across the pickle), so the driver can tell bad data
(final) from a crash of the process or node (Ray restarts the actor and replays the call).
`retried` marks the call Ray replayed after a restart: the driver keeps one call in flight per
actor, so the first call a restarted actor serves is the one that was interrupted.
"""

from __future__ import annotations

import os
import pickle
import time
import traceback
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import ray


@dataclass(frozen=True)
class Outcome:
    """The result of one call, or the error that stopped it, and where it ran."""

    result: Any = None
    error: BaseException | None = None
    error_text: str | None = None  # for any error: "Type: message" (and a traceback tail)
    retried: bool = False
    node_id: str = ""
    pid: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error_text is None


class ProverActor:
    """Runs `fn(job)` in this process; see the module docstring."""

    def __init__(self) -> None:
        context = ray.get_runtime_context()
        with warnings.catch_warnings():  # Ray 2.60's property trips its own deprecation warning
            warnings.simplefilter("ignore", DeprecationWarning)
            self._reconstructed = context.was_current_actor_reconstructed
        self._node_id = context.get_node_id()
        self._served = 0

    def run(self, fn: Callable[[Any], Any], job: Any) -> Outcome:
        retried = self._reconstructed and self._served == 0
        self._served += 1
        start = time.perf_counter()
        where = {"retried": retried, "node_id": self._node_id, "pid": os.getpid()}
        try:
            result = fn(job)
        except Exception as exc:  # the job's failure is data for the driver, not a crash
            text = f"{type(exc).__name__}: {exc}"
            if not _picklable(exc):
                text += "\n" + "".join(traceback.format_exception(exc)[-3:])
                exc = None
            return Outcome(error=exc, error_text=text,
                           seconds=time.perf_counter() - start, **where)
        return Outcome(result=result, seconds=time.perf_counter() - start, **where)

    def identity(self) -> tuple[str, int]:
        """(node id, process id): where this actor runs now."""
        return self._node_id, os.getpid()


def _picklable(exc: BaseException) -> bool:
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        return False
    return True


def actor_class(*, num_cpus: float, num_gpus: float, max_restarts: int, max_task_retries: int,
                runtime_env: dict[str, Any] | None = None) -> Any:
    """ProverActor as a Ray actor class with these resources and failover settings.

    SPREAD places the actors across nodes, so losing a node loses as few as it can. Numba's
    thread pool is sized to the actor's CPUs (by default it takes every core of the node), and
    an actor given a GPU asks for the cuda backend (ZKP_BACKEND), so a node whose GPU CuPy cannot
    use fails its shards instead of proving on the CPU unnoticed."""
    env = dict(runtime_env or {})
    env_vars = {"NUMBA_NUM_THREADS": str(max(1, int(num_cpus)))}
    if num_gpus > 0:
        env_vars["ZKP_BACKEND"] = "cuda"
    env_vars.update(env.get("env_vars", {}))
    env["env_vars"] = env_vars
    return ray.remote(ProverActor).options(
        num_cpus=num_cpus, num_gpus=num_gpus, max_restarts=max_restarts,
        max_task_retries=max_task_retries, scheduling_strategy="SPREAD", runtime_env=env)


__all__ = ["Outcome", "ProverActor", "actor_class"]
