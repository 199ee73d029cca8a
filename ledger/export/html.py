"""The self-contained HTML audit report: one file that opens offline and fetches nothing.

Sections: header (log origin, checkpoint), verification (per entry: entry id, inclusion under
the checkpoint, the ledger's verdict), lineage graph (inline SVG, layout from dag_layout), timeline
of entries, and one section per notarization with the file facts, the statement table (count,
sum, lo, hi, scale, mean per column, in scaled integers and in the column's units) and inline SVG
charts (mean within bounds, sum per shard).

No script at all; the only style is one constant <style> element whose SHA-256 the page's
Content-Security-Policy (`default-src 'none'`) names, so a browser refuses any other style,
script, image, font or connection, and the report cannot reach the network even if a value in it
were crafted to try. Every value is placed through ledger.export.dom, which escapes it. The same
trail gives the same bytes (no clock, no randomness).
"""

from __future__ import annotations

import base64
import hashlib
import xml.etree.ElementTree as ET
from decimal import ROUND_HALF_EVEN, Decimal

from engine.dataset.spec import unscaled_decimal
from engine.notarization import DatasetNotarization
from ledger.entries import (NotarizeEntry, RecertifyEntry, SplitEntry, TransformEntry,
                            parse_time)
from ledger.export.checks import Finding, TrailStatus, all_problems, check_trail
from ledger.export.dag_layout import layout
from ledger.export.dom import el, render
from ledger.export.lineage import Lineage, lineage
from ledger.export.svg import lineage_svg, range_svg, shard_bars_svg, timeline_svg
from ledger.export.trail import AuditTrail, TrailEntry
from ledger.signed_note import Verifier

CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;max-width:1180px;padding:0 20px 40px;
color:#1d232b;background:#fbfbfc}
h1{font-size:24px;margin:24px 0 4px}h2{font-size:19px;margin:30px 0 8px;border-bottom:1px solid
#d9dde3;padding-bottom:4px}h3{font-size:16px;margin:22px 0 6px}
table{border-collapse:collapse;margin:6px 0 12px}th,td{border:1px solid #d9dde3;padding:3px 8px;
text-align:left;vertical-align:middle}th{background:#eef1f5;font-weight:600}
td.num{text-align:right;font-variant-numeric:tabular-nums}td.time{white-space:nowrap}
.wide{overflow-x:auto}
code,.hex{font-family:ui-monospace,monospace;font-size:12px;word-break:break-all}
pre{background:#eef1f5;padding:8px;overflow-x:auto;font-size:12px}
.ok{color:#17672c;font-weight:600}.failed{color:#b3261e;font-weight:600}
.muted,.absent,.not-checked{color:#66707c}.warn{color:#8a5300;font-weight:600}
.banner{padding:8px 12px;border-radius:6px;margin:10px 0}.banner.ok{background:#e3f4e7}
.banner.failed{background:#fbe4e2}
svg text{font:12px system-ui,sans-serif;fill:#1d232b}svg text.id{font:10px ui-monospace,monospace;
fill:#66707c}svg .tick{font-size:10px;fill:#66707c}
.node rect{fill:#e8f0fe;stroke:#3b6fd8;stroke-width:1.5}.node.unnotarized rect{fill:#f4f5f7;
stroke:#9aa3ad;stroke-dasharray:4 3}.node.alert rect{fill:#fbe4e2;stroke:#b3261e}
.edge path{fill:none;stroke:#5b6573;stroke-width:1.5}.edge.split path{stroke:#8a5300;
stroke-dasharray:6 3}.edge text{font-size:11px;fill:#444c57}.arrowhead{fill:#5b6573}
.axis{stroke:#9aa3ad;stroke-width:1}.dot{stroke:#fff;stroke-width:1.5}.dot.notarize{fill:#3b6fd8}
.dot.transform{fill:#5b6573}.dot.split{fill:#8a5300}.dot.recertify{fill:#17672c}
.range .bounds{fill:#dde3ea}.range .mean{fill:#3b6fd8}.bar{fill:#3b6fd8}.bar.neg{fill:#b3261e}
.kind{display:inline-block;padding:0 6px;border-radius:4px;background:#eef1f5;font-size:12px}
"""
CSP = ("default-src 'none'; style-src 'sha256-{}'; img-src 'none'; base-uri 'none'; "
       "form-action 'none'")
MEAN_EXTRA_DIGITS = 2  # the mean is shown with the column's scale plus this many decimals


def style_hash(css: str = CSS) -> str:
    return base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode()


def _finding(f: Finding) -> ET.Element:
    css = {"verified": "ok", "failed": "failed", "not checked": "not-checked",
           "absent": "absent"}[f.outcome]
    return el("span", {"class": css, "title": f.detail}, f.outcome)


def _hex(value: str) -> ET.Element:
    return el("span", {"class": "hex"}, value)


def _units(value: int, scale: int) -> str:
    return str(unscaled_decimal(value, scale))


def _mean(total: int, count: int, scale: int) -> Decimal:
    exact = Decimal(total) / Decimal(count) / (Decimal(10) ** scale)
    return exact.quantize(Decimal(1).scaleb(-(scale + MEAN_EXTRA_DIGITS)), ROUND_HALF_EVEN)


def _facts(rows: list[tuple[str, object]]) -> ET.Element:
    return el("table", {"class": "facts"},
              (el("tr", None, el("th", None, k), el("td", None, v)) for k, v in rows))


def _header(trail: AuditTrail, status: TrailStatus, datasets: int) -> list[ET.Element]:
    cp = status.checkpoint
    origin = cp.origin if cp else "unknown (no checkpoint)"
    rows: list[tuple[str, object]] = [("Ledger origin", origin)]
    if cp:
        rows += [("Checkpoint tree size", cp.size), ("Checkpoint root", _hex(cp.root.hex()))]
    rows += [("Checkpoint signature", _finding(status.signature)),
             ("Entries in this report", len(trail.entries)), ("Datasets", datasets)]
    out = [el("h1", None, "zkp-ledger audit report"),
           el("p", {"class": "muted"}, f"Log {origin}"), _facts(rows)]
    if trail.checkpoint is not None:
        out.append(el("details", None, el("summary", None, "Signed checkpoint (C2SP note)"),
                      el("pre", {"class": "checkpoint"}, trail.checkpoint)))
    return out


def _verification(trail: AuditTrail, status: TrailStatus) -> list[ET.Element]:
    problems = all_problems(trail, status)
    warnings = [f"log entry {e.log_index}: recertification of entry {e.entry.target[:12]} "
                f"reported {e.entry.status}" + (f": {e.entry.reason}" if e.entry.reason else "")
                for e in trail.of_kind("recertify") if e.entry.status != "ok"]
    if problems:
        banner = el("div", {"class": "banner failed", "id": "verdict"},
                    f"{len(problems)} problem(s) found", el("ul", None,
                                                            (el("li", None, p) for p in problems)))
    else:
        banner = el("div", {"class": "banner ok", "id": "verdict"},
                    "Every check this report can make passed.")
    if warnings:
        banner.append(el("div", {"class": "warn", "id": "warnings"}, "Recertifications to look at:",
                         el("ul", None, (el("li", None, w) for w in warnings))))
    head = el("tr", None, *(el("th", None, h) for h in (
        "#", "Entry", "Kind", "Entry id", "Inclusion", "Ledger verification")))
    rows = []
    for e in trail.entries:
        s = status.entries[e.log_index]
        verdict = trail.verdicts.get(e.entry_id)
        shown = (el("span", {"class": "muted"}, "not given") if verdict is None else
                 el("span", {"class": "ok" if verdict.ok else "failed"},
                    "ok" if verdict.ok else "failed", f": {verdict.detail}"))
        rows.append(el("tr", {"data-log-index": e.log_index},
                       el("td", {"class": "num"}, e.log_index),
                       el("td", None, el("code", None, e.short_id)),
                       el("td", None, e.kind), el("td", None, _finding(s.entry_id)),
                       el("td", None, _finding(s.inclusion)), el("td", None, shown)))
    return [el("h2", {"id": "verification"}, "Verification"), banner,
            el("table", {"class": "checks"}, head, rows)]


def _node_classes(graph: Lineage) -> dict[str, str]:
    out = {}
    for dataset_id, node in graph.nodes.items():
        bad = any(r.entry.status != "ok" for r in node.recertifications[-1:])
        out[dataset_id] = "alert" if bad else ("" if node.notarizations else "unnotarized")
    return out


def _lineage(graph: Lineage) -> list[ET.Element]:
    out = [el("h2", {"id": "lineage"}, "Lineage")]
    if not graph.edges:
        out.append(el("p", {"class": "muted"}, "No transform or split in this trail."))
        if not graph.nodes:
            return out
    lay = layout(list(graph.nodes), [(e.source, e.target) for e in graph.edges])
    out.append(el("div", {"class": "graph wide"}, lineage_svg(graph, lay, _node_classes(graph))))
    out.append(el("p", {"class": "muted"}, "Solid boxes are datasets notarized in this trail "
                                           "(click for their section), dashed boxes are only "
                                           "referenced; solid arrows are transforms, dashed "
                                           "arrows splits; red marks a failed recertification."))
    return out


def _summary(e: TrailEntry, graph: Lineage) -> object:
    x = e.entry
    nodes = graph.nodes
    if isinstance(x, NotarizeEntry):
        n = x.notarization
        return (f"{n.row_count} rows of {n.file_name}, {len(n.columns)} proved column(s), "
                f"{len(n.shards)} proof(s)")
    if isinstance(x, TransformEntry):
        ins = ", ".join(nodes[i].label for i in x.inputs)
        return f"{x.operation}: {ins} -> {nodes[x.output].label}"
    if isinstance(x, SplitEntry):
        kids = ", ".join(f"{c.name}@v{c.version} ({c.ratio:g})" for c in x.children)
        return f"{x.method} (seed {x.seed}): {kids}"
    assert isinstance(x, RecertifyEntry)
    return el("span", None, el("span", {"class": "ok" if x.status == "ok" else "failed"},
                               x.status), f" for entry {x.target[:12]}",
              f": {x.reason}" if x.reason else None)


def _timeline(trail: AuditTrail, graph: Lineage) -> list[ET.Element]:
    points = [(parse_time(e.entry.time), e.kind, e.log_index) for e in trail.entries]
    head = el("tr", None, *(el("th", None, h) for h in ("#", "Time (UTC)", "Kind", "Dataset",
                                                       "What", "Entry id")))
    rows = [el("tr", {"data-log-index": e.log_index, "class": f"entry {e.kind}"},
               el("td", {"class": "num"}, e.log_index), el("td", {"class": "time"}, e.entry.time),
               el("td", None, el("span", {"class": "kind"}, e.kind)),
               el("td", None, f"{e.entry.dataset.name}@v{e.entry.dataset.version}"),
               el("td", None, _summary(e, graph)),
               el("td", None, el("code", {"title": e.entry_id}, e.short_id)))
            for e in trail.entries]
    return [el("h2", {"id": "timeline"}, "Timeline"), timeline_svg(sorted(points)),
            el("table", {"class": "timeline"}, head, rows)]


def _statement(n: DatasetNotarization) -> ET.Element:
    head = el("tr", None, *(el("th", None, h) for h in (
        "Column", "Count", "Sum", "Lo", "Hi", "Scale", "Mean", "Mean in [lo, hi]",
        "Sum per shard")))
    rows = []
    for j, c in enumerate(n.columns):
        mean = _mean(c.sum, c.count, c.scale)
        shard_sums = [s.sums[j] for s in n.shards]
        cells = [el("td", None, c.name), el("td", {"class": "num"}, c.count)]
        for v in (c.sum, c.lo, c.hi):
            cells.append(el("td", {"class": "num", "title": f"{v} in scaled units"},
                            _units(v, c.scale)))
        cells += [el("td", {"class": "num"}, c.scale), el("td", {"class": "num"}, str(mean)),
                  el("td", None, range_svg(c.lo, c.hi, c.sum / c.count)),
                  el("td", None, shard_bars_svg(shard_sums))]
        rows.append(el("tr", {"data-column": c.name}, cells))
    return el("div", {"class": "wide"}, el("table", {"class": "statement"}, head, rows))


def _dataset(e: TrailEntry, graph: Lineage, status: TrailStatus,
             trail: AuditTrail) -> ET.Element:
    x = e.entry
    assert isinstance(x, NotarizeEntry)
    n = x.notarization
    node = graph.nodes[x.dataset.dataset_id]
    first = node.notarizations[0] is e
    s = status.entries[e.log_index]
    verdict = trail.verdicts.get(e.entry_id)
    key = (el("span", {"class": "warn"}, "insecure dev key (single-party setup)")
           if n.insecure_dev else "ceremony key")
    facts = _facts([
        ("Dataset id", el("code", None, x.dataset.dataset_id)),
        ("File", f"{n.file_name} ({n.format}, {n.byte_size} bytes)"),
        ("File SHA-256", _hex(n.file_sha256)), ("BLAKE3 row root", _hex(n.row_root)),
        ("Rows", n.row_count),
        ("Shards", f"{len(n.shards)} of {n.statement.shard_rows} rows ({len(n.shards)} Groth16 "
                   f"proofs)"),
        ("Commitment root", _hex(n.commitment_root)), ("Verification key hash", _hex(n.vk_hash)),
        ("Circuit digest", _hex(n.circuit_digest)), ("Key", key),
        ("Notarized", f"{x.time}, log entry {e.log_index}, backend {x.backend}"),
        ("Location", el("code", None, x.location)),
        ("Entry id", el("span", None, _hex(e.entry_id), " ", _finding(s.entry_id))),
        ("Inclusion", _finding(s.inclusion)),
        ("Ledger verification", "not given" if verdict is None else
         el("span", {"class": "ok" if verdict.ok else "failed"}, verdict.detail)),
    ])
    recerts = [r for r in node.recertifications if r.entry.target == e.entry_id]
    out = el("section", {"class": "dataset", "id": x.dataset.dataset_id if first else None,
                         "data-entry": e.entry_id},
             el("h3", {"id": f"entry-{e.entry_id}"}, f"{x.dataset.name}@v{x.dataset.version}"),
             facts, el("h4", None, "Statement"), _statement(n))
    if recerts:
        out.append(el("h4", None, "Recertifications"))
        out.append(el("ul", None, (el("li", None, f"{r.entry.time}: ",
                                      el("span", {"class": "ok" if r.entry.status == "ok"
                                                  else "failed"}, r.entry.status),
                                      f" ({r.entry.reason})" if r.entry.reason else None)
                                   for r in recerts)))
    return out


def html_report(trail: AuditTrail, verifier: Verifier | None = None) -> str:
    """The report as one HTML document; `verifier` (the log's key) lets it check the
    checkpoint signature."""
    status = check_trail(trail, verifier)
    graph = lineage(trail)
    title = (f"Audit report: {status.checkpoint.origin}" if status.checkpoint
             else "Audit report")
    body = el("body", None, el("header", None, _header(trail, status, len(graph.nodes))),
              el("main", None, _verification(trail, status), _lineage(graph),
                 _timeline(trail, graph), el("h2", {"id": "datasets"}, "Datasets"),
                 [_dataset(e, graph, status, trail) for e in trail.of_kind("notarize")]))
    head = el("head", None, el("meta", {"charset": "utf-8"}),
              el("meta", {"http-equiv": "Content-Security-Policy",
                          "content": CSP.format(style_hash())}),
              el("meta", {"name": "viewport", "content": "width=device-width, initial-scale=1"}),
              el("title", None, title), el("style", None, CSS))
    return render(el("html", {"lang": "en"}, head, body))


__all__ = ["CSP", "CSS", "html_report", "style_hash"]
