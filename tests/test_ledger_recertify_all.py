"""`zkp-ledger recertify --all` (the nightly re-certification) as a user runs it, in process:
unchanged files pass and are recorded; a modified file, a deleted file and a tampered or
garbled ledger entry are each reported and exit 1; the JSON and HTML reports are written and
hold the datasets; --since and latest-version selection; usage errors; a rescan that cannot run
is reported as an error and not recorded.

Values are checked against independent code: file digests with hashlib, the report's HTML with
html.parser, the stored entries with `show --json`. Files are tiny (12 rows, shards of 8)."""

from __future__ import annotations

import csv
import hashlib
import json
import os
from html.parser import HTMLParser
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from cluster.errors import ShardFailure, ShardsFailedError
from engine.errors import InputError
from ledger.api import Ledger
from ledger.cli import app
from ledger.log import index_key
from ledger.store import Store

OPTIONS = ["--columns", "price,qty", "--scale", "price=2", "--bounds", "price=-50:50",
           "--bounds", "qty=0:1000", "--shard-rows", "8"]


@pytest.fixture(scope="module", autouse=True)
def key_cache(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setenv("ZKP_LEDGER_CACHE", str(tmp_path_factory.mktemp("recertify-keys")))
    yield
    mp.undo()


def invoke(ledger: Path, *args):
    result = CliRunner().invoke(app, ["--ledger", str(ledger), *map(str, args)])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def ok_json(ledger: Path, *args):
    result = invoke(ledger, *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def rows(n: int = 12, shift: int = 0) -> list[dict]:
    return [{"id": i, "price": f"{((i + shift) * 7919 % 9999 - 4999) / 100:.2f}",
             "qty": (i + shift) * 37 % 1001} for i in range(n)]


def write_csv(path: Path, data: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(data[0]))
        writer.writeheader()
        writer.writerows(data)
    return path


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def notarized_world(tmp_path: Path, names: tuple[str, ...]) -> dict:
    """A fresh ledger with one small CSV notarized per name (each with other values)."""
    ledger = tmp_path / "ledger"
    ok_json(ledger, "init", "--origin", "test.example/recertify")
    out = {"ledger": ledger, "files": {}, "entries": {}}
    for k, name in enumerate(names):
        path = write_csv(tmp_path / "data" / f"{name}.csv", rows(shift=k))
        info = ok_json(ledger, "notarize", path, "--name", name, *OPTIONS)
        out["files"][name], out["entries"][name] = path, info
    return out


def recertify_all(ledger: Path, report: Path, *args):
    result = invoke(ledger, "recertify", "--all", "--report", report, "--json", *args)
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)


class _Rows(HTMLParser):
    """The report's dataset rows: data-name, data-status and the cells' text."""

    def __init__(self):
        super().__init__()
        self.rows: list[dict] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "tr" and "data-status" in attrs:
            self.rows.append({"name": attrs["data-name"], "status": attrs["data-status"],
                              "cells": []})
        elif tag == "td" and self.rows:
            self._cell = []

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)

    def handle_endtag(self, tag):
        if tag == "td" and self._cell is not None:
            self.rows[-1]["cells"].append("".join(self._cell))
            self._cell = None


def html_rows(path: Path) -> list[dict]:
    parser = _Rows()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.rows


# --- all unchanged ---

def test_unchanged_files_pass_and_are_recorded(tmp_path):
    world = notarized_world(tmp_path, ("alpha", "beta"))
    ledger = world["ledger"]
    size_before = ok_json(ledger, "checkpoint")["tree_size"]
    code, report = recertify_all(ledger, tmp_path / "reports" / "night-1")
    assert code == 0 and report["ok"] is True
    assert report["chain"] == {"ok": True, "problems": []} and report["recorded"] is True
    assert report["summary"] == {"ok": 2, "changed": 0, "missing": 0, "failed": 0, "error": 0,
                                 "total": 2}
    assert report["executor"] == "in-process" and report["tree_size"] == size_before + 2
    by_name = {d["name"]: d for d in report["datasets"]}
    assert sorted(by_name) == ["alpha", "beta"]
    for name, d in by_name.items():
        notarized = world["entries"][name]
        assert d["status"] == "ok" and d["reason"] is None and d["version"] == 1
        assert d["notarize_entry"] == notarized["entry_id"]
        assert d["file_sha256"] == sha256(world["files"][name]) == notarized["sha256"]
        assert d["row_root"] == notarized["blake3_root"] and d["rows"] == 12
        assert d["location"] == str(world["files"][name].resolve())
        # the appended entry, as stored: a recertify entry targeting the notarization
        shown = ok_json(ledger, "show", f"#{d['recertify_index']}")
        assert shown["entry_id"] == d["recertify_entry"]
        entry = shown["entry"]
        assert (entry["kind"], entry["status"], entry["target"]) == (
            "recertify", "ok", notarized["entry_id"])
        assert ok_json(ledger, "verify", d["recertify_entry"])["valid"] is True
    # the report's checkpoint covers the new entries and verifies with the ledger's key
    assert report["checkpoint"].splitlines()[1] == str(size_before + 2)
    assert ok_json(ledger, "verify-chain")["valid"] is True
    # the files: the JSON is what --json printed, the HTML holds one row per dataset
    folder = tmp_path / "reports" / "night-1"
    assert json.loads((folder / "recertify-report.json").read_text()) == report
    table = html_rows(folder / "recertify-report.html")
    assert [(r["name"], r["status"]) for r in table] == [("alpha", "ok"), ("beta", "ok")]
    assert table[0]["cells"][0] == "alpha@1" and table[0]["cells"][4] == "12"


def test_text_output_report_in_current_directory(tmp_path, monkeypatch):
    world = notarized_world(tmp_path, ("gamma",))
    monkeypatch.chdir(tmp_path)
    result = invoke(world["ledger"], "recertify", "--all")
    assert result.exit_code == 0, result.output
    assert "gamma@1" in result.stdout and "1 dataset(s): 1 ok; log verified" in result.stdout
    assert (tmp_path / "recertify-report.json").is_file()
    assert (tmp_path / "recertify-report.html").is_file()


# --- each kind of trouble, alone, exits 1 ---

def _tamper(ledger: Path, index: int, edit) -> None:
    """Change entry `index`'s stored bytes directly in LMDB, as an attacker with disk access."""
    store = Store(ledger / "lmdb", create=False)
    with store.read() as txn:
        data = bytes(txn.get(index_key(index), db=store.db("entries")))
    forged = edit(data)
    assert forged != data
    store.write(lambda txn: txn.put(index_key(index), forged, db=store.db("entries")))


@pytest.mark.parametrize("trouble", ["modified", "deleted", "tampered", "garbled"])
def test_each_trouble_is_reported_and_exits_1(tmp_path, trouble):
    world = notarized_world(tmp_path, ("keep", "target"))
    ledger, target = world["ledger"], world["files"]["target"]
    notarized = world["entries"]["target"]
    size_before = ok_json(ledger, "checkpoint")["tree_size"]
    if trouble == "modified":  # one value changed, still within bounds
        write_csv(target, [{**r, "qty": 7} if r["id"] == 5 else r for r in rows(shift=1)])
    elif trouble == "deleted":
        target.unlink()
    elif trouble == "tampered":  # still parses (as another keep@1), but is not what was appended
        _tamper(ledger, notarized["log_index"],
                lambda b: b.replace(b'"name":"target"', b'"name":"keep"'))
    else:
        _tamper(ledger, notarized["log_index"], lambda b: b[:-5])
    code, report = recertify_all(ledger, tmp_path / "report")
    assert code == 1 and report["ok"] is False
    by_index = {d["notarize_index"]: d for d in report["datasets"]}
    keep, bad = by_index[world["entries"]["keep"]["log_index"]], by_index[notarized["log_index"]]
    assert keep["status"] == "ok"
    expected = {"modified": "changed", "deleted": "missing", "tampered": "failed",
                "garbled": "failed"}[trouble]
    assert bad["status"] == expected
    assert report["summary"][expected] == 1 and report["summary"]["ok"] == 1
    if trouble == "modified":
        assert bad["file_sha256"] == sha256(target) != notarized["sha256"]
        assert bad["row_root"] is not None and bad["row_root"] != notarized["blake3_root"]
        assert notarized["sha256"] in bad["reason"]
    if trouble == "deleted":
        assert bad["file_sha256"] is None and str(target.resolve()) in bad["reason"]
    if trouble in ("modified", "deleted"):  # recorded: the log itself is sound
        assert report["recorded"] is True and report["chain"]["ok"] is True
        entry = ok_json(ledger, "show", f"#{bad['recertify_index']}")["entry"]
        assert (entry["status"], entry["target"]) == (expected, notarized["entry_id"])
        assert report["tree_size"] == size_before + 2
    else:  # the log is damaged: the entry is named, and nothing is appended to it
        assert f"ledger entry {notarized['log_index']} ({notarized['entry_id']})" in bad["reason"]
        assert bad["name"] == ("keep" if trouble == "tampered" else None)
        assert report["chain"]["ok"] is False and report["recorded"] is False
        assert any(p.startswith(f"entry {notarized['log_index']} ")
                   for p in report["chain"]["problems"])
        assert report["checkpoint"] is None and report["tree_size"] == size_before
        assert keep["recertify_entry"] is None
        assert invoke(ledger, "log", "--kind", "recertify", "--json").stdout.strip() == "[]"
    statuses = {r["status"] for r in html_rows(tmp_path / "report" / "recertify-report.html")}
    assert statuses == {"ok", expected}


# --- which datasets ---

def test_latest_version_and_since(tmp_path):
    world = notarized_world(tmp_path, ("old", "sales"))
    ledger = world["ledger"]
    newer = write_csv(tmp_path / "data" / "sales-v2.csv", rows(shift=9))
    v2 = ok_json(ledger, "notarize", newer, "--name", "sales", *OPTIONS)
    assert v2["version"] == 2
    _, everything = recertify_all(ledger, tmp_path / "r1")
    assert [(d["name"], d["version"]) for d in everything["datasets"]] == [("old", 1),
                                                                           ("sales", 2)]
    since = ok_json(ledger, "show", v2["entry_id"])["entry"]["time"]
    _, recent = recertify_all(ledger, tmp_path / "r2", "--since", since)
    assert [(d["name"], d["version"]) for d in recent["datasets"]] == [("sales", 2)]
    assert recent["since"] == since
    _, none = recertify_all(ledger, tmp_path / "r3", "--since", "2999-01-01")
    assert none["datasets"] == [] and none["ok"] is True


def test_html_escapes_every_value(tmp_path):
    ledger = tmp_path / "ledger"
    ok_json(ledger, "init")
    odd = write_csv(tmp_path / 'we<b>ird&"dir' / "x.csv", rows())
    ok_json(ledger, "notarize", odd, "--name", "x", *OPTIONS)
    odd.unlink()  # the reason then names the path too
    code, report = recertify_all(ledger, tmp_path / "rep")
    assert code == 1 and report["datasets"][0]["status"] == "missing"
    html = (tmp_path / "rep" / "recertify-report.html").read_text()
    assert "<b>" not in html and "we&lt;b&gt;ird&amp;" in html
    assert "Content-Security-Policy" in html and "<script" not in html
    (row,) = html_rows(tmp_path / "rep" / "recertify-report.html")
    assert row["cells"][3] == str(odd.resolve())  # the parser unescapes it back


# --- usage and failures ---

def test_usage_errors_exit_2(tmp_path):
    world = notarized_world(tmp_path, ("u",))
    ledger = world["ledger"]
    assert invoke(ledger, "recertify").exit_code == 2
    assert invoke(ledger, "recertify", "u", "--all").exit_code == 2
    assert invoke(ledger, "recertify", "u", "--since", "2026-01-01").exit_code == 2
    assert invoke(ledger, "recertify", "u", "--report", tmp_path).exit_code == 2
    assert invoke(ledger, "recertify", "--all", "--ray-address", "auto").exit_code == 2
    assert invoke(ledger, "recertify", "--all", "--executor", "spark").exit_code == 2
    bad_since = invoke(ledger, "recertify", "--all", "--since", "yesterday")
    assert bad_since.exit_code == 3 and "since" in bad_since.stderr
    assert invoke(ledger, "log", "--kind", "recertify", "--json").stdout.strip() == "[]"
    # the single-dataset form is unchanged
    single = invoke(ledger, "recertify", "u", "--json")
    assert single.exit_code == 0 and json.loads(single.stdout)["status"] == "ok"


class _LostShards:
    """An executor whose every job is lost, as a cluster that keeps failing would report it."""

    def map(self, fn, jobs):
        raise ShardsFailedError([ShardFailure(i, None, "prover actor lost") for i in
                                 range(len(jobs))], len(jobs))


def test_a_rescan_that_cannot_run_is_an_error_not_recorded(tmp_path):
    ledger = Ledger.init(tmp_path / "ledger")
    path = tmp_path / "t.parquet"
    pq.write_table(pa.table({"price": [1.25, -3.5, 7.0] * 4, "qty": list(range(12))}), path,
                   row_group_size=5)
    ledger.notarize_dataset(path, "t", scale={"price": 2}, bounds={"price": ("-50", "50"),
                            "qty": ("0", "1000")}, shard_rows=8)
    size = ledger.size
    report = ledger.recertify_all(executor=_LostShards())  # Parquet: the scan is its job
    (d,) = report.datasets
    assert d.status == "error" and "2 of 2 shards failed" in d.reason
    assert d.recertify_entry is None and ledger.size == size and not report.ok
    assert report.chain_ok and report.recorded  # the log was fine; this dataset was not checked
    json_path, html_path = report.write(tmp_path / "out")
    assert json.loads(json_path.read_text())["summary"]["error"] == 1
    assert [r["status"] for r in html_rows(html_path)] == ["error"]
    os.chmod(tmp_path / "out", 0o500)
    try:
        if os.geteuid() != 0:
            with pytest.raises(InputError, match="cannot write the report"):
                report.write(tmp_path / "out")
    finally:
        os.chmod(tmp_path / "out", 0o700)
