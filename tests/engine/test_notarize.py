"""The notarize pipeline end to end on small shards: proofs verify, aggregates are right, and
tampering with rows, values, proofs, public values or shard order is caught."""

import hashlib
import hmac
import json
import math
import pickle
from dataclasses import replace
from decimal import Decimal

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from pydantic import ValidationError

from engine.dataset import StatementOptions
from engine.errors import InputError, VerificationError, ZkpLedgerError
from engine.executor import InProcessExecutor, LocalExecutor
from engine.notarization import DatasetNotarization, commitment_root, verify_notarization
from engine.dataset_scan import scan_dataset
from engine.notarize import notarize, plan_shards
from engine.proving_keys import ensure_key, r1cs_digest, vk_hash
from engine.salt import shard_salt
from engine.shard_circuit import ShardShape, shard_circuit
from kernels.constants import R
from support.items import item_rows, key_cache, write_csv  # noqa: F401 (key_cache: autouse fixture)

SECRET = b"notarizer secret, 32 bytes long!"
ROWS = 37  # shards of 16: 16, 16, 5
OPTIONS = StatementOptions(columns=("price", "qty"), scale={"price": 2},
                           bounds={"price": ("-50", "50"), "qty": ("0", "1000")}, shard_rows=16)


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return write_csv(tmp_path_factory.mktemp("data") / "items.csv", item_rows(ROWS))


@pytest.fixture(scope="module")
def notarized(data):
    return notarize(data, secret=SECRET, options=OPTIONS)


@pytest.fixture(scope="module")
def vk(notarized):
    shape = ShardShape.for_statement(notarized.statement)
    return ensure_key(shard_circuit(shape).circuit.r1cs)[1].vk


def _edit(n: DatasetNotarization, **update) -> DatasetNotarization:
    return DatasetNotarization.model_validate({**n.model_dump(), **update})


def _edit_shard(n: DatasetNotarization, i: int, **update) -> DatasetNotarization:
    shards = [s.model_dump() for s in n.shards]
    shards[i].update(update)
    return _edit(n, shards=shards)


def test_totals_and_shards_match_the_file(notarized, data):
    rows = item_rows(ROWS)
    price = sum(Decimal(r["price"]) for r in rows)
    qty = sum(r["qty"] for r in rows)
    by_name = {c.name: c for c in notarized.columns}
    assert by_name["price"].sum == int(price * 100) and by_name["price"].scale == 2
    assert by_name["qty"].sum == qty and by_name["qty"].count == ROWS
    assert (by_name["price"].lo, by_name["price"].hi) == (-5000, 5000)
    assert [s.count for s in notarized.shards] == [16, 16, 5]
    assert [s.start_row for s in notarized.shards] == [0, 16, 32]
    assert notarized.shards[2].sums[1] == sum(r["qty"] for r in rows[32:])
    assert notarized.row_count == ROWS and notarized.file_sha256 == hashlib.sha256(
        data.read_bytes()).hexdigest()
    assert notarized.byte_size == data.stat().st_size
    assert [f.name for f in notarized.data_schema] == ["id", "price", "label", "qty"]
    assert notarized.insecure_dev and notarized.vk_hash == vk_hash_of(notarized)
    assert any(Decimal(r["price"]) < 0 for r in rows) and by_name["price"].lo < 0


def vk_hash_of(n):
    return vk_hash(ensure_key(shard_circuit(n.shape).circuit.r1cs)[1].vk)


def test_public_output_holds_no_salt_or_values(notarized):
    text = notarized.model_dump_json()
    for i in range(3):
        assert str(shard_salt(SECRET, notarized.file_sha256, i)) not in text
        assert format(shard_salt(SECRET, notarized.file_sha256, i), "x") not in text


def test_verifies_with_and_without_the_data(notarized, vk, data):
    assert verify_notarization(notarized, vk) == ["structure", "proofs"]
    assert verify_notarization(notarized, vk, data=data, secret=SECRET) == [
        "structure", "proofs", "data", "commitments"]
    again = DatasetNotarization.model_validate_json(notarized.model_dump_json())
    assert verify_notarization(again, vk, data=data) == ["structure", "proofs", "data"]
    assert verify_notarization(notarized, vk, rebuild_circuit=True)[-1] == "circuit"


def test_record_names_the_circuit_of_its_statement(notarized, vk):
    assert notarized.circuit_digest == r1cs_digest(shard_circuit(notarized.shape).circuit.r1cs)
    other = ShardShape(notarized.shape.log_rows, (13, 10))  # price bounds of another width
    forged = _edit(notarized, circuit_digest=r1cs_digest(shard_circuit(other).circuit.r1cs))
    assert verify_notarization(forged, vk) == ["structure", "proofs"]  # the key decides that
    with pytest.raises(VerificationError, match="does not build the circuit"):
        verify_notarization(forged, vk, rebuild_circuit=True)


def test_commitment_root_is_rfc6962_sha256(notarized):
    leaves = [hashlib.sha256(b"\x00" + bytes.fromhex(s.commitment)).digest()
              for s in notarized.shards]
    left = hashlib.sha256(b"\x01" + leaves[0] + leaves[1]).digest()
    assert notarized.commitment_root == hashlib.sha256(b"\x01" + left + leaves[2]).hexdigest()


def _totals(n, shards):
    """Column totals consistent with `shards`, as a forger would recompute them."""
    return [{**c.model_dump(), "count": sum(s["count"] for s in shards),
             "sum": sum(s["sums"][j] for s in shards)} for j, c in enumerate(n.columns)]


def _forged(n, shards, **update):
    """`shards` with every derivable field (root, totals, row count) made consistent."""
    return _edit(n, shards=shards, columns=_totals(n, shards),
                 row_count=sum(s["count"] for s in shards),
                 commitment_root=commitment_root([int(s["commitment"], 16) for s in shards]),
                 **update)


def _tampered(n):
    """Each edit a forger might try: (record, the check that must catch it)."""
    shards = lambda: [s.model_dump() for s in n.shards]  # noqa: E731
    swapped = shards()
    swapped[0], swapped[1] = ({**swapped[1], "index": 0, "start_row": 0},
                              {**swapped[0], "index": 1, "start_row": 16})
    sum_up, commitment_up, count_up, proof_moved = shards(), shards(), shards(), shards()
    sum_up[0]["sums"] = (sum_up[0]["sums"][0] + 1, sum_up[0]["sums"][1])
    sum_plus_r = shards()  # the same field element, so the same proof verifies
    sum_plus_r[0]["sums"] = (sum_plus_r[0]["sums"][0] + R, sum_plus_r[0]["sums"][1])
    commitment_up[1]["commitment"] = format((int(n.shards[1].commitment, 16) + 1) % R, "064x")
    count_up[2]["count"] = 6
    proof_moved[2]["proof"] = n.shards[1].proof
    wider = n.statement.model_dump()
    wider["columns"][1]["hi"] = "1023"  # same 10 bits: the same key still applies
    proofs = "proofs do not verify"
    return {
        "shard order": (_forged(n, swapped), proofs),
        "shard sum": (_forged(n, sum_up), proofs),
        "shard sum plus r": (_forged(n, sum_plus_r), r"count x \[lo, hi\]"),
        "commitment": (_forged(n, commitment_up), proofs),
        "shard count": (_forged(n, count_up), proofs),
        "proof": (_forged(n, proof_moved), proofs),
        "bounds": (_edit(n, statement=wider, columns=[
            {**c.model_dump(), "hi": 1023 if c.name == "qty" else c.hi} for c in n.columns]),
            proofs),
        "column total": (_edit(n, columns=[{**c, "sum": c["sum"] + 1}
                                           for c in _totals(n, shards())]), "totals"),
        "commitment root": (_edit(n, commitment_root="00" * 32), "commitment root"),
        "row count": (_edit(n, row_count=ROWS + 1), "cover"),
        "short middle shard": (_forged(n, [{**s, "count": 15} if s["index"] == 1 else s
                                           for s in shards()]), "only the last"),
    }


@pytest.mark.parametrize("what", ["shard order", "shard sum", "shard sum plus r", "commitment",
                                  "shard count", "proof", "bounds", "column total",
                                  "commitment root", "row count", "short middle shard"])
def test_tampering_with_the_record_is_detected(notarized, vk, what):
    record, check = _tampered(notarized)[what]
    with pytest.raises(VerificationError, match=check):
        verify_notarization(record, vk)


def test_dropped_shards_are_caught_by_the_data_not_the_proofs(notarized, vk, data):
    """Proofs bind values to commitments, not to a file: a consistent record of the first two
    shards alone is a valid notarization of a 32-row file, and only the file (or the signed
    ledger entry binding row root and commitments) tells it from this one."""
    first_two = _forged(notarized, [s.model_dump() for s in notarized.shards[:2]])
    assert verify_notarization(first_two, vk) == ["structure", "proofs"]
    with pytest.raises(VerificationError, match="row count"):
        verify_notarization(first_two, vk, data=data)


def test_malformed_proof_bytes_are_a_verification_failure(notarized, vk):
    bad = _edit_shard(notarized, 0, proof="ff" * 192)
    with pytest.raises(VerificationError, match="malformed"):
        verify_notarization(bad, vk)


def test_tampered_rows_are_detected_given_the_file(notarized, vk, tmp_path):
    for edit in ("label", "price"):
        rows = item_rows(ROWS)
        rows[20][edit] = "item-x" if edit == "label" else "1.00"
        changed = write_csv(tmp_path / f"{edit}.csv", rows)
        with pytest.raises(VerificationError, match="sha256"):
            verify_notarization(notarized, vk, data=changed)
        forged = _edit(notarized, file_sha256=hashlib.sha256(changed.read_bytes()).hexdigest(),
                       byte_size=changed.stat().st_size)
        with pytest.raises(VerificationError, match="row root"):
            verify_notarization(forged, vk, data=changed)


def test_wrong_secret_or_key_is_detected(notarized, vk, data):
    with pytest.raises(VerificationError, match="commitment"):
        verify_notarization(notarized, vk, data=data, secret=b"another secret, 32 bytes long!!")
    other = ensure_key(shard_circuit(ShardShape(4, (13, 9))).circuit.r1cs)[1].vk
    with pytest.raises(VerificationError, match="vk_hash"):
        verify_notarization(notarized, other)


def test_out_of_bounds_value_fails_before_any_proof(tmp_path):
    rows = item_rows(ROWS)
    rows[21]["qty"] = 1001
    bad = write_csv(tmp_path / "bad.csv", rows)

    class NoJobs(InProcessExecutor):
        def map(self, fn, jobs):
            raise AssertionError("no shard may be proved when the data is bad")

    with pytest.raises(InputError) as info:
        notarize(bad, secret=SECRET, options=OPTIONS, executor=NoJobs())
    assert (info.value.file, info.value.row, info.value.column) == (str(bad), 21, "qty")


def test_weak_secret_is_refused(data):
    with pytest.raises(InputError, match="16 bytes"):
        notarize(data, secret=b"short", options=OPTIONS)


def test_salt_is_the_documented_hmac():
    sha = hashlib.sha256(b"x").hexdigest()
    msg = b"zkp-ledger/shard-salt/v1\x00" + bytes.fromhex(sha) + (5).to_bytes(8, "big")
    wide = b"".join(hmac.new(SECRET, msg + bytes([k]), hashlib.sha256).digest() for k in (0, 1))
    assert shard_salt(SECRET, sha, 5) == int.from_bytes(wide, "big") % R
    assert len({shard_salt(SECRET, sha, i) for i in range(50)}) == 50
    with pytest.raises(InputError):
        shard_salt(SECRET, "zz", 0)


@pytest.mark.slow
def test_local_executor_gives_the_in_process_result(notarized, vk, data):
    timings = {}
    with LocalExecutor(workers=1) as pool:
        pooled = notarize(data, secret=SECRET, options=OPTIONS, executor=pool, timings=timings)
    assert set(timings) == {"scan", "key", "shards", "verify", "shard_load", "shard_read",
                            "shard_witness", "shard_prove"}
    assert timings["shard_prove"] > 0 and timings["shards"] >= timings["shard_prove"]
    strip = lambda n: {**n.model_dump(), "shards": [  # noqa: E731  proofs are re-randomised
        {**s.model_dump(), "proof": None} for s in n.shards]}
    assert strip(pooled) == strip(notarized)
    assert verify_notarization(pooled, vk, data=data, secret=SECRET)[-1] == "commitments"


def test_jobs_are_picklable_and_keyed_by_content(notarized, data):
    scan = scan_dataset(data, notarized.statement)
    key = ensure_key(shard_circuit(notarized.shape).circuit.r1cs)[0]
    jobs = plan_shards(scan, data, notarized.statement, key, SECRET)
    again = plan_shards(scan, data, notarized.statement, key, b"another secret, 32 bytes long!!")
    assert [(j.start_row, j.stop_row) for j in jobs] == [(0, 16), (16, 32), (32, 37)]
    assert [j.job_id for j in jobs] == [j.job_id for j in again]  # the salt is not content
    assert len({j.job_id for j in jobs}) == 3
    assert pickle.loads(pickle.dumps(jobs[2])) == jobs[2]
    assert str(jobs[0].salt) not in repr(jobs[0])  # logs of a job never show its salt


def test_local_executor_keeps_job_order():
    jobs = [20000, 1, 5, 0, 3000]  # the first finishes last
    with LocalExecutor(workers=2) as pool:
        assert pool.map(math.factorial, jobs) == [math.factorial(n) for n in jobs]
        with pytest.raises(ValueError):
            pool.map(math.factorial, [3, -1])
    assert LocalExecutor(workers=1).map(abs, []) == []
    with pytest.raises(ValueError):
        LocalExecutor(workers=0)


def test_malformed_records_are_rejected(notarized):
    good = json.loads(notarized.model_dump_json())
    edits = [
        lambda d: d.pop("row_root"),
        lambda d: d.update(version=2),
        lambda d: d.update(extra_field=1),
        lambda d: d.update(file_sha256="XYZ"),
        lambda d: d["shards"][0].update(proof="ab" * 191),
        lambda d: d["shards"][0].update(commitment="0x" + "0" * 62),
        lambda d: d["shards"][1].update(count=0),
        lambda d: d["statement"]["columns"][0].update(lo="60"),  # lo > hi
    ]
    for edit in edits:
        bad = json.loads(json.dumps(good))
        edit(bad)
        with pytest.raises(ValidationError):
            DatasetNotarization.model_validate_json(json.dumps(bad))


def test_secret_without_data_is_a_usage_error(notarized, vk):
    with pytest.raises(InputError, match="data file"):
        verify_notarization(notarized, vk, secret=SECRET)


class _Faulty(InProcessExecutor):
    """Runs the jobs, then spoils the results the way a broken worker or scheduler might."""

    def __init__(self, spoil):
        self.spoil = spoil

    def map(self, fn, jobs):
        return self.spoil(super().map(fn, jobs))


def _swap_proofs(results):
    a, b = results[0], results[1]
    return [replace(a, proof=b.proof), replace(b, proof=a.proof), *results[2:]]


@pytest.mark.parametrize("spoil, message", [
    (lambda results: results[::-1], "does not match the plan"),  # completion order
    (_swap_proofs, "does not verify"),
])
def test_driver_rejects_spoiled_worker_results(data, spoil, message):
    with pytest.raises(ZkpLedgerError, match=message):
        notarize(data, secret=SECRET, options=OPTIONS, executor=_Faulty(spoil))


def test_driver_rejects_a_worker_that_read_other_rows(data, monkeypatch):
    """Rows read in another order: same count and sums, a valid proof, another commitment."""
    import engine.notarize as pipeline
    read = pipeline._read_shard
    monkeypatch.setattr(pipeline, "_read_shard", lambda job: read(job)[::-1].copy())
    with pytest.raises(ZkpLedgerError, match="shard 0: the worker's result does not match"):
        notarize(data, secret=SECRET, options=OPTIONS)


def test_parquet_file_smaller_than_one_shard(tmp_path):
    """One partial shard; a signed integer column and a float column at scale 3."""
    temps = [-40, -7, 0, 12, 35, -1, 3]
    ratios = [0.125, 1.5, -2.25, 0.0, 3.875, -0.5, 2.0]
    path = tmp_path / "small.parquet"
    pq.write_table(pa.table({"temp": pa.array(temps, pa.int32()),
                             "ratio": pa.array(ratios, pa.float64())}), path)
    options = StatementOptions(scale={"ratio": 3}, bounds={"temp": ("-50", "50"),
                                                           "ratio": ("-4", "4")}, shard_rows=16)
    n = notarize(path, secret=SECRET, options=options)
    assert [(s.count, s.sums) for s in n.shards] == [(7, (sum(temps), int(sum(ratios) * 1000)))]
    assert [(c.name, c.sum, c.lo, c.hi) for c in n.columns] == [
        ("temp", 2, -50, 50), ("ratio", 4750, -4000, 4000)]
    vk = ensure_key(shard_circuit(n.shape).circuit.r1cs)[1].vk
    assert verify_notarization(n, vk, data=path, secret=SECRET)[-1] == "commitments"


def test_parquet_shards_across_row_groups(tmp_path):
    """Workers read their rows through the row groups that hold them (groups of 20, shards of
    16): the commitments recomputed by a streaming scan of the file agree with every proof's."""
    rows = item_rows(70)
    path = tmp_path / "groups.parquet"
    table = pa.table({"price": pa.array([float(r["price"]) for r in rows]),
                      "qty": pa.array([r["qty"] for r in rows], pa.int64())})
    pq.write_table(table, path, row_group_size=20)
    assert pq.ParquetFile(path).metadata.num_row_groups == 4
    n = notarize(path, secret=SECRET, options=OPTIONS)
    assert [(s.start_row, s.count) for s in n.shards] == [(0, 16), (16, 16), (32, 16), (48, 16),
                                                           (64, 6)]
    cents = [round(float(r["price"]) * 100) for r in rows]
    assert [s.sums[0] for s in n.shards] == [sum(cents[i:i + 16]) for i in range(0, 70, 16)]
    vk = ensure_key(shard_circuit(n.shape).circuit.r1cs)[1].vk
    assert verify_notarization(n, vk, data=path, secret=SECRET)[-1] == "commitments"
