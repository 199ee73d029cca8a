"""RayExecutor: the engine's Executor protocol on a Ray cluster, with prover actors and failover.

`map(fn, jobs)` runs `fn(job)` on a pool of prover actors (cluster.prover_actor) and returns the
results in job order. Each actor has one call in flight and is handed the next job as soon as it
is free, so a fast or idle node takes more shards and a slow one fewer: the balancing is Ray's
placement plus "whoever is free pulls", with no cost model of its own.

Failover, from the bottom up:
- Ray restarts a dead actor process (`max_restarts`) and replays its interrupted call
  (`max_task_retries`), on another node if its node is gone; the caller sees one result.
- A shard whose actor is gone for good, or whose job raised anything but an InputError, is put
  back in the queue for any actor, up to `shard_retries` times.
- When the queue is empty and an actor idles, it takes a backup copy of the longest-running
  shard once that shard is overdue (`backup_after` times the median shard time, and at least
  `backup_min_seconds`): a shard stuck on a
  node that died (whose actor cannot be restarted for lack of room) or on a straggler finishes
  elsewhere. Whichever copy ends first is kept; results are taken once per plan position, and a
  result whose job id is not the planned one is refused.
- An InputError (bad data) is final: retrying cannot fix the data. The job stops and raises
  `ShardInputError` naming the shard, file, row and column. Other shards that fail after their
  retries are collected and raised together as `ShardsFailedError` once the rest are done.

Jobs must be idempotent (engine shard jobs are): a replayed or backed-up shard recomputes the same
public result. Ray is started locally when no address is given and no Ray is running in this
process; the executor then shuts it down on `close()` (or at the end of a `with` block).
"""

from __future__ import annotations

import statistics
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import ray
from ray.exceptions import ActorDiedError, RayActorError, RayError

from cluster.errors import ShardFailure, ShardInputError, ShardsFailedError
from cluster.prover_actor import Outcome, actor_class
from engine.errors import InputError

J = TypeVar("J")
T = TypeVar("T")


@dataclass(frozen=True)
class Progress:
    """Shards of the current map: finished, on an actor now, retried so far, failed for good."""

    total: int
    done: int
    running: int
    retried: int
    failed: int


@dataclass(frozen=True)
class MapReport:
    """How the last map went: the node that produced each result (plan order), retries, wall
    seconds, and each result's seconds on its actor."""

    placement: tuple[str, ...]
    retried: int
    seconds: float
    shard_seconds: tuple[float, ...]


@dataclass
class _Call:
    position: int | None  # None: a call left running by an earlier map (its result is dropped)
    actor: Any
    started: float


class RayExecutor:
    """Executor over Ray prover actors; see the module docstring.

    address: a Ray address ("auto", "ray://host:10001", "host:6379"); None starts a local Ray
        unless this process is already connected to one.
    actors: pool size; None: as many as the cluster's CPUs (or GPUs when num_gpus_per_actor > 0)
        allow at the first map. The pool is created once and kept across maps.
    num_cpus_per_actor / num_gpus_per_actor: Ray resources each actor holds for its lifetime.
    max_restarts, max_task_retries: Ray's actor failover (see module docstring).
    shard_retries: how often a shard is requeued after its actor died or its job raised a
        non-input error.
    backup_after, backup_min_seconds: a shard is overdue (and copied to an idle actor) once it
        has run longer than both backup_after x the median shard time and backup_min_seconds;
        backup_after=0 turns backups off.
    progress: called with a `Progress` after every change.
    init_options: extra `ray.init` keyword arguments when this executor starts or joins Ray.
    runtime_env: the actors' Ray runtime environment (env_vars, working_dir, ...).
    """

    def __init__(self, address: str | None = None, *, actors: int | None = None,
                 num_cpus_per_actor: float = 1, num_gpus_per_actor: float = 0,
                 max_restarts: int = 3, max_task_retries: int = 3, shard_retries: int = 2,
                 backup_after: float = 4.0, backup_min_seconds: float = 10.0, progress: Callable[[Progress], None] | None = None,
                 init_options: dict[str, Any] | None = None,
                 runtime_env: dict[str, Any] | None = None, poll_seconds: float = 1.0):
        if actors is not None and actors < 1:
            raise ValueError(f"actors must be positive, got {actors}")
        if num_cpus_per_actor < 0 or num_gpus_per_actor < 0:
            raise ValueError("actor resources must not be negative")
        if (min(max_restarts, max_task_retries) < -1 or shard_retries < 0
                or min(backup_after, backup_min_seconds) < 0):
            raise ValueError("retries must be >= 0 (-1: unlimited, for Ray's two settings)")
        self.address = address
        self.actors = actors
        self.num_cpus_per_actor = num_cpus_per_actor
        self.num_gpus_per_actor = num_gpus_per_actor
        self.shard_retries = shard_retries
        self.backup_after = backup_after
        self.backup_min_seconds = backup_min_seconds
        self.progress = progress
        self.poll_seconds = poll_seconds
        self.init_options = dict(init_options or {})
        self._actor_class_options = dict(max_restarts=max_restarts,
                                         max_task_retries=max_task_retries,
                                         runtime_env=runtime_env)
        self._pool: list[Any] = []
        self._leftover: dict[Any, _Call] = {}  # calls an earlier map left running
        self.last_report: MapReport | None = None
        self._owns_ray = False
        self._actor_class: Any = None

    # -- lifecycle -------------------------------------------------------------------------

    def __enter__(self) -> RayExecutor:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> None:
        """Join (or start) Ray and create the actor pool; `map` and `with` call it. Actors start
        in the background, so calling it early overlaps their start-up with the driver's scan."""
        if self._actor_class is None:
            if not ray.is_initialized():
                ray.init(address=self.address, **self.init_options)
                self._owns_ray = True
            self._actor_class = actor_class(num_cpus=self.num_cpus_per_actor,
                                            num_gpus=self.num_gpus_per_actor,
                                            **self._actor_class_options)
        while len(self._pool) < self.pool_size():
            self._pool.append(self._actor_class.remote())

    def close(self) -> None:
        """Stop the actors; shut Ray down if this executor started it."""
        for actor in self._pool:
            try:
                ray.kill(actor)
            except RayError:
                pass
        self._pool.clear()
        self._leftover.clear()
        self._actor_class = None
        if self._owns_ray:
            ray.shutdown()
            self._owns_ray = False

    def pool_size(self) -> int:
        """Actors the pool would have: `actors`, or what the cluster's resources allow."""
        if self.actors is not None:
            return self.actors
        resources = ray.cluster_resources()
        if self.num_gpus_per_actor > 0:
            return max(1, int(resources.get("GPU", 0) // self.num_gpus_per_actor))
        if self.num_cpus_per_actor > 0:
            return max(1, int(resources.get("CPU", 1) // self.num_cpus_per_actor))
        return max(1, int(resources.get("CPU", 1)))

    def actor_handles(self) -> list[Any]:
        """The live pool (for inspection and fault-injection tests)."""
        return list(self._pool)

    # -- map -------------------------------------------------------------------------------

    def map(self, fn: Callable[[J], T], jobs: Sequence[J]) -> list[T]:
        if not jobs:
            return []
        self.start()
        return _MapRun(self, ray.put(fn), list(jobs)).run()


class _MapRun:
    """The state of one `map`: queue, calls in flight, results by plan position."""

    def __init__(self, executor: RayExecutor, fn_ref: Any, jobs: list[Any]):
        self.ex, self.fn_ref, self.jobs = executor, fn_ref, jobs
        self.queue: deque[int] = deque(range(len(jobs)))
        # an actor still busy with a call an earlier map left behind (a backup copy's loser,
        # the shards running when bad data stopped a job) gets new work once that call ends
        self.inflight: dict[Any, _Call] = {
            ref: call for ref, call in executor._leftover.items() if call.actor in executor._pool}
        busy = [call.actor for call in self.inflight.values()]
        self.idle: list[Any] = [a for a in executor._pool if a not in busy]
        self.results: dict[int, Any] = {}
        self.requeues = [0] * len(jobs)
        self.failures: dict[int, ShardFailure] = {}
        self.durations: list[float] = []
        self.accepted: dict[int, Outcome] = {}
        self.retried = 0
        self.started = time.monotonic()
        self._last: Progress | None = None

    def run(self) -> list[Any]:
        try:
            while len(self.results) + len(self.failures) < len(self.jobs):
                self._dispatch()
                if not self.inflight:
                    for position in self.queue:
                        self._fail(position, "no prover actor is left to run it")
                    break
                refs = list(self.inflight)
                ready, _ = ray.wait(refs, num_returns=1, timeout=self.ex.poll_seconds)
                if ready:  # take every call that has ended, not one per pass over the refs
                    ready, _ = ray.wait(refs, num_returns=len(refs), timeout=0)
                for ref in ready:
                    self._collect(ref, self.inflight.pop(ref))
        finally:
            self.ex._leftover = {ref: _Call(None, c.actor, c.started)
                                 for ref, c in self.inflight.items()}
        self._report()
        self.ex.last_report = MapReport(
            tuple(o.node_id for _, o in sorted(self.accepted.items())), self.retried,
            time.monotonic() - self.started,
            tuple(o.seconds for _, o in sorted(self.accepted.items())))
        if self.failures:
            raise ShardsFailedError(list(self.failures.values()), len(self.jobs))
        return [self.results[i] for i in range(len(self.jobs))]

    def _pending(self, position: int) -> bool:
        return position not in self.results and position not in self.failures

    def _submit(self, position: int, actor: Any) -> None:
        ref = actor.run.remote(self.fn_ref, self.jobs[position])
        self.inflight[ref] = _Call(position, actor, time.monotonic())

    def _dispatch(self) -> None:
        while self.idle and self.queue:
            position = self.queue.popleft()
            if self._pending(position):
                self._submit(position, self.idle.pop())
        while self.idle and not self.queue:
            straggler = self._straggler()
            if straggler is None:
                break
            self.retried += 1
            self._submit(straggler, self.idle.pop())
        self._report()

    def _straggler(self) -> int | None:
        """The longest-running shard with a single copy in flight, once it is overdue."""
        if not self.ex.backup_after or not self.durations:
            return None
        limit = max(self.ex.backup_after * statistics.median(self.durations),
                    self.ex.backup_min_seconds)
        now = time.monotonic()
        mine = [c for c in self.inflight.values() if c.position is not None]
        copies: dict[int, int] = {}
        for call in mine:
            copies[call.position] = copies.get(call.position, 0) + 1
        overdue = [(now - c.started, c.position) for c in mine
                   if copies[c.position] == 1 and now - c.started > limit]
        return max(overdue)[1] if overdue else None

    def _collect(self, ref: Any, call: _Call) -> None:
        position = call.position
        try:
            outcome: Outcome = ray.get(ref)
        except RayActorError as exc:  # the actor is gone (restarts used up) or unreachable
            if isinstance(exc, ActorDiedError):
                self._drop_actor(call.actor)
            else:
                self.idle.append(call.actor)
            if position is not None:
                self._retry_or_fail(position, f"prover actor lost: {type(exc).__name__}: "
                                              f"{_first_line(exc)}")
            return
        except RayError as exc:  # object lost, worker crash beyond Ray's own retries
            self.idle.append(call.actor)
            if position is not None:
                self._retry_or_fail(position, f"{type(exc).__name__}: {_first_line(exc)}")
            return
        self.idle.append(call.actor)
        if position is None:
            return  # an earlier map's call: its actor is free again
        if outcome.retried:
            self.retried += 1
        if not self._pending(position):
            return  # the other copy of a backed-up shard: the first result stands
        if outcome.ok:
            self._accept(position, outcome)
        elif isinstance(outcome.error, InputError):
            failure = ShardFailure(position, _job_id(self.jobs[position]),
                                   outcome.error_text or "", outcome.error)
            self._report()
            raise ShardInputError(failure)
        else:
            self._retry_or_fail(position, outcome.error_text or "unknown error", outcome.error)

    def _accept(self, position: int, outcome: Outcome) -> None:
        expected, got = _job_id(self.jobs[position]), _job_id(outcome.result)
        if expected is not None and got is not None and expected != got:
            self._fail(position, f"the worker returned the result of job {got[:12]}")
            return
        self.results[position] = outcome.result
        self.accepted[position] = outcome
        self.durations.append(outcome.seconds)

    def _retry_or_fail(self, position: int, reason: str, error: BaseException | None = None):
        if not self._pending(position) or self._copies(position):
            return  # another copy is still running or has finished
        if self.requeues[position] < self.ex.shard_retries:
            self.requeues[position] += 1
            self.retried += 1
            self.queue.appendleft(position)
        else:
            self._fail(position, f"{reason} (after {self.requeues[position]} retries)", error)

    def _copies(self, position: int) -> int:
        return sum(1 for c in self.inflight.values() if c.position == position)

    def _fail(self, position: int, reason: str, error: BaseException | None = None) -> None:
        self.failures[position] = ShardFailure(position, _job_id(self.jobs[position]), reason,
                                               error)

    def _drop_actor(self, actor: Any) -> None:
        self.ex._pool[:] = [a for a in self.ex._pool if a != actor]
        self.idle = [a for a in self.idle if a != actor]

    def _report(self) -> None:
        if self.ex.progress is None:
            return
        running = len({c.position for c in self.inflight.values()} - {None})
        now = Progress(len(self.jobs), len(self.results), running, self.retried,
                       len(self.failures))
        if now != self._last:
            self._last = now
            self.ex.progress(now)


def _job_id(obj: Any) -> str | None:
    value = getattr(obj, "job_id", None)
    return value if isinstance(value, str) else None


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [""])[0]


__all__ = ["MapReport", "Progress", "RayExecutor"]
