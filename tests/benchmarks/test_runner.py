"""The benchmark runner end to end on the smoke profile: every stage timed, the notarization
verified against the data and secret, and results.json written with the machine named."""

import json

import pytest

from benchmarks.runner import STAGES, load_config, main


@pytest.fixture(autouse=True)
def key_cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("ZKP_LEDGER_CACHE", str(tmp_path / "cache"))


def test_smoke_profile_times_every_stage(tmp_path, capsys):
    assert load_config().profiles["smoke"].rows == 2_000
    out = tmp_path / "out"
    main(["--profile", "smoke", "--shard-rows", "128", "--out", str(out), "--json"])
    results = json.loads((out / "results.json").read_text())
    assert json.loads(capsys.readouterr().out) == results
    assert (results["rows"], results["shard_rows"], results["shards"]) == (2_000, 128, 16)
    assert set(results["stages_s"]) == set(STAGES)
    assert all(seconds > 0 for seconds in results["stages_s"].values())
    assert results["verified"] == ["structure", "proofs", "data", "commitments"]
    assert results["constraints_per_shard"] > 128 * 3 * 2  # range checks alone: 2b + 2 per value
    assert results["machine"]["cpu_count"] >= 1 and results["machine"]["platform"]
    assert results["peak_memory_mib"]["driver_rss"] > 0
