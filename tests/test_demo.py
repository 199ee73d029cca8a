"""`zkp-ledger demo` (the README's main job) on a small dataset: it notarizes, splits, verifies
and audits into the --ledger directory, exits 0, and a second run adds versions."""

from __future__ import annotations

import hashlib
import json

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from ledger.api import Ledger
from ledger.cli import app
from ledger.demo import sample_table


@pytest.fixture(scope="module", autouse=True)
def key_cache(tmp_path_factory):
    path = tmp_path_factory.getbasetemp() / "ledger-cli-key-cache"
    path.mkdir(exist_ok=True)
    mp = pytest.MonkeyPatch()
    mp.setenv("ZKP_LEDGER_CACHE", str(path))
    yield path
    mp.undo()


def run_demo(ledger, *args):
    result = CliRunner().invoke(app, ["--ledger", str(ledger), "demo", "--rows", "64",
                                      "--shard-rows", "16", *args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def test_demo_end_to_end(tmp_path):
    ledger = tmp_path / "ledger"
    result = run_demo(ledger, "--json")
    assert result.exit_code == 0, result.output
    info = json.loads(result.stdout)
    assert info["valid"] and info["verify"]["valid"] and "data" in info["verify"]["checks"]
    sales = ledger / "demo-data" / "sales.parquet"
    table = pq.read_table(sales)
    assert table.equals(sample_table(64))
    notarized = info["notarize"]
    assert (notarized["rows"], notarized["proofs"]) == (64, 4)
    assert notarized["sha256"] == hashlib.sha256(sales.read_bytes()).hexdigest()
    cents = round(sum(table.column("price").to_pylist()) * 100)
    assert notarized["statement"]["price"]["sum"] == cents
    assert notarized["statement"]["qty"]["sum"] == sum(table.column("qty").to_pylist())
    children = info["split"]["entry"]["children"]
    assert [c["name"] for c in children] == ["sales-train", "sales-test"]
    assert sum(c["ratio"] for c in children) == pytest.approx(1.0)
    assert info["row_proof"]["root"] == notarized["blake3_root"]
    assert info["audit_entries"] == 4
    assert Ledger(ledger).verify_chain().ok

    again = run_demo(ledger)
    assert again.exit_code == 0, again.output
    assert "sales@2" in again.stdout and "audit:" in again.stdout and "valid" in again.stdout
    assert Ledger(ledger).entry("sales").entry.dataset.version == 2
