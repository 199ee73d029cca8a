"""Ledger entries for storage tests: well-formed, deterministic, and cheap (no proving).

The notarization is synthetic (its proofs are random bytes) but shaped like a real one, including
a column sum beyond 2^53 and scaled decimal bounds, the values that stress canonical JSON.
"""

from __future__ import annotations

import hashlib

from engine.dataset.spec import ColumnSpec, StatementSpec
from engine.notarization import ColumnTotal, DatasetNotarization, SchemaField, ShardRecord
from ledger.entries import (DatasetRef, NotarizeEntry, RecertifyEntry, SplitChild, SplitEntry,
                            TransformEntry, dataset_id)

TIME = "2026-11-26T08:00:00.123456Z"
BIG = (1 << 62) + 12345  # a per-column sum no JSON number holds exactly


def hexdigest(tag: str, n: int = 64) -> str:
    return hashlib.sha256(tag.encode()).hexdigest()[:n]


def notarization(tag: str = "a", shards: int = 2, shard_rows: int = 16) -> DatasetNotarization:
    statement = StatementSpec(columns=(
        ColumnSpec(name="qty", kind="int", scale=0, lo=-(1 << 63), hi=(1 << 63) - 1),
        ColumnSpec(name="price", kind="fixed", scale=2, lo="0", hi="99.95"),
    ), shard_rows=shard_rows)
    rows = shards * shard_rows - 3
    records = []
    for i in range(shards):
        count = shard_rows if i < shards - 1 else shard_rows - 3
        records.append(ShardRecord(index=i, start_row=i * shard_rows, count=count,
                                   commitment=hexdigest(f"{tag}-c{i}"),
                                   sums=(BIG if i == 0 else -7, 1234 * (i + 1)),
                                   proof=hexdigest(f"{tag}-p{i}") * 6))
    cols = statement.columns
    return DatasetNotarization(
        file_name=f"{tag}.csv", format="csv", byte_size=1000 + len(tag),
        file_sha256=hexdigest(f"{tag}-file"),
        data_schema=(SchemaField(name="qty", type="int64"),
                     SchemaField(name="price", type="double")),
        row_count=rows, row_root=hexdigest(f"{tag}-rows"), statement=statement, sponge_width=3,
        columns=tuple(ColumnTotal(name=c.name, count=rows, sum=sum(r.sums[j] for r in records),
                                  lo=c.lo_scaled, hi=c.hi_scaled, scale=c.scale)
                      for j, c in enumerate(cols)),
        shards=tuple(records), commitment_root=hexdigest(f"{tag}-root"),
        circuit_digest=hexdigest("circuit"), vk_hash=hexdigest("vk"), insecure_dev=True)


def notarize_entry(tag: str = "a", name: str = "sales", version: int = 1,
                   time: str = TIME, shards: int = 2) -> NotarizeEntry:
    n = notarization(tag, shards=shards)
    return NotarizeEntry(time=time, dataset=DatasetRef(
        name=name, version=version, dataset_id=dataset_id(n.file_sha256, n.row_root)),
        notarization=n, location=f"/data/{tag}.csv", backend="cpu")


def ds(tag: str) -> str:
    return "ds-" + hexdigest(f"ds-{tag}", 32)


def transform_entry(i: int, name: str = "clean", time: str = TIME) -> TransformEntry:
    out = ds(f"out-{i}")
    return TransformEntry(time=time, dataset=DatasetRef(name=name, version=1, dataset_id=out),
                          inputs=(ds(f"in-{i}"), ds("shared-input")), output=out,
                          operation="dropna", parameters={"i": i, "columns": ["qty"], "frac": 0.25},
                          code_hash="sha256:" + hexdigest(f"code-{i}"))


def split_entry(parent: str = "p", time: str = TIME) -> SplitEntry:
    return SplitEntry(time=time, dataset=DatasetRef(name="sales", version=1, dataset_id=ds(parent)),
                      parent=ds(parent), seed=42, method="random-rows",
                      children=(SplitChild(dataset_id=ds("train"), name="sales-train", version=1,
                                           ratio=0.8),
                                SplitChild(dataset_id=ds("test"), name="sales-test", version=1,
                                           ratio=0.2)))


def recertify_entry(target: str, status: str = "ok", time: str = TIME) -> RecertifyEntry:
    n = notarization("a")
    return RecertifyEntry(time=time, dataset=DatasetRef(
        name="sales", version=1, dataset_id=dataset_id(n.file_sha256, n.row_root)),
        target=target, status=status, file_sha256=n.file_sha256 if status == "ok" else None,
        row_root=n.row_root if status == "ok" else None,
        reason=None if status == "ok" else "file not found")


def entry_stream(count: int, kinds: int = 3):
    """`count` distinct small entries cycling over transform / split / recertify."""
    for i in range(count):
        k = i % kinds
        if k == 0:
            yield transform_entry(i)
        elif k == 1:
            yield split_entry(parent=f"p{i}")
        else:
            yield recertify_entry(hexdigest(f"target-{i}"))
