"""The HTML report: layout properties, escaping of hostile values, the CSP, and the page as headless
Chromium (Debian's `chromium`) builds it: the expected nodes and rows are in its DOM, no element
loads anything, and the browser logs no Content-Security-Policy violation (controls show it would
log one for an altered stylesheet and for an external image).

Without chromium these tests skip visibly; under CI=true a missing chromium is a failure.
"""

import base64
import hashlib
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser

import pytest

from engine.errors import InputError
from ledger.entries import DatasetRef, NotarizeEntry
from ledger.export import export
from ledger.export.checks import check_trail
from ledger.export.dag_layout import NODE_H, NODE_W, crossings, layout
from ledger.export.html import CSS, html_report
from ledger.export.svg import range_svg, shard_bars_svg
from ledger.export.trail import AuditTrail, Verdict
from support import export_trail as fx

HOSTILE_FILE = '<script>alert("file")</script>.csv'
HOSTILE_OP = '<img src="http://evil.example/x.png" onerror="alert(1)">'
HOSTILE_REASON = "</style><script>alert(2)</script>"
HOSTILE_ORIGIN = "evil<script>alert(3)</script>"
HOSTILE_NAME = "<script>alert(4)</script>"


# --- a DOM from HTML text (stdlib parser) ---

class Node:
    def __init__(self, tag, attrs, parent=None):
        self.tag, self.attrs, self.parent = tag, dict(attrs), parent
        self.children, self.text = [], ""

    def iter(self):
        yield self
        for c in self.children:
            yield from c.iter()

    def find_all(self, tag, **attrs):
        return [n for n in self.iter() if n.tag == tag
                and all(n.attrs.get(k.rstrip("_")) == v for k, v in attrs.items())]

    def classes(self):
        return set(self.attrs.get("class", "").split())

    def all_text(self):
        return self.text + "".join(c.all_text() for c in self.children)


class _Builder(HTMLParser):
    VOID = {"meta", "br", "img", "link", "input", "hr", "col", "area", "base", "source", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = self.cur = Node("#document", [])

    def handle_starttag(self, tag, attrs):
        node = Node(tag, attrs, self.cur)
        self.cur.children.append(node)
        if tag not in self.VOID:
            self.cur = node

    def handle_startendtag(self, tag, attrs):
        self.cur.children.append(Node(tag, attrs, self.cur))

    def handle_endtag(self, tag):
        node = self.cur
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.cur = node.parent

    def handle_data(self, data):
        self.cur.text += data


def parse(html: str) -> Node:
    b = _Builder()
    b.feed(html)
    return b.root


# --- trails ---

@pytest.fixture(scope="module")
def trail():
    return fx.trail()


def hostile_trail():
    n = fx.notarizations()
    sales = n["sales"].model_copy(update={"file_name": HOSTILE_FILE})
    items = fx.entries({"sales": sales}, operation=HOSTILE_OP, recertify_status="failed",
                       reason=HOSTILE_REASON)
    test_entry = items[2]
    # The schema forbids such names; the report must escape them even if it did not.
    bad_ref = DatasetRef.model_construct(name=HOSTILE_NAME, version=1,
                                         dataset_id=test_entry.dataset.dataset_id)
    items[2] = NotarizeEntry(time=test_entry.time, dataset=bad_ref,
                             notarization=test_entry.notarization, location=test_entry.location,
                             backend="cpu")
    return fx.trail(items, origin=HOSTILE_ORIGIN)


# --- layout ---

def _overlap(a, b):
    return (abs(a[0] - b[0]) < NODE_W) and (abs(a[1] - b[1]) < NODE_H)


def test_layout_layers_and_routes():
    nodes = ["a", "b", "c", "d", "e"]
    edges = [("a", "b"), ("b", "c"), ("a", "c"), ("d", "e")]
    lay = layout(nodes, edges)
    assert lay.layers == {"a": 0, "b": 1, "c": 2, "d": 0, "e": 1}
    boxes = list(lay.boxes.values())
    assert not any(_overlap(p, q) for i, p in enumerate(boxes) for q in boxes[i + 1:])
    for u, v, points in lay.routes:
        assert points[0] == (lay.boxes[u][0] + NODE_W, lay.boxes[u][1] + NODE_H // 2)
        assert points[-1] == (lay.boxes[v][0], lay.boxes[v][1] + NODE_H // 2)
        assert [x for x, _ in points] == sorted(x for x, _ in points)  # left to right
    long = next(p for u, v, p in lay.routes if (u, v) == ("a", "c"))
    assert len(long) == 3  # one dummy point in layer 1, clear of b's box
    mid_x, mid_y = long[1]
    bx, by = lay.boxes["b"]
    assert not (bx <= mid_x <= bx + NODE_W and by <= mid_y <= by + NODE_H)
    assert all(0 <= x <= lay.width - NODE_W and 0 <= y <= lay.height - NODE_H
               for x, y in lay.boxes.values())


def test_layout_removes_a_removable_crossing():
    # Listed so that the initial order crosses: a->y, b->x with x before y.
    nodes, edges = ["a", "b", "x", "y"], [("a", "y"), ("b", "x")]
    assert crossings([["a", "b"], ["x", "y"]], edges) == 1
    lay = layout(nodes, edges)
    order = [sorted((n for n in nodes if lay.layers[n] == li), key=lambda n: lay.boxes[n][1])
             for li in (0, 1)]
    assert crossings(order, edges) == 0
    assert layout(nodes, edges) == lay  # deterministic


def test_layout_rejects_cycles_and_strangers():
    with pytest.raises(InputError, match="cycle through b, c"):
        layout(["a", "b", "c"], [("a", "b"), ("b", "c"), ("c", "b")])
    with pytest.raises(InputError, match="edge a -> z names a node"):
        layout(["a"], [("a", "z")])
    empty = layout([], [])
    assert empty.boxes == {} and empty.routes == []


# --- charts ---

def test_shard_bars_bucket_and_hang_negatives_below_zero():
    values = [(-1) ** i * (i + 1) for i in range(200)]  # 1, -2, 3, -4, ...
    bars = [r for r in shard_bars_svg(values).iter("rect")]
    assert len(bars) == 50  # ceil(200 / 64) = 4 shards per bar
    titles = [b.find("title").text for b in bars]
    assert titles[0] == "shards 0-3: -2" and titles[-1] == "shards 196-199: -2"
    assert sum(int(t.rsplit(": ", 1)[1]) for t in titles) == sum(values)
    zero = float(next(shard_bars_svg([5, -5]).iter("line")).get("y1"))
    up, down = shard_bars_svg([5, -5]).iter("rect")
    assert float(up.get("y")) + float(up.get("height")) == pytest.approx(zero)
    assert float(down.get("y")) == pytest.approx(zero) and "neg" in down.get("class")
    assert float(up.get("height")) == pytest.approx(float(down.get("height")))


def test_range_marks_the_mean_between_the_bounds():
    def mark(lo, hi, mean):
        rect = list(range_svg(lo, hi, mean, width=102).iter("rect"))[1]
        return float(rect.get("x")) + 1.5

    assert mark(0, 100, 25) == pytest.approx(26)  # 1 + 0.25 * 100
    assert mark(-50, 50, 50) == pytest.approx(101)
    assert mark(7, 7, 7) == pytest.approx(51)  # a single allowed value: the middle


# --- the document as text ---

def test_empty_trail_renders():
    doc = parse(html_report(AuditTrail(())))
    assert not doc.find_all("section")
    assert "ok" in next(n for n in doc.iter() if n.attrs.get("id") == "verdict").classes()
    assert "unknown (no checkpoint)" in doc.all_text()


def test_csp_names_the_stylesheet_hash(trail):
    html = html_report(trail)
    style = re.search(r"<style>(.*?)</style>", html, re.S).group(1)
    assert style == CSS
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', html).group(1)
    assert f"style-src 'sha256-{digest}'" in csp and "default-src 'none'" in csp
    assert html.index("Content-Security-Policy") < html.index("<style>")
    assert "<script" not in html.lower()
    assert not re.search(r"https?://", html)  # nothing on an honest report names a URL at all


def test_hostile_values_are_escaped():
    html = export(hostile_trail(), "html").decode()
    assert "<script" not in html.lower()
    assert "<img" not in html.lower()
    assert html.count("<style>") == 1 and html.count("</style>") == 1
    for text in (HOSTILE_FILE, HOSTILE_OP, HOSTILE_REASON, HOSTILE_ORIGIN, HOSTILE_NAME):
        assert text not in html
    assert "&lt;script&gt;alert(\"file\")&lt;/script&gt;.csv" in html
    assert "&lt;script&gt;alert(4)&lt;/script&gt;@v1" in html


def test_report_is_deterministic(trail):
    assert html_report(trail) == html_report(fx.trail())


def test_failures_are_shown(trail):
    first = trail.entries[0]
    bad = AuditTrail((type(first)(0, "0" * 64, first.entry, first.inclusion), *trail.entries[1:]),
                     trail.checkpoint, {trail.entries[1].entry_id: Verdict(False, "proofs fail")})
    doc = parse(html_report(bad, fx.signer().verifier))
    banner = next(n for n in doc.iter() if n.attrs.get("id") == "verdict")
    assert "failed" in banner.classes()
    items = [li.all_text() for li in banner.find_all("li")]
    assert items[0].startswith("log entry 0: stated entry id")
    assert items[-1] == "log entry 1: the ledger's verification failed: proofs fail"
    row0 = doc.find_all("tr", **{"data-log-index": "0"})[0]
    # The stated id is wrong; the entry's bytes are still the log's leaf 0.
    assert [td.all_text() for td in row0.find_all("td")][3:5] == ["failed", "verified"]
    ok = parse(html_report(trail, fx.signer().verifier))
    assert "ok" in next(n for n in ok.iter() if n.attrs.get("id") == "verdict").classes()


# --- the page in headless Chromium ---

def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if path := shutil.which(name):
            return path
    if os.environ.get("CI") == "true":
        pytest.fail("chromium is required under CI (Debian: apt-get install chromium)")
    pytest.skip("chromium is not installed (Debian: apt-get install chromium); HTML report not "
                "checked in a browser")


def _browse(path, tmp_path) -> tuple[Node, list[str]]:
    """The DOM Chromium builds from the file, and its CSP console messages."""
    run = subprocess.run(
        [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         f"--user-data-dir={tmp_path / 'profile'}", "--enable-logging=stderr", "--v=0",
         "--dump-dom", path.as_uri()], capture_output=True, text=True, timeout=180)
    assert run.returncode == 0, run.stderr[-2000:]
    csp = [line for line in run.stderr.splitlines()
           if "CONSOLE" in line and "Content Security Policy" in line]
    return parse(run.stdout), csp


def _no_loads(doc: Node) -> None:
    for node in doc.iter():
        for attr in ("src", "href", "xlink:href", "srcset", "action", "data", "poster"):
            value = node.attrs.get(attr)
            assert value is None or value.startswith("#"), (node.tag, attr, value)
        assert "url(" not in node.attrs.get("style", "")
    assert not doc.find_all("script") and not doc.find_all("link") and not doc.find_all("img")


def test_chromium_renders_the_report(trail, tmp_path):
    path = tmp_path / "report.html"
    path.write_bytes(export(trail, "html", verifier=fx.signer().verifier))
    doc, csp = _browse(path, tmp_path)
    assert csp == []
    _no_loads(doc)
    meta = doc.find_all("meta", **{"http-equiv": "Content-Security-Policy"})
    assert len(meta) == 1 and meta[0].attrs["content"].startswith("default-src 'none'")
    # Lineage: 4 datasets, 3 edges (split x2, transform), each linked to its section.
    svg = next(n for n in doc.find_all("svg") if "lineage" in n.classes())
    nodes = [g for g in svg.iter() if g.tag == "g" and "node" in g.classes()]
    assert {g.attrs["data-dataset"] for g in nodes} == {fx.ref(n).dataset_id for n in (
        "sales", "sales-train", "sales-test", "sales-train-x2")}
    edges = {(g.attrs["data-source"], g.attrs["data-target"]) for g in svg.iter()
             if g.tag == "g" and "edge" in g.classes()}
    assert edges == {(fx.ref("sales").dataset_id, fx.ref("sales-train").dataset_id),
                     (fx.ref("sales").dataset_id, fx.ref("sales-test").dataset_id),
                     (fx.ref("sales-train").dataset_id, fx.ref("sales-train-x2").dataset_id)}
    sections = {s.attrs["id"] for s in doc.find_all("section") if "dataset" in s.classes()}
    assert {a.attrs["href"][1:] for a in svg.find_all("a")} == sections
    # Timeline: every entry, in log order, with its kind.
    rows = [r for r in doc.find_all("tr") if "entry" in r.classes()]
    assert [(r.attrs["data-log-index"], r.find_all("span")[0].all_text()) for r in rows] == [
        ("0", "notarize"), ("1", "notarize"), ("2", "notarize"), ("3", "split"),
        ("4", "notarize"), ("5", "transform"), ("6", "recertify")]
    # Per-dataset statement tables with the fixture's values and one chart pair per column.
    sales = next(s for s in doc.find_all("section") if s.attrs.get("id") == fx.ref("sales")
                 .dataset_id)
    cells = {r.attrs["data-column"]: [td.all_text() for td in r.find_all("td")]
             for r in sales.find_all("tr") if "data-column" in r.attrs}
    assert cells["price"][:7] == ["price", "20", "818.90", "0.00", "100.00", "2", "40.9450"]
    assert cells["qty"][:7] == ["qty", "20", "4024", "0", "1000", "0", "201.20"]
    assert len(sales.find_all("svg")) == 4
    bars = [r for r in sales.iter() if r.tag == "rect" and "bar" in r.classes()]
    assert [b.find_all("title")[0].all_text() for b in bars] == [
        f"shard {i}: {s.sums[j]}" for j in range(2)
        for i, s in enumerate(fx.notarizations()["sales"].shards)]
    # Verification: every check passed, the signature included.
    verdict = next(n for n in doc.iter() if n.attrs.get("id") == "verdict")
    assert "ok" in verdict.classes()
    assert not [n for n in doc.iter() if n.attrs.get("id") == "warnings"]
    checks = [[td.all_text() for td in r.find_all("td")][3:5]
              for r in doc.find_all("tr") if r.attrs.get("data-log-index") and
              "entry" not in r.classes()]
    assert checks == [["verified", "verified"]] * 7
    assert check_trail(trail, fx.signer().verifier).signature.outcome == "verified"


def test_chromium_keeps_hostile_values_as_text(tmp_path):
    path = tmp_path / "hostile.html"
    path.write_bytes(export(hostile_trail(), "html"))
    doc, csp = _browse(path, tmp_path)
    assert csp == []
    _no_loads(doc)
    text = doc.all_text()
    for value in (HOSTILE_FILE, HOSTILE_OP, HOSTILE_REASON, HOSTILE_ORIGIN, HOSTILE_NAME):
        assert value in text
    assert len(doc.find_all("style")) == 1
    alerted = [g for g in doc.iter() if g.tag == "g" and "alert" in g.classes()]
    assert [g.attrs["data-dataset"] for g in alerted] == [fx.ref("sales").dataset_id]
    warnings = next(n for n in doc.iter() if n.attrs.get("id") == "warnings")
    assert [li.all_text() for li in warnings.find_all("li")] == [
        f"log entry 6: recertification of entry {doc_entry_id(doc, 0)[:12]} reported failed: "
        f"{HOSTILE_REASON}"]


def doc_entry_id(doc: Node, log_index: int) -> str:
    row = next(r for r in doc.find_all("tr") if "entry" in r.classes()
               and r.attrs["data-log-index"] == str(log_index))
    return row.find_all("code")[0].attrs["title"]


def test_chromium_reports_csp_violations_controls(trail, tmp_path):
    """The detector works: an altered stylesheet and an external image are both logged."""
    html = html_report(trail)
    altered = tmp_path / "altered.html"
    altered.write_text(html.replace("<style>\nbody{", "<style>\nbody{color:red;", 1))
    _, csp = _browse(altered, tmp_path)
    assert any("style" in line for line in csp)
    external = tmp_path / "external.html"
    external.write_text(html.replace("</main>", '<img src="http://192.0.2.1/x.png"></main>', 1))
    doc, csp = _browse(external, tmp_path)
    assert any("http://192.0.2.1/x.png" in line for line in csp)
    assert len(doc.find_all("img")) == 1
