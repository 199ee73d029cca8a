"""The small item dataset the notarize and ledger tests share, and their shard-key cache.

Rows have an int id, a 2-decimal price in [-49.99, 50.00], a text label and an int qty in
[0, 1000]; every value is a pure function of the id, so a test can rebuild any subset.
`key_cache` (module-scoped, autouse where imported) points ZKP_LEDGER_CACHE at one folder per
test session: shard proving keys are content-addressed and written atomically, so modules share
them and each circuit shape is set up once.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path

import pytest


def item_rows(ids: int | Iterable[int]) -> list[dict]:
    """Rows for ids (an int n means ids 0..n-1)."""
    ids = range(ids) if isinstance(ids, int) else ids
    return [{"id": i, "price": f"{(i * 7919 % 9999 - 4999) / 100:.2f}", "label": f"item-{i}",
             "qty": i * 37 % 1001} for i in ids]


def write_csv(path: Path, rows: list[dict]) -> Path:
    with open(path, "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def price_cents(rows: list[dict]) -> int:
    """The price column's sum in proved (scale 2) units."""
    return int(sum(Decimal(r["price"]) for r in rows) * 100)


@pytest.fixture(scope="module", autouse=True)
def key_cache(tmp_path_factory):
    path = tmp_path_factory.getbasetemp() / "ledger-key-cache"
    path.mkdir(exist_ok=True)
    mp = pytest.MonkeyPatch()
    mp.setenv("ZKP_LEDGER_CACHE", str(path))
    yield path
    mp.undo()
