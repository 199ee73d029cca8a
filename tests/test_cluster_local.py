"""RayExecutor with a Ray it starts itself: results in plan order whatever the completion order,
a shard that keeps failing named after its retries while the others finish, a stuck shard
finished by a backup copy (taken once), a wrong result refused, Ray shut down on exit.

Jobs here are plain functions of this module (sent by value to the workers), not proofs."""

import os
import shutil
import sys
import time

import pytest

ray = pytest.importorskip("ray")

from cluster.errors import ShardsFailedError  # noqa: E402
from cluster.ray_executor import Progress, RayExecutor  # noqa: E402

pytestmark = pytest.mark.ray
ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])


def _slow_reverse(job):
    """Later jobs finish first."""
    position, count = job
    time.sleep(0.05 * (count - position))
    return position * position


def _fails_on_three(x):
    if x == 3:
        raise RuntimeError(f"disk gone on pid {os.getpid()}")
    return -x


def _first_copy_hangs(job):
    """Job 0's first copy hangs (it leaves a marker); a second copy finds the marker."""
    index, marker = job
    if index == 0 and not os.path.exists(marker):
        open(marker, "w").close()
        time.sleep(60)
        return "hung copy"
    return f"done {index}"


class _Claims:
    def __init__(self, job_id):
        self.job_id = job_id


class _Job:
    def __init__(self, job_id, claims):
        self.job_id, self.claims = job_id, claims


def _claim(job):
    return _Claims(job.claims)


def _env(name):
    return os.environ.get(name)


@pytest.fixture(scope="module")
def executor():
    mp = pytest.MonkeyPatch()
    mp.setenv("RAY_AUTH_MODE", "disabled")
    ray_tmp = f"/tmp/zl{os.getpid()}"  # short: Ray's socket paths live under it
    mp.setenv("RAY_TMPDIR", ray_tmp)
    assert not ray.is_initialized()
    ex = RayExecutor(actors=2, shard_retries=2, backup_after=2, backup_min_seconds=1,
                     poll_seconds=0.2, init_options={"num_cpus": 2, "include_dashboard": False})
    with ex:
        assert ray.is_initialized()
        yield ex
    assert not ray.is_initialized()  # the executor started Ray, so it stopped it
    mp.undo()
    shutil.rmtree(ray_tmp, ignore_errors=True)


def test_results_come_back_in_plan_order(executor):
    seen = []
    executor.progress = seen.append
    try:
        assert executor.map(_slow_reverse, [(i, 8) for i in range(8)]) == [
            i * i for i in range(8)]
    finally:
        executor.progress = None
    assert seen[-1] == Progress(total=8, done=8, running=0, retried=0, failed=0)
    assert [p.done for p in seen] == sorted(p.done for p in seen)
    assert max(p.running for p in seen) == 2  # one call in flight per actor
    assert executor.map(_slow_reverse, []) == []


def test_actors_size_numba_threads_to_their_cpus(executor):
    # 1 CPU per actor: Numba would otherwise start a thread per core of the node
    assert executor.map(_env, ["NUMBA_NUM_THREADS", "ZKP_BACKEND"]) == [
        "1", os.environ.get("ZKP_BACKEND")]  # no GPU asked for: the backend is inherited


def test_a_failing_shard_is_retried_then_named(executor):
    with pytest.raises(ShardsFailedError) as caught:
        executor.map(_fails_on_three, list(range(6)))
    (failure,) = caught.value.failures
    assert failure.position == 3 and isinstance(failure.error, RuntimeError)
    assert failure.reason.startswith("RuntimeError: disk gone on pid")
    assert failure.reason.endswith("(after 2 retries)")
    assert "1 of 6 shards failed:\n  shard 3: RuntimeError: disk gone" in str(caught.value)
    assert executor.last_report.retried == 2
    assert len(executor.last_report.placement) == 5  # every other shard finished


def test_a_result_for_another_job_is_refused(executor):
    jobs = [_Job("a" * 64, "a" * 64), _Job("b" * 64, "c" * 64)]
    with pytest.raises(ShardsFailedError, match="shard 1 \\(job bbbbbbbbbbbb\\): the worker "
                                                "returned the result of job cccccccccccc"):
        executor.map(_claim, jobs)


def test_a_stuck_shard_is_finished_by_a_backup_copy(executor, tmp_path):
    marker = str(tmp_path / "first-copy-started")
    start = time.monotonic()
    results = executor.map(_first_copy_hangs, [(i, marker) for i in range(4)])
    assert results == ["done 0", "done 1", "done 2", "done 3"]
    assert time.monotonic() - start < 30  # not the hung copy's 60 s
    assert executor.last_report.retried == 1
    # the hung copy still holds its actor: the next map gives that actor nothing until it is
    # free, so no job waits behind it (no backup copy needed) and all run on the other actor
    start = time.monotonic()
    assert executor.map(_env, ["NUMBA_NUM_THREADS"] * 4) == ["1"] * 4
    assert executor.last_report.retried == 0 and time.monotonic() - start < 30
