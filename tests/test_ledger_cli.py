"""`zkp-ledger init | notarize | digest | row-proof | proof | checkpoint | pubkey | verify |
verify-chain` as a user runs them: the issue's flag and JSON-field spellings, exit codes
(0 ok, 1 invalid, 2 usage, 3 input), and outputs checked by independent code: an RFC 9162
inclusion verifier written here over `blake3` (row proofs) and `hashlib` (log proofs), and the
checkpoint's Ed25519 signature checked with `cryptography` directly."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import blake3
import numba.core.config
import pytest
import rfc8785
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from typer.testing import CliRunner

from engine import merkle
from kernels.backend import cuda_available
from ledger.cli import app
from ledger.log import index_key
from ledger.store import Store
from support.items import item_rows, key_cache, write_csv  # noqa: F401 (key_cache: autouse fixture)

ROOT = Path(__file__).resolve().parents[1]
NOTARIZE = ["--columns", "price,qty", "--scale", "price=2", "--bounds", "price=-50:50",
            "--bounds", "qty=0:1000", "--shard-rows", "16"]


def invoke(ledger: Path | None, *args) -> object:
    """Run the CLI in this process; a Python exception (not an exit) fails the test."""
    argv = (["--ledger", str(ledger)] if ledger else []) + [str(a) for a in args]
    result = CliRunner().invoke(app, argv)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def ok_json(ledger: Path | None, *args) -> dict:
    result = invoke(ledger, *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def one_line_error(result, code: int) -> str:
    assert result.exit_code == code, result.output
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


# --- independent verifiers ---

def rfc9162_verify(h, leaf_index: int, tree_size: int, leaf_hash: bytes, path: list[bytes],
                   root: bytes) -> bool:
    """RFC 9162 section 2.1.3.2, written from the RFC (bit walking, not engine.merkle's)."""
    if leaf_index >= tree_size:
        return False
    fn, sn, r = leaf_index, tree_size - 1, leaf_hash
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = h(b"\x01" + p + r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = h(b"\x01" + r + p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root


def b3(data: bytes) -> bytes:
    return blake3.blake3(data).digest()


def sha(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def open_checkpoint(note: str, vkey: str) -> tuple[str, int, bytes]:
    """Check a C2SP signed checkpoint with `cryptography` Ed25519; (origin, size, root)."""
    name, key_id, key64 = vkey.split("+", 2)  # names hold no "+", base64 may
    key = base64.b64decode(key64)
    assert key[0] == 1 and len(key) == 33
    assert hashlib.sha256(name.encode() + b"\n" + key).digest()[:4].hex() == key_id
    text, sigs = note.split("\n\n", 1)
    text += "\n"
    (line,) = sigs.splitlines()
    signer, sig64 = line.removeprefix("\u2014 ").split(" ")
    raw = base64.b64decode(sig64)
    assert signer == name and raw[:4].hex() == key_id
    Ed25519PublicKey.from_public_bytes(key[1:]).verify(raw[4:], text.encode())  # raises if bad
    origin, size, root64 = text.splitlines()
    return origin, int(size), base64.b64decode(root64)


# --- fixtures: one ledger with one notarized file ---

@pytest.fixture(scope="module")
def world(tmp_path_factory):
    d = tmp_path_factory.mktemp("cli")
    rows = item_rows(37)
    data = write_csv(d / "sales.csv", rows)
    init = ok_json(d / "ledger", "init", "--origin", "test.example/cli")
    notarized = ok_json(d / "ledger", "notarize", data, "--name", "sales", *NOTARIZE)
    return {"dir": d, "ledger": d / "ledger", "data": data, "rows": rows, "init": init,
            "notarized": notarized}


def test_init_json(world):
    init = world["init"]
    assert init["origin"] == "test.example/cli" and init["ledger"] == str(world["ledger"])
    assert init["pubkey"].startswith("test.example/cli+")
    assert one_line_error(invoke(world["ledger"], "init"), 3).endswith("is already a ledger")


def test_notarize_json_fields_and_values(world):
    info, rows = world["notarized"], world["rows"]
    sha256 = hashlib.sha256(world["data"].read_bytes()).hexdigest()
    assert {"entry_id", "log_index", "dataset_id", "rows", "sha256", "blake3_root",
            "commitment_root", "proofs", "statement"} <= info.keys()
    assert (info["rows"], info["proofs"], info["log_index"], info["sha256"]) == (37, 3, 0, sha256)
    assert info["dataset_id"] == "ds-" + hashlib.sha256(
        f"{sha256}:{info['blake3_root']}".encode()).hexdigest()[:32]
    assert info["statement"] == {
        "price": {"count": 37, "sum": int(sum(Decimal(r["price"]) for r in rows) * 100),
                  "lo": -5000, "hi": 5000, "scale": 2},
        "qty": {"count": 37, "sum": sum(r["qty"] for r in rows), "lo": 0, "hi": 1000,
                "scale": 0}}
    assert len(info["commitment_root"]) == 64 and len(info["entry_id"]) == 64


def test_digest_matches_notarize(world):
    info = ok_json(None, "digest", world["data"])
    n = world["notarized"]
    assert (info["rows"], info["sha256"], info["blake3_root"], info["dataset_id"]) == (
        n["rows"], n["sha256"], n["blake3_root"], n["dataset_id"])
    text = invoke(None, "digest", world["data"])
    assert text.exit_code == 0 and n["blake3_root"] in text.stdout
    assert "bad.txt" in one_line_error(invoke(None, "digest", world["dir"] / "bad.txt"), 3)


@pytest.mark.parametrize("row", [0, 5, 36])
def test_row_proof_verifies_independently(world, row):
    info = ok_json(world["ledger"], "row-proof", world["notarized"]["entry_id"][:12], row,
                   "--data", world["data"])
    assert {"row_index", "row_bytes", "leaf_hash", "proof", "root"} <= info.keys()
    row_bytes = bytes.fromhex(info["row_bytes"])
    assert int.from_bytes(row_bytes[:8], "little") == row == info["row_index"]  # u64 row index
    assert int.from_bytes(row_bytes[8:12], "little") == 4  # id, price, label, qty
    assert f"item-{row}".encode() in row_bytes
    leaf = b3(b"\x00" + row_bytes)
    assert leaf.hex() == info["leaf_hash"] and info["root"] == world["notarized"]["blake3_root"]
    path = [bytes.fromhex(h) for h in info["proof"]]
    assert rfc9162_verify(b3, row, 37, leaf, path, bytes.fromhex(info["root"]))
    merkle.verify_inclusion(merkle.BLAKE3, row, 37, leaf, path, bytes.fromhex(info["root"]))
    assert not rfc9162_verify(b3, row ^ 1, 37, leaf, path, bytes.fromhex(info["root"]))


def test_row_proof_errors(world, tmp_path):
    ledger, data = world["ledger"], world["data"]
    err = one_line_error(invoke(ledger, "row-proof", "sales", 37, "--data", data), 3)
    assert "row 37" in err and "37 rows" in err
    other = write_csv(tmp_path / "other.csv", item_rows(37)[::-1])
    assert "not the notarized ones" in one_line_error(
        invoke(ledger, "row-proof", "sales", 1, "--data", other), 1)
    assert invoke(ledger, "row-proof", "sales", "x", "--data", data).exit_code == 2


def test_proof_verifies_with_rfc9162_and_ed25519(world):
    ledger = world["ledger"]
    vkey = invoke(ledger, "pubkey").stdout.strip()
    assert vkey == (ledger / "keys" / "ledger.pub").read_text().strip()
    info = ok_json(ledger, "proof", "#0")
    assert {"leaf_index", "tree_size", "leaf_hash", "proof", "root", "checkpoint"} <= info.keys()
    origin, size, root = open_checkpoint(info["checkpoint"], vkey)
    assert (origin, size, root.hex()) == ("test.example/cli", info["tree_size"], info["root"])
    show = ok_json(ledger, "show", "#0")
    canonical = rfc8785.dumps(show["entry"])  # the leaf; its sha256 is the entry id
    assert hashlib.sha256(canonical).hexdigest() == info["entry_id"] == show["entry_id"]
    leaf = sha(b"\x00" + canonical)
    assert leaf.hex() == info["leaf_hash"]
    path = [bytes.fromhex(h) for h in info["proof"]]
    assert rfc9162_verify(sha, info["leaf_index"], size, leaf, path, root)


def test_checkpoint_and_pubkey_json(world):
    ledger = world["ledger"]
    note = invoke(ledger, "checkpoint").stdout
    pub = ok_json(ledger, "pubkey")
    origin, size, root = open_checkpoint(note, pub["vkey"])
    cp = ok_json(ledger, "checkpoint")
    assert (cp["origin"], cp["tree_size"], cp["root"]) == (origin, size, root.hex())
    assert pub["name"] == origin and len(pub["public_key"]) == 64


def test_verify_exit_codes(world, tmp_path):
    ledger, data = world["ledger"], world["data"]
    report = ok_json(ledger, "verify", "sales", "--data", data)
    assert report["valid"] and "data" in report["checks"] and report["error"] is None
    assert invoke(ledger, "verify", "sales").exit_code == 0
    changed = tmp_path / "sales.csv"
    changed.write_bytes(data.read_bytes().replace(b"item-3,", b"item-4,"))
    bad = invoke(ledger, "verify", "sales", "--data", changed, "--json")
    assert bad.exit_code == 1 and not json.loads(bad.stdout)["valid"]
    assert "sha256" in json.loads(bad.stdout)["error"]
    assert "missing.csv" in one_line_error(
        invoke(ledger, "verify", "sales", "--data", tmp_path / "missing.csv"), 3)
    assert "no entry or notarized dataset" in one_line_error(invoke(ledger, "verify", "nope"), 3)
    assert "#99" in one_line_error(invoke(ledger, "verify", "#99"), 3)


def test_verify_chain_ok(world):
    info = ok_json(world["ledger"], "verify-chain")
    assert info["valid"] and info["tree_size"] >= 1 and info["problems"] == []


def test_bad_input_exits_3_and_writes_nothing(world, tmp_path):
    ledger = world["ledger"]
    before = ok_json(ledger, "verify-chain")["tree_size"]
    for row, column, value in ((20, "qty", 1001), (30, "price", "77.00"), (9, "price", "1.234")):
        rows = item_rows(37)
        rows[row][column] = value
        bad = write_csv(tmp_path / f"bad{row}.csv", rows)
        err = one_line_error(invoke(ledger, "notarize", bad, "--name", "bad", *NOTARIZE), 3)
        assert f"bad{row}.csv" in err and f"row {row}" in err and f"column {column}" in err
    rows = item_rows(37)
    rows[0]["qty"] = "lots"  # CSV types come from the first block: qty is now a string column
    text = write_csv(tmp_path / "text.csv", rows)
    err = one_line_error(invoke(ledger, "notarize", text, "--name", "text", *NOTARIZE), 3)
    assert "text.csv" in err and "column qty" in err and "cannot be proved" in err
    err = one_line_error(invoke(ledger, "notarize", world["data"], "--name", "x",
                                "--columns", "nosuch"), 3)
    assert "nosuch" in err
    assert ok_json(ledger, "verify-chain")["tree_size"] == before


def test_usage_errors_exit_2(world):
    ledger, data = world["ledger"], world["data"]
    assert invoke(ledger, "notarize", data).exit_code == 2  # --name missing
    assert "shard_rows" in one_line_error(
        invoke(ledger, "notarize", data, "--name", "x", "--shard-rows", "3"), 2)
    assert "scale" in one_line_error(
        invoke(ledger, "notarize", data, "--name", "x", "--scale", "price"), 2)
    if not cuda_available()[0]:  # on a GPU machine --backend cuda is a valid choice
        assert "cuda" in one_line_error(
            invoke(ledger, "notarize", data, "--name", "x", "--backend", "cuda"), 2)
    assert invoke(ledger, "no-such-command").exit_code == 2


def test_uninitialised_ledger_exit_3(tmp_path):
    err = one_line_error(invoke(tmp_path / "none", "log"), 3)
    assert "not an initialised ledger" in err and "init" in err


def test_tampered_entry_fails_verify_and_chain(tmp_path, world):
    ledger = tmp_path / "ledger"
    ok_json(ledger, "init")
    ok_json(ledger, "notarize", world["data"], "--name", "a", *NOTARIZE)
    ok_json(ledger, "recertify", "a")
    store = Store(ledger / "lmdb", create=False)
    with store.read() as txn:
        data = bytes(txn.get(index_key(0), db=store.db("entries")))
    forged = data.replace(b'"name":"a"', b'"name":"b"')
    store.write(lambda txn: txn.put(index_key(0), forged, db=store.db("entries")))
    chain = invoke(ledger, "verify-chain", "--json")
    assert chain.exit_code == 1
    assert any(p.startswith("entry 0 ") for p in json.loads(chain.stdout)["problems"])
    assert invoke(ledger, "verify-chain").exit_code == 1
    report = invoke(ledger, "verify", "#0", "--json")
    assert report.exit_code == 1 and "entry 0" in json.loads(report.stdout)["error"]


def test_ledger_from_environment_and_subprocess_exit_codes(world, tmp_path):
    """The real console process: ZKP_LEDGER_DIR selects the ledger; exit codes as documented."""
    env = dict(os.environ, ZKP_LEDGER_DIR=str(world["ledger"]),
               NUMBA_CACHE_DIR=numba.core.config.CACHE_DIR)
    changed = tmp_path / "c.csv"
    changed.write_bytes(world["data"].read_bytes().replace(b"item-1,", b"item-9,"))

    def run(*args):
        return subprocess.run([sys.executable, "-m", "ledger", *map(str, args)], cwd=ROOT,
                              env=env, capture_output=True, text=True, timeout=600)

    good = run("verify", "sales", "--data", world["data"])
    assert good.returncode == 0 and "valid" in good.stdout, good.stderr
    bad = run("verify", "sales", "--data", changed)
    assert bad.returncode == 1 and "INVALID" in bad.stdout
    missing = run("show", "nope")
    assert missing.returncode == 3 and missing.stderr.startswith("error: ")
    assert "Traceback" not in missing.stderr + bad.stderr
