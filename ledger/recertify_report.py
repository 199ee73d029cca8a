"""The re-certification report as files: recertify-report.json and a self-contained HTML page.

The JSON is `RecertifyReport.to_json()` (docs/ledger.md lists its fields). The HTML shows the
same facts for a person: the verdict, whether the log verified and was written, one row per
dataset with its status and reason, and the signed checkpoint. It reuses the audit report's
discipline (ledger.export.html, ledger.export.dom): every value goes in through the element
builder, so it is escaped; no script; one constant stylesheet pinned by the page's
Content-Security-Policy, so the page fetches nothing. Both files are written to a temporary name
and renamed, so a reader never sees half a report.
"""

from __future__ import annotations

import json
import os
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import TYPE_CHECKING

from engine.errors import InputError
from ledger.export.dom import el, render
from ledger.export.html import CSP, CSS, style_hash

if TYPE_CHECKING:
    from ledger.recertify_all import DatasetOutcome, RecertifyReport

JSON_NAME = "recertify-report.json"
HTML_NAME = "recertify-report.html"
COLUMNS = ("Dataset", "Status", "Reason", "Location", "Rows", "Notarized", "Notarize entry",
           "SHA-256 now", "Row root now", "Recertify entry", "Seconds")


def report_json(report: RecertifyReport) -> str:
    return json.dumps(report.to_json(), indent=2, sort_keys=True) + "\n"


def _code(value: str | None) -> ET.Element | str:
    return "-" if value is None else el("code", {"class": "hex"}, value)


def _entry(index: int | None, eid: str | None) -> ET.Element | str:
    if index is None or eid is None:
        return el("span", {"class": "muted"}, "not recorded")
    return el("span", None, f"#{index} ", el("code", {"title": eid}, eid[:16]))


def _row(d: DatasetOutcome) -> ET.Element:
    css = "ok" if d.status == "ok" else "failed"
    cells = [d.label, el("span", {"class": css}, d.status), d.reason or "",
             _code(d.location), "-" if d.rows is None else d.rows, d.notarized or "-",
             _entry(d.notarize_index, d.notarize_entry), _code(d.file_sha256),
             _code(d.row_root), _entry(d.recertify_index, d.recertify_entry),
             f"{d.seconds:.2f}"]
    return el("tr", {"class": f"dataset {d.status}", "data-status": d.status,
                     "data-name": d.name or ""}, (el("td", None, c) for c in cells))


def _facts(report: RecertifyReport) -> ET.Element:
    counts = report.counts()
    summary = ", ".join(f"{n} {s}" for s, n in counts.items() if n) or "no datasets"
    rows = [("Ledger", report.ledger), ("Log origin", report.origin),
            ("Started (UTC)", report.started), ("Finished (UTC)", report.finished),
            ("Executor", report.executor), ("Notarized since", report.since or "any time"),
            ("Log verified", el("span", {"class": "ok" if report.chain_ok else "failed"},
                                "yes" if report.chain_ok else "no")),
            ("Entries recorded", "yes" if report.recorded else "no (the log did not verify)"),
            ("Log size after the run", report.tree_size),
            ("Datasets", f"{len(report.datasets)}: {summary}")]
    return el("table", {"class": "facts"},
              (el("tr", None, el("th", None, k), el("td", None, v)) for k, v in rows))


def _verdict(report: RecertifyReport) -> ET.Element:
    if report.ok:
        return el("div", {"class": "banner ok", "id": "verdict"},
                  f"All {len(report.datasets)} dataset(s) re-certified ok; the log verified.")
    bad = [d for d in report.datasets if d.status != "ok"]
    items = [f"log: {p}" for p in report.chain_problems]
    items += [f"{d.label}: {d.status}" + (f": {d.reason}" if d.reason else "") for d in bad]
    return el("div", {"class": "banner failed", "id": "verdict"},
              f"{len(items)} problem(s) found", el("ul", None, (el("li", None, i) for i in items)))


def html_report(report: RecertifyReport) -> str:
    """The report as one HTML document."""
    head = el("head", None, el("meta", {"charset": "utf-8"}),
              el("meta", {"http-equiv": "Content-Security-Policy",
                          "content": CSP.format(style_hash())}),
              el("meta", {"name": "viewport", "content": "width=device-width, initial-scale=1"}),
              el("title", None, f"Re-certification report: {report.origin}"),
              el("style", None, CSS))
    table = el("table", {"class": "datasets"},
               el("tr", None, (el("th", None, c) for c in COLUMNS)),
               (_row(d) for d in report.datasets))
    body = el("body", None,
              el("header", None, el("h1", None, "zkp-ledger re-certification report"),
                 el("p", {"class": "muted"}, f"Log {report.origin}"), _facts(report)),
              el("main", None, el("h2", {"id": "verdict-heading"}, "Verdict"), _verdict(report),
                 el("h2", {"id": "datasets"}, "Datasets"), el("div", {"class": "wide"}, table),
                 el("h2", {"id": "checkpoint"}, "Signed checkpoint after the run"),
                 el("pre", {"class": "checkpoint"}, report.checkpoint) if report.checkpoint
                 else el("p", {"class": "failed"}, "None: the log did not verify.")))
    return render(el("html", {"lang": "en"}, head, body))


def _write_atomic(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def write_report(report: RecertifyReport, directory: str | os.PathLike) -> tuple[Path, Path]:
    """Write both files into `directory` (created with its parents); their paths."""
    folder = Path(directory)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        paths = folder / JSON_NAME, folder / HTML_NAME
        _write_atomic(paths[0], report_json(report))
        _write_atomic(paths[1], html_report(report))
    except OSError as exc:
        raise InputError(f"cannot write the report: {exc.strerror}",
                         file=str(exc.filename or folder)) from None
    return paths


__all__ = ["HTML_NAME", "JSON_NAME", "html_report", "report_json", "write_report"]
