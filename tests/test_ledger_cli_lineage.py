"""`zkp-ledger transform | split | recertify | log | show | audit | export` as a user runs them:
flags as documented in docs/ledger.md, exit codes, split sums enforced with nothing written on
failure, audit walking lineage both ways, and every export format written to -o FILE."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ledger.cli import app
from ledger.export.json_export import load_trail
from support.items import item_rows, key_cache, write_csv  # noqa: F401 (key_cache: autouse fixture)

NOTARIZE = ["--columns", "price,qty", "--scale", "price=2", "--bounds", "price=-50:50",
            "--bounds", "qty=0:1000", "--shard-rows", "16"]


def invoke(ledger: Path, *args):
    result = CliRunner().invoke(app, ["--ledger", str(ledger), *map(str, args)])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def ok_json(ledger: Path, *args):
    result = invoke(ledger, *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def error_line(result, code: int) -> str:
    assert result.exit_code == code, result.output
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    d = tmp_path_factory.mktemp("lineage")
    rows = item_rows(range(40))
    files = {"raw": write_csv(d / "raw.csv", rows),
             "clean": write_csv(d / "clean.csv", rows[:32]),
             "train": write_csv(d / "train.csv", rows[:32:4] + rows[1:32:4] + rows[2:32:4]),
             "test": write_csv(d / "test.csv", rows[3:32:4]),
             "short": write_csv(d / "short.csv", rows[3:28:4]),
             "code": d / "clean.py"}
    files["code"].write_text("df = df.head(32)\n")
    ledger = d / "ledger"
    ok_json(ledger, "init")
    ok_json(ledger, "notarize", files["raw"], "--name", "raw", *NOTARIZE)
    ok_json(ledger, "notarize", files["clean"], "--name", "clean", *NOTARIZE)
    return {"dir": d, "ledger": ledger, "files": files, "rows": rows}


def test_transform(world):
    ledger, files = world["ledger"], world["files"]
    info = ok_json(ledger, "transform", "--input", "raw", "--output", "clean", "--operation",
                   "head", "--param", "n=32", "--param", "keep=first rows", "--param",
                   "cols=[\"price\",\"qty\"]", "--code", files["code"])
    entry = info["entry"]
    assert info["kind"] == "transform" and info["name"] == "clean"
    assert entry["parameters"] == {"n": 32, "keep": "first rows", "cols": ["price", "qty"]}
    assert entry["code_hash"] == "sha256:" + hashlib.sha256(
        files["code"].read_bytes()).hexdigest()
    raw, clean = ok_json(ledger, "show", "raw"), ok_json(ledger, "show", "clean")
    assert entry["inputs"] == [raw["entry"]["dataset"]["dataset_id"]]
    assert entry["output"] == clean["entry"]["dataset"]["dataset_id"]
    assert invoke(ledger, "verify", info["entry_id"]).exit_code == 0
    err = error_line(invoke(ledger, "transform", "--input", "clean", "--output", "raw",
                            "--operation", "undo", "--code-hash", entry["code_hash"]), 3)
    assert "cycle" in err
    assert "exactly one of --code" in error_line(invoke(
        ledger, "transform", "--input", "raw", "--output", "clean", "--operation", "x"), 3)
    assert "--param" in error_line(invoke(
        ledger, "transform", "--input", "raw", "--output", "clean", "--operation", "x",
        "--param", "novalue", "--code", files["code"]), 3)


def test_split_sum_mismatch_exit_1_and_nothing_written(world):
    ledger, files = world["ledger"], world["files"]
    size = ok_json(ledger, "verify-chain")["tree_size"]
    err = error_line(invoke(ledger, "split", "clean", "--child", f"train={files['train']}",
                            "--child", f"test={files['short']}", "--seed", "7", "--method",
                            "every-4th"), 1)
    assert "rows together" in err and "32" in err
    assert ok_json(ledger, "verify-chain")["tree_size"] == size
    assert error_line(invoke(ledger, "show", "train"), 3)  # the children were not kept either


def test_split_notarizes_children(world):
    ledger, files = world["ledger"], world["files"]
    info = ok_json(ledger, "split", "clean", "--child", f"train={files['train']}", "--child",
                   f"test={files['test']}", "--seed", "7", "--method", "every-4th")
    entry = info["entry"]
    assert [(c["name"], c["version"], c["ratio"]) for c in entry["children"]] == [
        ("train", 1, 0.75), ("test", 1, 0.25)]
    assert (entry["seed"], entry["method"]) == (7, "every-4th")
    train = ok_json(ledger, "show", "train")["entry"]
    clean = ok_json(ledger, "show", "clean")["entry"]
    assert train["notarization"]["statement"] == clean["notarization"]["statement"]
    assert sum(c["sum"] for c in train["notarization"]["columns"][:1]) + sum(
        c["sum"] for c in ok_json(ledger, "show", "test")["entry"]["notarization"]["columns"][:1]
    ) == clean["notarization"]["columns"][0]["sum"]
    report = ok_json(ledger, "verify", info["entry_id"])
    assert report["valid"] and "sums" in report["checks"]
    again = ok_json(ledger, "split", "clean", "--child", "train", "--child", "test@1", "--seed",
                    "7", "--method", "every-4th")  # children referenced, not re-notarized
    assert [c["version"] for c in again["entry"]["children"]] == [1, 1]


def test_recertify_exit_codes(world, tmp_path):
    ledger = world["ledger"]
    ok = ok_json(ledger, "recertify", "raw")
    assert ok["status"] == "ok" and ok["entry"]["target"] == ok_json(ledger, "show",
                                                                     "raw")["entry_id"]
    other = write_csv(tmp_path / "other.csv", item_rows(range(5)))
    changed = invoke(ledger, "recertify", "raw", other, "--json")
    assert changed.exit_code == 1 and json.loads(changed.stdout)["status"] == "changed"
    missing = invoke(ledger, "recertify", "raw", tmp_path / "gone.csv")
    assert missing.exit_code == 1 and "missing" in missing.stdout


def test_log_and_show(world):
    ledger = world["ledger"]
    rows = ok_json(ledger, "log")
    assert [r["log_index"] for r in rows] == list(range(len(rows)))
    assert {"log_index", "entry_id", "time", "kind", "name", "version", "dataset_id"} <= \
        rows[0].keys()
    assert [r["kind"] for r in ok_json(ledger, "log", "--kind", "split")] == ["split", "split"]
    assert {r["name"] for r in ok_json(ledger, "log", "--dataset", "raw")} == {"raw"}
    assert len(ok_json(ledger, "log", "--limit", "2")) == 2
    text = invoke(ledger, "log")
    assert text.exit_code == 0 and "notarize" in text.stdout and "raw@1" in text.stdout
    shown = ok_json(ledger, "show", f"#{rows[0]['log_index']}")
    assert shown["entry_id"] == rows[0]["entry_id"] and shown["entry"]["kind"] == "notarize"
    assert error_line(invoke(ledger, "show", "#999"), 3)
    assert "ambiguous" not in invoke(ledger, "show", rows[0]["entry_id"][:8]).stderr


def test_audit_walks_lineage(world):
    ledger = world["ledger"]
    trail = ok_json(ledger, "audit", "--dataset", "train", "--verify")
    kinds = [(e["entry"]["kind"], e["entry"]["dataset"]["name"]) for e in trail["entries"]]
    # train <- split of clean <- transform from raw: its ancestors' entries, not siblings' only
    assert ("notarize", "raw") in kinds and ("transform", "clean") in kinds
    assert ("split", "clean") in kinds and ("notarize", "train") in kinds
    assert all(v["ok"] for v in trail["verdicts"].values()) and len(trail["verdicts"]) == len(
        trail["entries"])
    first_time = trail["entries"][-1]["entry"]["time"]
    later = ok_json(ledger, "audit", "--since", first_time)
    assert all(e["entry"]["time"] >= first_time for e in later["entries"])
    text = invoke(ledger, "audit", "--dataset", "train")
    assert text.exit_code == 0 and "lineage:" in text.stdout and "->" in text.stdout
    assert "not a date" in error_line(invoke(ledger, "audit", "--since", "someday"), 3)


@pytest.mark.parametrize("fmt", ["json", "prov-jsonld", "in-toto", "html"])
def test_export_formats(world, tmp_path, fmt):
    ledger = world["ledger"]
    out = tmp_path / f"export.{fmt}"
    info = ok_json(ledger, "export", "--dataset", "train", "--format", fmt, "-o", out)
    body = out.read_bytes()
    assert info["bytes"] == len(body) and info["sha256"] == hashlib.sha256(body).hexdigest()
    if fmt == "json":
        trail = load_trail(body)
        assert {e.entry.dataset.name for e in trail.entries} >= {"raw", "clean", "train"}
    elif fmt == "html":
        assert body.lstrip().lower().startswith(b"<!doctype html")
    else:
        assert isinstance(json.loads(body), dict)


def test_export_by_entry_and_usage(world, tmp_path):
    ledger = world["ledger"]
    split = ok_json(ledger, "log", "--kind", "split")[0]
    out = tmp_path / "e.json"
    ok_json(ledger, "export", split["entry_id"], "--format", "json", "-o", out)
    ids = [e.entry_id for e in load_trail(out.read_bytes()).entries]
    assert split["entry_id"] in ids
    assert invoke(ledger, "export", "--format", "json", "-o", out).exit_code == 2
    assert "format" in error_line(invoke(ledger, "export", "--dataset", "raw", "--format", "pdf",
                                         "-o", out), 3)
    assert error_line(invoke(ledger, "export", "--dataset", "raw", "--format", "json", "-o",
                             tmp_path / "no" / "dir.json"), 3)
