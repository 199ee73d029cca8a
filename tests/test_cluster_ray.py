"""RayExecutor on a real two-node Ray cluster on this machine (no mocks): the same notarization
as in process, a worker node killed mid-job, an actor process killed mid-job, bad data named.

One cluster (a head that only drives, two worker nodes of 2 CPUs, one prover actor on each) and
one executor serve the whole module, so actors are warmed once. Shards are 8 rows: cheap proofs.
"""

import csv
import os
import shutil
import signal

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

ray = pytest.importorskip("ray")
from ray.cluster_utils import Cluster  # noqa: E402

from cluster.distributed_scan import scan_on_cluster  # noqa: E402
from cluster.errors import ShardInputError  # noqa: E402
from cluster.planning import parquet_plan, shard_jobs  # noqa: E402
from cluster.ray_executor import RayExecutor  # noqa: E402
from engine.dataset import StatementOptions, open_dataset, resolve_statement  # noqa: E402
from engine.dataset_scan import scan_dataset  # noqa: E402
from engine.executor import InProcessExecutor  # noqa: E402
from engine.key_cache import file_sha256  # noqa: E402
from engine.notarization import verify_notarization  # noqa: E402
from engine.notarize import notarize, prove_shard  # noqa: E402
from engine.proving_keys import ensure_key  # noqa: E402
from engine.shard_circuit import ShardShape, shard_circuit  # noqa: E402

pytestmark = pytest.mark.ray

SECRET = b"cluster test secret, 32 bytes!!!"
ROWS = 40  # shards of 8: five shards
OPTIONS = StatementOptions(columns=("price", "qty"), scale={"price": 2},
                           bounds={"price": ("-50", "50"), "qty": ("0", "1000")}, shard_rows=8)


def _rows(n=ROWS, bad_row=None):
    rows = [{"id": i, "price": (i * 7919 % 9999 - 4999) / 100, "label": f"item-{i}",
             "qty": i * 37 % 1001} for i in range(n)]
    if bad_row is not None:
        rows[bad_row]["price"] = 75.0  # above the statement's bound of 50
    return rows


def _write_csv(path, rows):
    with open(path, "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows({**r, "price": f"{r['price']:.2f}"} for r in rows)
    return path


def _write_parquet(path, rows):
    # row groups of 12 rows, so shards of 8 straddle them
    pq.write_table(pa.Table.from_pylist(rows), path, row_group_size=12)
    return path


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setenv("RAY_AUTH_MODE", "disabled")
    ray_tmp = f"/tmp/zr{os.getpid()}"  # short: Ray's socket paths live under it
    mp.setenv("RAY_TMPDIR", ray_tmp)
    mp.setenv("ZKP_LEDGER_CACHE", str(tmp_path_factory.mktemp("keys")))
    mp.setenv("PYTHONWARNINGS", "ignore::DeprecationWarning")
    yield
    mp.undo()
    shutil.rmtree(ray_tmp, ignore_errors=True)


@pytest.fixture(scope="module")
def cluster(env):
    c = Cluster(initialize_head=True, connect=True, head_node_args={
        "num_cpus": 0, "include_dashboard": False,  # the head only drives
        "_system_config": {"health_check_period_ms": 1000,
                           "health_check_failure_threshold": 5}})
    workers = [c.add_node(num_cpus=2) for _ in range(2)]
    c.wait_for_nodes()
    yield c, workers
    ray.shutdown()
    c.shutdown()


@pytest.fixture(scope="module")
def executor(cluster):
    # no backup copies here (test_cluster_local has them): a cold actor's first shard, slow on a
    # loaded machine, would otherwise be copied and the placement below would vary
    with RayExecutor(actors=2, num_cpus_per_actor=1, max_restarts=3, max_task_retries=3,
                     backup_after=0) as ex:
        yield ex


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("data")
    return {"csv": _write_csv(folder / "items.csv", _rows()),
            "parquet": _write_parquet(folder / "items.parquet", _rows())}


@pytest.fixture(scope="module")
def reference(files, env):
    """Each file notarized in this process: what the cluster must reproduce."""
    return {fmt: notarize(path, secret=SECRET, options=OPTIONS, executor=InProcessExecutor())
            for fmt, path in files.items()}


def _public(record):
    """Everything but the proofs (which are re-randomised on every run)."""
    data = record.model_dump()
    data["shards"] = [{k: v for k, v in s.items() if k != "proof"} for s in data["shards"]]
    return data


def _vk(record):
    return ensure_key(shard_circuit(record.shape).circuit.r1cs)[1].vk


def _assert_same_notarization(record, reference):
    assert _public(record) == _public(reference)
    assert [s.index for s in record.shards] == list(range(len(reference.shards)))
    assert all(a.proof != b.proof for a, b in zip(record.shards, reference.shards))
    assert verify_notarization(record, _vk(record)) == ["structure", "proofs"]


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_two_nodes_give_the_in_process_notarization(fmt, files, reference, executor, cluster):
    _, workers = cluster
    record = notarize(files[fmt], secret=SECRET, options=OPTIONS, executor=executor)
    _assert_same_notarization(record, reference[fmt])
    assert record.row_root == reference[fmt].row_root and len(record.shards) == 5
    # one actor per worker node, and both took shards; the driver's head ran none
    assert set(executor.last_report.placement) == {w.node_id for w in workers}, \
        executor.last_report


def test_bad_value_names_the_shard_row_and_column(tmp_path, executor):
    """Planned from the Parquet footer only, so the worker is the first to see the value."""
    path = _write_parquet(tmp_path / "bad.parquet", _rows(bad_row=21))
    reader = open_dataset(path)
    statement = resolve_statement(reader.schema, OPTIONS, sample=next(iter(reader)).data,
                                  file=str(path))
    key, _ = ensure_key(shard_circuit(ShardShape.for_statement(statement)).circuit.r1cs)
    jobs = shard_jobs(parquet_plan(path, 8), statement, key, SECRET, file_sha256(path))
    with pytest.raises(ShardInputError) as caught:
        executor.map(prove_shard, jobs)
    error = caught.value
    assert (error.position, error.file, error.row, error.column) == (2, str(path), 21, "price")
    assert error.failure.job_id == jobs[2].job_id
    assert str(error).startswith(f"file {path}, row 21 (0-based), column price: shard 2: ")


def test_workers_scan_what_the_driver_scans(files, reference, executor):
    path = files["parquet"]
    statement = reference["parquet"].statement
    scan = scan_on_cluster(path, statement, executor=executor, secret=SECRET)
    assert scan == scan_dataset(path, statement, secret=SECRET)
    assert scan.row_root == reference["parquet"].row_root


def test_actor_process_killed_mid_job(files, reference, executor):
    actors = executor.actor_handles()
    before = ray.get([a.identity.remote() for a in actors])
    victim = before[0][1]
    events, killed = [], []

    def kill_once(progress):
        events.append(progress)
        if progress.done >= 1 and progress.running and victim not in killed:
            os.kill(victim, signal.SIGKILL)
            killed.append(victim)

    executor.progress = kill_once
    try:
        record = notarize(files["csv"], secret=SECRET, options=OPTIONS, executor=executor)
    finally:
        executor.progress = None
    assert killed == [victim]
    _assert_same_notarization(record, reference["csv"])
    assert executor.last_report.retried >= 1 and events[-1].retried >= 1
    after = ray.get([a.identity.remote() for a in actors])
    assert after[0][1] != victim and after[1] == before[1]  # restarted in place; other untouched


def test_worker_node_killed_mid_job(files, reference, executor, cluster):
    c, workers = cluster
    removed = []

    def remove_once(progress):
        if progress.done >= 1 and progress.running and not removed:
            c.remove_node(workers[1], allow_graceful=False)
            removed.append(workers[1].node_id)

    executor.progress = remove_once
    try:
        record = notarize(files["parquet"], secret=SECRET, options=OPTIONS, executor=executor)
    finally:
        executor.progress = None
    assert removed == [workers[1].node_id]
    _assert_same_notarization(record, reference["parquet"])
    assert executor.last_report.retried >= 1
    alive = {n["NodeID"] for n in ray.nodes() if n["Alive"]}
    assert workers[1].node_id not in alive and workers[0].node_id in alive
