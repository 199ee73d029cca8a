"""run_all's outputs: results.json (everything) and table.txt (the same as a plain table)."""

from __future__ import annotations

import json
from pathlib import Path


def _status(ok: bool | None) -> str:
    return "ok" if ok else "skip" if ok is None else "FAIL"


def _size(n: int) -> str:
    return f"2^{n.bit_length() - 1}" if n & (n - 1) == 0 else f"{n:,}"


def _ms(entry: dict | None) -> str:
    return "-" if entry is None else f"{entry['median_ms']:.3f}"


def _columns(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    fmt = lambda r: "  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip()  # noqa: E731
    return [fmt(header), fmt(["-" * w for w in widths]), *map(fmt, rows)]


def table(results: dict) -> str:
    subject = results["subject"]
    lines = [f"zkp-ledger GPU run: {results['device']}", f"mode {results['mode']}, seed "
             f"{results['seed']}, {results['elapsed_s']:.0f} s of {results['budget_s']} s budget",
             f"CPU backend: {results['cpu_backend']}",
             "CPU warm-up: " + ", ".join(f"{k} {v}" for k, v in results.get("cpu_warmup", {}).items()), ""]
    if results["compile_s"]:
        lines.append("compile/load: " + ", ".join(f"{k} {v:.1f} s" for k, v in results["compile_s"].items()))
        lines.append("")
    lines += _columns(["check", "result", "detail"],
                      [[c["name"], _status(c["ok"]), c["detail"]] for c in results["checks"]])
    lines.append("")
    rows = []
    for t in results["timings"]:
        note = t.get("skipped") or t.get("error") or t.get("cpu_skipped") or ""
        ratio = "-" if t["ratio"] is None else f"{t['ratio']:.1f}x"
        rows.append([t["case"], _size(t["size"]), _ms(t["subject"]), _ms(t["cpu"]), ratio, note])
    lines += _columns(["timing", "size", f"{subject} ms", "CPU backend ms", "ratio", "note"], rows)
    failed = [c["name"] for c in results["checks"] if c["ok"] is False]
    lines += ["", f"checks: {sum(c['ok'] is True for c in results['checks'])} ok, {len(failed)} failed, "
                  f"{sum(c['ok'] is None for c in results['checks'])} skipped"]
    return "\n".join(lines) + "\n"


def write(out: Path, results: dict) -> str:
    out.mkdir(parents=True, exist_ok=True)
    text = table(results)
    (out / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    (out / "table.txt").write_text(text)
    return text
