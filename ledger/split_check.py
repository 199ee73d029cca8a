"""A split's arithmetic: the children's proved row counts and column sums add up to the parent's.

Only proved totals are compared (DatasetNotarization.columns, which verify_notarization ties to
the shard proofs), so the check needs no data. Children must prove the same columns at the same
scales as the parent, else their sums are in other units and cannot be compared. Matching totals
do not show that the rows are a partition of the parent's (the BLAKE3 row roots can be checked
for that with the files); they rule out a split that lost, added or changed rows' values in
any proved column's total.
"""

from __future__ import annotations

from collections.abc import Sequence

from engine.errors import InputError, VerificationError
from engine.notarization import DatasetNotarization


def _columns(n: DatasetNotarization) -> list[tuple[str, int]]:
    return [(c.name, c.scale) for c in n.statement.columns]


def check_comparable(parent: DatasetNotarization,
                     children: Sequence[tuple[str, DatasetNotarization]]) -> None:
    """InputError unless every child proves the parent's columns at the parent's scales."""
    want = _columns(parent)
    for label, child in children:
        if _columns(child) != want:
            show = ", ".join(f"{n} (scale {s})" for n, s in want)
            got = ", ".join(f"{n} (scale {s})" for n, s in _columns(child))
            raise InputError(f"split child {label} proves {got}; the parent proves {show}: "
                             f"notarize the child with the parent's columns and scales")


def check_totals(parent: DatasetNotarization,
                 children: Sequence[tuple[str, DatasetNotarization]]) -> None:
    """VerificationError unless counts and per-column sums of the children add up."""
    check_comparable(parent, children)
    rows = sum(child.row_count for _, child in children)
    if rows != parent.row_count:
        raise VerificationError(f"the split children hold {rows} rows together; the parent "
                                f"holds {parent.row_count}")
    for j, column in enumerate(parent.columns):
        total = sum(child.columns[j].sum for _, child in children)
        if total != column.sum:
            raise VerificationError(
                f"column {column.name}: the split children's sums add up to {total}, the "
                f"parent's sum is {column.sum} (units of 10^-{column.scale})")


def ratios(parent: DatasetNotarization, children: Sequence[DatasetNotarization]) -> list[float]:
    """Each child's share of the parent's rows."""
    return [child.row_count / parent.row_count for child in children]


__all__ = ["check_comparable", "check_totals", "ratios"]
