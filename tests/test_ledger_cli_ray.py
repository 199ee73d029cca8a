"""`zkp-ledger notarize FILE... --executor ray` and `recertify --all --executor ray` on a real
local Ray (no mocks), plus the multi-file spellings and usage errors that need no Ray.

- several files in one command: one name each, all recorded or none;
- on Ray the roots, sums and commitments equal the in-process notarization of the same files in
  the same ledger (the same notary secret), and the proofs verify;
- a console started by the CLI itself (no address: local Ray) and one joining a running Ray
  with --ray-address, as real subprocesses;
- bad data on Ray exits 3 naming the shard, row and column, and records nothing;
- the live bar (drawn on a forced terminal) names each file's scan and proof maps;
- recertify --all rescans the Parquet file on the prover actors.

Lean on purpose (a 2-core machine): tiny files, shards of 8 rows, one Ray of 2 CPUs for the
module, two actors.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numba.core.config
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from rich.console import Console
from typer.testing import CliRunner

from ledger.api import Ledger
from ledger.cli import app

ROOT = Path(__file__).resolve().parents[1]
OPTIONS = ["--columns", "price,qty", "--scale", "price=2", "--bounds", "price=-50:50",
           "--bounds", "qty=0:1000", "--shard-rows", "8"]
SAME = ("sha256", "blake3_root", "commitment_root", "dataset_id", "rows", "proofs",
        "statement", "shard_rows")


def _rows(n: int, bad_row: int | None = None) -> list[dict]:
    rows = [{"id": i, "price": (i * 7919 % 9999 - 4999) / 100, "label": f"item-{i}",
             "qty": i * 37 % 1001} for i in range(n)]
    if bad_row is not None:
        rows[bad_row]["price"] = 75.0  # above the statement's bound of 50
    return rows


def _csv(path: Path, rows: list[dict]) -> Path:
    with open(path, "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows({**r, "price": f"{r['price']:.2f}"} for r in rows)
    return path


def _parquet(path: Path, rows: list[dict]) -> Path:
    pq.write_table(pa.Table.from_pylist(rows), path, row_group_size=12)  # shards straddle groups
    return path


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    """Ray without token auth, its sockets under a short folder; one key cache; 2 actors."""
    mp = pytest.MonkeyPatch()
    ray_tmp = f"/tmp/zl{os.getpid()}"
    for name, value in {"RAY_AUTH_MODE": "disabled", "RAY_TMPDIR": ray_tmp,
                        "ZKP_LEDGER_CACHE": str(tmp_path_factory.mktemp("keys")),
                        "ZKP_LEDGER_CLUSTER_ACTORS_COUNT": "2",
                        "ZKP_LEDGER_CLUSTER_LOCAL_NUM_CPUS": "2",
                        "NUMBA_CACHE_DIR": numba.core.config.CACHE_DIR,
                        "PYTHONWARNINGS": "ignore::DeprecationWarning"}.items():
        mp.setenv(name, value)
    yield
    mp.undo()
    shutil.rmtree(ray_tmp, ignore_errors=True)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("data")
    return {"csv": _csv(d / "a.csv", _rows(20)), "parquet": _parquet(d / "b.parquet", _rows(40)),
            "bad": _parquet(d / "bad.parquet", _rows(40, bad_row=19))}


@pytest.fixture(scope="module")
def world(env, files, tmp_path_factory):
    """A ledger holding the in-process notarizations the Ray runs must reproduce."""
    ledger = tmp_path_factory.mktemp("ray-cli") / "ledger"
    ok_json(ledger, "init")
    refs = ok_json(ledger, "notarize", files["csv"], files["parquet"], "--name", "ref-a",
                   "--name", "ref-b", *OPTIONS)
    return {"ledger": ledger, "refs": refs}


def invoke(ledger: Path, *args):
    result = CliRunner().invoke(app, ["--ledger", str(ledger), *map(str, args)])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def ok_json(ledger: Path, *args):
    result = invoke(ledger, *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def zkp(ledger: Path, *args) -> subprocess.CompletedProcess:
    """The real console in its own process (its own driver, its own Ray connection)."""
    return subprocess.run([sys.executable, "-m", "ledger", "--ledger", str(ledger),
                           *map(str, args)], cwd=ROOT, capture_output=True, text=True,
                          timeout=600, env=dict(os.environ))


def _same_as_reference(results: list[dict], refs: list[dict]) -> None:
    assert len(results) == len(refs)
    for got, ref in zip(results, refs, strict=True):
        assert {k: got[k] for k in SAME} == {k: ref[k] for k in SAME}
        assert got["entry_id"] != ref["entry_id"]


# --- no Ray needed ---

def test_several_files_one_name_each(env, files, tmp_path):
    ledger = tmp_path / "ledger"
    ok_json(ledger, "init")
    listed = ok_json(ledger, "notarize", files["csv"], files["parquet"], "--name-prefix",
                     "team/", *OPTIONS)
    assert [(r["name"], r["version"], r["file"]) for r in listed] == [
        ("team/a", 1, str(files["csv"])), ("team/b", 1, str(files["parquet"]))]
    assert [r["log_index"] for r in listed] == [0, 1]
    one = ok_json(ledger, "notarize", files["csv"], "--name", "team/a", *OPTIONS)
    assert isinstance(one, dict) and one["version"] == 2  # one FILE: one object, as before
    text = invoke(ledger, "notarize", files["csv"], files["parquet"], "--name", "x",
                  "--name", "y", *OPTIONS)
    assert text.exit_code == 0
    assert f"notarized {files['csv']} as x@1" in text.stdout
    assert f"notarized {files['parquet']} as y@1" in text.stdout


def test_several_files_are_all_or_nothing(env, files, tmp_path):
    ledger = tmp_path / "ledger"
    ok_json(ledger, "init")
    bad = invoke(ledger, "notarize", files["csv"], files["bad"], "--name", "a", "--name", "b",
                 *OPTIONS)
    assert bad.exit_code == 3, bad.output
    assert "row 19" in bad.stderr and "column price" in bad.stderr
    assert ok_json(ledger, "log") == []


def test_usage_errors_exit_2_before_any_work(env, files, tmp_path):
    ledger = tmp_path / "ledger"
    ok_json(ledger, "init")
    a, b = files["csv"], files["parquet"]
    for args in ([a, b, "--name", "x"],  # one name for two files
                 [a, "--name", "x", "--name-prefix", "p-"],
                 [a, b],  # no name at all
                 [a, "--name", "x", "--ray-address", "auto"],  # address without Ray
                 [a, "--name", "x", "--executor", "ray", "--workers", "2"],
                 [a, "--name", "x", "--executor", "in-process", "--workers", "2"],
                 [a, "--name", "x", "--executor", "spark"]):
        result = invoke(ledger, "notarize", *args, *OPTIONS)
        assert result.exit_code == 2, (args, result.output)
    twice = invoke(ledger, "notarize", a, b, "--name", "x", "--name", "x", *OPTIONS)
    assert twice.exit_code == 3 and "more than one file" in twice.stderr
    assert ok_json(ledger, "log") == []


# --- on Ray ---

@pytest.mark.ray
def test_cli_starts_a_local_ray_and_matches_in_process(world, files):
    """No address and no Ray running in that process: the CLI starts one, and stops it."""
    done = zkp(world["ledger"], "notarize", files["csv"], files["parquet"], "--name", "a",
               "--name", "b", "--executor", "ray", "--json", *OPTIONS)
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)
    _same_as_reference(results, world["refs"])
    for r in results:
        assert ok_json(world["ledger"], "verify", r["entry_id"])["valid"] is True


@pytest.fixture(scope="module")
def ray_session(env):
    """One Ray in this process: CLI calls in this process join it (and leave it running).
    Its workers' output is not forwarded here, where it could land in a CLI call's stdout."""
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield ray.get_runtime_context().gcs_address
    ray.shutdown()


@pytest.mark.ray
def test_live_bar_names_each_map(ray_session, world, files):
    """The CLI's runner and bar on a forced terminal, through the API, on the Ray above."""
    from ledger.cli_executor import cli_runner
    from ledger.cli_progress import cluster_bar

    screen = Console(file=io.StringIO(), force_terminal=True, width=160)
    ledger = Ledger(world["ledger"])
    with cluster_bar(True, screen) as bar, cli_runner("ray", None, None, bar=bar) as runner:
        (result,) = ledger.notarize_datasets(
            [(files["parquet"], "barred")], columns=["price", "qty"], scale={"price": 2},
            bounds={"price": ("-50", "50"), "qty": ("0", "1000")}, shard_rows=8,
            executor=runner)
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", screen.file.getvalue())  # no colours
    assert "b.parquet: scan" in text and "b.parquet: prove" in text
    assert re.search(r"5/5 shards, 0 running, \d+ retried", text), text[-2000:]
    _same_as_reference([result.to_json()], world["refs"][1:])


@pytest.mark.ray
def test_recertify_all_rescans_on_ray(ray_session, world, files, tmp_path):
    from cluster.ray_executor import RayExecutor

    ledger = Ledger.init(tmp_path / "ledger")  # the API: this process's Ray prints on stdout
    gone = _csv(tmp_path / "gone.csv", _rows(12))
    ledger.notarize_datasets([(files["parquet"], "pq"), (gone, "gone")],
                             columns=["price", "qty"], scale={"price": 2},
                             bounds={"price": ("-50", "50"), "qty": ("0", "1000")}, shard_rows=8)
    gone.unlink()
    with RayExecutor(actors=2, backup_after=0) as ex:  # an executor object scans too
        report = ledger.recertify_all(executor=ex)
        placement = ex.last_report.placement
    assert [(d.name, d.status) for d in report.datasets] == [("pq", "ok"), ("gone", "missing")]
    assert report.executor == "ray" and len(placement) == 5  # the Parquet scan: 5 shard jobs
    # the nightly spelling, a separate driver joining this Ray by address
    out = tmp_path / "reports" / "2026-11-27"
    done = zkp(ledger.path, "recertify", "--all", "--executor", "ray", "--ray-address",
               ray_session, "--report", out, "--json")
    assert done.returncode == 1, done.stderr
    night = json.loads(done.stdout)
    assert night["executor"] == "ray" and night["recorded"] is True
    assert [(d["name"], d["status"]) for d in night["datasets"]] == [("pq", "ok"),
                                                                     ("gone", "missing")]
    assert json.loads((out / "recertify-report.json").read_text()) == night
    assert "pq@1" in (out / "recertify-report.html").read_text()
    import ray
    assert ray.is_initialized()  # the joining driver left the cluster running


@pytest.mark.ray
def test_bad_data_on_ray_names_shard_row_and_records_nothing(ray_session, files, tmp_path):
    ledger = Ledger.init(tmp_path / "ledger").path
    result = invoke(ledger, "notarize", files["csv"], files["bad"], "--name", "good",
                    "--name", "bad", "--executor", "ray", *OPTIONS)
    assert result.exit_code == 3, result.output
    # the error is the last line; above it Ray may report the actors stopped mid-shard
    errors = [ln for ln in result.stderr.splitlines() if ln.startswith("error: ")]
    assert errors == [result.stderr.splitlines()[-1]], result.stderr
    # row 19 is in shard 2 (rows 16..23); the worker that scanned it names it
    assert errors[0].startswith(f"error: file {files['bad']}, row 19 (0-based), column price: "
                                f"shard 2: "), errors
    assert Ledger(ledger).size == 0  # nothing recorded, not even the good file
