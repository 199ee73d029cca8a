"""The Python API (`ledger.api.Ledger`) on real proofs over tiny CSV files (16-row shards):
results equal independent recomputations (hashlib, Decimal sums, the dataset-id formula),
entries verify and tampering/rollback/fork is caught, split sums are enforced, lineage walks
both ways, and nothing is written when an operation fails."""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
from pathlib import Path

import pytest
from pydantic import ValidationError

from engine import merkle
from engine.errors import InputError, VerificationError
from ledger.api import Ledger, code_hash_of
from ledger.audit import AuditQuery
from ledger.checkpoint import verify_checkpoint
from ledger.entries import SplitEntry, TransformEntry
from ledger.export.json_export import load_trail
from ledger.lineage import ancestors, descendants, related
from ledger.rows import digest_file
from support.items import item_rows, key_cache, price_cents, write_csv  # noqa: F401 (key_cache: autouse fixture)

STATEMENT = dict(columns="price,qty", scale={"price": 2},
                 bounds={"price": ("-50", "50"), "qty": ("0", "1000")}, shard_rows=16)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("data")
    rows = item_rows(range(40))
    return {"rows": rows,
            "sales": write_csv(d / "sales.csv", rows),
            "even": write_csv(d / "even.csv", rows[0::2]),
            "odd": write_csv(d / "odd.csv", rows[1::2]),
            "odd_short": write_csv(d / "odd_short.csv", rows[1:-2:2]),
            "odd_changed": write_csv(d / "odd_changed.csv",
                                     [dict(r, qty=r["qty"] + (i == 3)) for i, r in
                                      enumerate(rows[1::2])]),
            "clean": write_csv(d / "clean.csv", rows[:30])}


@pytest.fixture(scope="module")
def ledger(tmp_path_factory, files):
    led = Ledger.init(tmp_path_factory.mktemp("ledgers") / "main", origin="test.example/ledger")
    led.notarize_dataset(files["sales"], "sales", **STATEMENT)
    return led


@pytest.fixture(scope="module")
def sales(ledger):
    return ledger.entry("sales@1")


# --- init and opening ---

def test_init_layout_and_permissions(tmp_path):
    led = Ledger.init(tmp_path / "l")
    root = tmp_path / "l"
    assert led.origin.startswith("zkp-ledger/") and len(led.origin.split("/")) == 3
    assert f'origin = "{led.origin}"' in (root / "ledger.toml").read_text()
    for secret in ("keys/ledger.key", "keys/notary.secret"):
        assert stat.S_IMODE(os.stat(root / secret).st_mode) == 0o600
    assert len(bytes.fromhex((root / "keys/notary.secret").read_text().strip())) == 32
    assert (root / "keys/ledger.pub").read_text().strip() == led.verifier.vkey
    assert led.size == 0
    cp = verify_checkpoint(led.checkpoint(), led.verifier)
    assert (cp.origin, cp.size, cp.root) == (led.origin, 0, hashlib.sha256(b"").digest())
    assert Ledger(root).origin == led.origin


def test_open_uninitialised_and_init_twice(tmp_path):
    with pytest.raises(InputError, match="not an initialised ledger.*init"):
        Ledger(tmp_path / "nothing")
    Ledger.init(tmp_path / "l")
    with pytest.raises(InputError, match="already a ledger"):
        Ledger.init(tmp_path / "l")
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "file").write_text("x")
    with pytest.raises(InputError, match="not an empty directory"):
        Ledger.init(tmp_path / "busy")
    with pytest.raises(InputError, match="contains"):
        Ledger.init(tmp_path / "bad-origin", origin="has space")


def test_secret_with_open_permissions_is_refused(tmp_path, files):
    led = Ledger.init(tmp_path / "l")
    os.chmod(tmp_path / "l" / "keys" / "notary.secret", 0o644)
    with pytest.raises(InputError, match="too open"):
        led.notarize_dataset(files["sales"], "sales", **STATEMENT)
    assert led.size == 0


# --- notarize ---

def test_notarize_result_matches_independent_values(ledger, sales, files):
    n = sales.entry.notarization
    rows = files["rows"]
    sha = hashlib.sha256(files["sales"].read_bytes()).hexdigest()
    assert n.file_sha256 == sha and n.row_count == 40 and len(n.shards) == 3
    assert sales.entry.dataset.dataset_id == (
        "ds-" + hashlib.sha256(f"{sha}:{n.row_root}".encode()).hexdigest()[:32])
    assert sales.entry.location == str(files["sales"].resolve())
    assert sales.entry.backend == "cpu"
    totals = {c.name: c for c in n.columns}
    assert totals["price"].sum == price_cents(rows) and totals["price"].scale == 2
    assert (totals["price"].lo, totals["price"].hi) == (-5000, 5000)
    assert totals["qty"].sum == sum(r["qty"] for r in rows) and totals["qty"].count == 40
    assert n.row_root == digest_file(files["sales"]).blake3_root
    assert "notary" not in sales.entry.model_dump_json()  # the secret never reaches the log
    secret = (ledger.path / "keys" / "notary.secret").read_text().strip()
    assert secret not in ledger.journal.data(sales.log_index).decode()


def test_notarize_result_json_fields(tmp_path, files):
    led = Ledger.init(tmp_path / "l")
    seen = []
    result = led.notarize_dataset(files["clean"], "clean", progress=lambda d, t: seen.append(
        (d, t)), **STATEMENT)
    info = result.to_json()
    assert {"entry_id", "log_index", "dataset_id", "rows", "sha256", "blake3_root",
            "commitment_root", "proofs", "statement"} <= info.keys()
    assert (info["rows"], info["proofs"], info["log_index"]) == (30, 2, 0)
    assert info["statement"]["qty"] == {"count": 30, "sum": sum(r["qty"] for r in
                                                                 files["rows"][:30]),
                                        "lo": 0, "hi": 1000, "scale": 0}
    assert seen == [(0, 2), (1, 2), (2, 2)]
    assert info["entry_id"] == hashlib.sha256(led.journal.data(0)).hexdigest()


def test_renotarize_counts_versions(tmp_path, files):
    led = Ledger.init(tmp_path / "l")
    first = led.notarize_dataset(files["clean"], "clean", **STATEMENT)
    second = led.notarize_dataset(files["clean"], "clean", **STATEMENT)
    assert (first.entry.dataset.version, second.entry.dataset.version) == (1, 2)
    assert first.dataset_id == second.dataset_id  # same bytes, same content id
    assert led.entry("clean").log_index == 1 and led.entry("clean@1").log_index == 0


def test_failed_notarize_writes_nothing(tmp_path, files):
    led = Ledger.init(tmp_path / "l")
    bad = write_csv(tmp_path / "bad.csv", [dict(r, qty=5000 if r["id"] == 21 else r["qty"])
                                           for r in files["rows"]])
    with pytest.raises(InputError) as info:
        led.notarize_dataset(bad, "bad", **STATEMENT)
    assert "bad.csv" in str(info.value) and "row 21" in str(info.value) and "qty" in str(info.value)
    assert led.size == 0 and led.verify_chain().ok
    assert not any((tmp_path / "l" / "vkeys").iterdir())
    with pytest.raises(ValidationError):
        led.notarize_dataset(files["clean"], "x", shard_rows=3)
    with pytest.raises(InputError, match="name"):
        led.notarize_dataset(files["clean"], "bad name", **STATEMENT)
    assert led.size == 0


# --- verify ---

def test_verify_entry_with_and_without_data(ledger, sales, files):
    report = ledger.verify(sales.entry_id)
    assert report.ok and report.error is None
    assert report.checks == ("checkpoint", "entry", "inclusion", "structure", "proofs")
    with_data = ledger.verify(sales.entry_id[:10], data=files["sales"])
    assert with_data.ok and with_data.checks[-2:] == ("data", "commitments")
    cp = verify_checkpoint(with_data.checkpoint, ledger.verifier)
    assert cp.size == with_data.tree_size == ledger.size


def test_verify_with_modified_file_fails(ledger, sales, files, tmp_path):
    changed = tmp_path / "sales.csv"
    changed.write_bytes(files["sales"].read_bytes().replace(b"item-7,", b"item-8,"))
    report = ledger.verify("sales", data=changed)
    assert not report.ok and "sha256" in report.error and "changed" in report.error
    assert report.checks == ("checkpoint", "entry", "inclusion")
    with pytest.raises(InputError, match="not found|cannot read|No such"):
        ledger.verify("sales", data=tmp_path / "missing.csv")


def test_inclusion_proof_verifies_under_signed_checkpoint(ledger, sales):
    proof = ledger.inclusion_proof(f"#{sales.log_index}")
    cp = verify_checkpoint(proof.checkpoint, ledger.verifier)
    assert cp.size == proof.tree_size and cp.root.hex() == proof.root
    leaf = merkle.SHA256.leaf(ledger.journal.data(sales.log_index))
    assert leaf.hex() == proof.leaf_hash
    merkle.verify_inclusion(merkle.SHA256, proof.leaf_index, proof.tree_size, leaf,
                            [bytes.fromhex(h) for h in proof.proof], cp.root)


def _copy(src: Path, dst: Path) -> Ledger:
    shutil.copytree(src, dst)
    return Ledger(dst)


def test_rollback_and_fork_are_caught(tmp_path, files):
    a = Ledger.init(tmp_path / "a")
    a.notarize_dataset(files["clean"], "clean", **STATEMENT)
    assert a.verify("clean").ok
    b = _copy(a.path, tmp_path / "b")
    b.recertify("clean")
    assert b.verify("clean").ok  # b now remembers a checkpoint at size 2
    rolled = tmp_path / "rolled"
    shutil.copytree(a.path, rolled)  # a's log (size 1) with b's memory
    shutil.copy(b.path / "state" / "last-checkpoint", rolled / "state" / "last-checkpoint")
    report = Ledger(rolled).verify("clean")
    assert not report.ok and "rolled back" in report.error
    a.recertify("clean", files["sales"])  # a different entry 1: a fork of b's log
    forked = tmp_path / "forked"
    shutil.copytree(a.path, forked)
    shutil.copy(b.path / "state" / "last-checkpoint", forked / "state" / "last-checkpoint")
    report = Ledger(forked).verify("clean")
    assert not report.ok and "forked" in report.error
    assert not Ledger(forked).verify_chain().ok


# --- split ---

def test_split_records_children_and_verifies(ledger, sales, files):
    size = ledger.size
    done = ledger.record_split("sales", [("sales-even", str(files["even"])),
                                         ("sales-odd", str(files["odd"]))], 7, "even-odd")
    assert isinstance(done.entry, SplitEntry) and done.log_index == size + 2
    assert [(c.name, c.version, c.ratio) for c in done.entry.children] == [
        ("sales-even", 1, 0.5), ("sales-odd", 1, 0.5)]
    assert done.entry.parent == sales.entry.dataset.dataset_id
    even = ledger.entry("sales-even").entry.notarization
    assert even.statement == sales.entry.notarization.statement  # the parent's statement
    report = ledger.verify(done.entry_id)
    assert report.ok and report.checks[-2:] == ("lineage", "sums")
    assert set(descendants(ledger.journal, done.entry.parent)) == {
        c.dataset_id for c in done.entry.children}


def test_split_sum_mismatch_is_rejected_and_nothing_written(ledger, files):
    size = ledger.size
    with pytest.raises(VerificationError, match="rows together"):
        ledger.record_split("sales", [("e", str(files["even"])), ("o", str(files["odd_short"]))],
                            1, "m")
    with pytest.raises(VerificationError, match="column qty.*add up to"):
        ledger.record_split("sales", [("e", str(files["even"])),
                                      ("o", str(files["odd_changed"]))], 1, "m")
    assert ledger.size == size and ledger.journal.notarized("e") is None


def test_split_children_must_prove_the_same_columns(ledger, files):
    other = ledger.notarize_dataset(files["odd"], "odd-qty-only", columns="qty",
                                    bounds={"qty": ("0", "1000")}, shard_rows=16)
    size = ledger.size
    with pytest.raises(InputError, match="proves qty.*the parent proves price"):
        ledger.record_split("sales", [("e", str(files["even"])), other.entry_id], 1, "m")
    assert ledger.size == size


# --- transform and lineage ---

def test_transform_lineage_and_cycle(ledger, files, tmp_path):
    clean = ledger.notarize_dataset(files["clean"], "sales-clean", **STATEMENT)
    code = tmp_path / "clean.py"
    code.write_text("df = df.head(30)\n")
    done = ledger.record_transform(["sales"], "sales-clean", "head",
                                   {"n": 30, "why": "drop tail"}, code_hash_of(code))
    assert isinstance(done.entry, TransformEntry)
    assert done.entry.code_hash == "sha256:" + hashlib.sha256(code.read_bytes()).hexdigest()
    assert done.entry.output == clean.dataset_id and done.entry.parameters["n"] == 30
    assert ledger.verify(done.entry_id).ok
    sales_id = ledger.entry("sales").entry.dataset.dataset_id
    assert ancestors(ledger.journal, clean.dataset_id) == (sales_id,)
    assert clean.dataset_id in descendants(ledger.journal, sales_id)
    size = ledger.size
    with pytest.raises(InputError, match="cycle"):
        ledger.record_transform(["sales-clean"], "sales", "undo", {}, code_hash_of(code))
    with pytest.raises(InputError, match="no entry or notarized dataset"):
        ledger.record_transform(["nope"], "sales", "x", {}, code_hash_of(code))
    with pytest.raises(InputError, match="code_hash"):
        ledger.record_transform(["sales"], "sales-clean", "x", {}, "md5:abc")
    assert ledger.size == size


# --- recertify ---

def test_recertify_statuses(tmp_path, files):
    led = Ledger.init(tmp_path / "l")
    data = tmp_path / "data.csv"
    shutil.copy(files["clean"], data)
    target = led.notarize_dataset(data, "d", **STATEMENT)
    ok = led.recertify("d")
    assert (ok.entry.status, ok.entry.target, ok.entry.reason) == ("ok", target.entry_id, None)
    assert ok.entry.row_root == target.notarization.row_root
    data.write_bytes(files["sales"].read_bytes())
    changed = led.recertify("d")
    assert changed.entry.status == "changed"
    assert changed.entry.file_sha256 == hashlib.sha256(data.read_bytes()).hexdigest()
    assert changed.entry.row_root == digest_file(data).blake3_root
    data.unlink()
    missing = led.recertify("d")
    assert (missing.entry.status, missing.entry.file_sha256) == ("missing", None)
    assert all(led.verify(f"#{i}").ok for i in range(led.size))


# --- audit ---

def test_audit_trail_walks_lineage_both_ways(tmp_path, files):
    led = Ledger.init(tmp_path / "l")
    led.notarize_dataset(files["sales"], "sales", **STATEMENT)
    led.record_split("sales", [("even", str(files["even"])), ("odd", str(files["odd"]))], 3,
                     "even-odd")
    led.notarize_dataset(files["clean"], "unrelated", **STATEMENT)
    from_child = led.audit_trail("even")
    # its parent and the split, not its sibling's notarization
    assert [e.log_index for e in from_child.entries] == [0, 1, 3]
    assert [e.log_index for e in led.audit_trail("unrelated").entries] == [4]
    walk = related(led.journal, [led.entry("odd").entry.dataset.dataset_id])
    assert len(walk.datasets) == 2 and len(walk.edges) == 1  # odd and its parent; not "even"
    assert [e.log_index for e in led.audit_trail(AuditQuery.make(entry="#3")).entries] == \
        [0, 1, 2, 3]
    t3 = led.entry("#3").entry.time
    assert [e.log_index for e in led.audit_trail(AuditQuery.make(since=t3)).entries] == [3, 4]
    assert [e.log_index for e in led.audit_trail(
        AuditQuery.make(dataset="sales", until=t3)).entries] == [0, 1, 2]
    trail = led.audit_trail("sales", verify=True)
    assert len(trail.verdicts) == 4 and all(v.ok for v in trail.verdicts.values())
    cp = verify_checkpoint(trail.checkpoint, led.verifier)
    for e in trail.entries:
        merkle.verify_inclusion(merkle.SHA256, e.log_index, cp.size,
                                merkle.SHA256.leaf(led.journal.data(e.log_index)),
                                [bytes.fromhex(h) for h in e.inclusion.hashes], cp.root)
    report = led.generate_audit_report("sales", "json")
    assert [e.entry_id for e in load_trail(report).entries] == [e.entry_id for e in trail.entries]
    with pytest.raises(InputError, match="format"):
        led.generate_audit_report("sales", "pdf")
    with pytest.raises(InputError, match="not both"):
        AuditQuery.make(dataset="a", entry="#1")
    with pytest.raises(InputError, match="not a date"):
        AuditQuery.make(since="yesterday")
