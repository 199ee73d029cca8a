"""Ledger storage: durable appends, lookups, inclusion and consistency proofs on a 1M-entry log,
and verify_chain over 100k entries (the issue's benchmark list).

The entries are transform entries of ~430 bytes (lineage records: two inputs, an output, a code
hash), built and appended in batches of 10,000 per transaction (`Journal.append_many`, the bulk
import path); durable appends are one entry per synced transaction, the CLI's path.

Run the suite: `pytest benchmarks/bench_ledger.py --benchmark-only` (building the 1M-entry ledger
takes minutes; ZKP_BENCH_LEDGER_ENTRIES and ZKP_BENCH_LEDGER_CHAIN shrink the sizes).
Print the numbers as JSON: `python -m benchmarks.bench_ledger [--entries N] [--chain N] [--dir D]`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import tempfile
import time
from pathlib import Path

import pytest

from engine.merkle import SHA256, verify_consistency, verify_inclusion
from ledger.chain import verify_chain
from ledger.entries import DatasetRef, TransformEntry, utc_now
from ledger.journal import Journal
from ledger.store import Store

ENTRIES = int(os.environ.get("ZKP_BENCH_LEDGER_ENTRIES", 1_000_000))
CHAIN = int(os.environ.get("ZKP_BENCH_LEDGER_CHAIN", 100_000))
BATCH = 10_000


def _hex(tag: str, n: int = 64) -> str:
    return hashlib.sha256(tag.encode()).hexdigest()[:n]


def transform(i: int) -> TransformEntry:
    out = "ds-" + _hex(f"out-{i}", 32)
    return TransformEntry(time=utc_now(), dataset=DatasetRef(name=f"set-{i % 97}", version=1,
                                                             dataset_id=out),
                          inputs=("ds-" + _hex(f"in-{i}", 32), "ds-" + _hex(f"in-{i + 1}", 32)),
                          output=out, operation="filter-rows", parameters={"row": i, "keep": "odd"},
                          code_hash="sha256:" + _hex(f"code-{i % 13}"))


def build(path: Path, count: int) -> tuple[Journal, list[str], float]:
    """A ledger of `count` entries; a sample of 1 in 100 entry ids; entries/s while building."""
    journal = Journal(Store(path))
    sample: list[str] = []
    started = time.perf_counter()
    for start in range(0, count, BATCH):
        done = journal.append_many(transform(i) for i in range(start, min(count, start + BATCH)))
        sample += [d.entry_id for d in done[::100]]
    return journal, sample, count / (time.perf_counter() - started)


def durable_appends(journal: Journal, count: int = 200) -> float:
    started = time.perf_counter()
    for i in range(count):
        journal.append(transform(10_000_000 + i))
    return count / (time.perf_counter() - started)


def rate(fn, items) -> float:
    started = time.perf_counter()
    for item in items:
        fn(item)
    return len(items) / (time.perf_counter() - started)


def measure(workdir: Path, entries: int = ENTRIES, chain: int = CHAIN, seed: int = 7) -> dict:
    """Every number of the module doc, as a dict (rates per second, times in seconds)."""
    rng = random.Random(seed)
    big, ids, build_rate = build(workdir / "big", entries)
    size = big.size()
    picks = [rng.randrange(size) for _ in range(2000)]
    root = big.log.root()
    for index in picks[:50]:  # the proofs are right, not just fast
        verify_inclusion(SHA256, index, size, big.log.leaf_hash(index),
                         big.log.inclusion_proof(index), root)
    old = size // 3
    verify_consistency(SHA256, old, size, big.log.consistency_proof(old), big.log.root(old), root)
    small, _, _ = build(workdir / "chain", chain)
    started = time.perf_counter()
    report = verify_chain(small.store)
    chain_s = time.perf_counter() - started
    assert report.ok, report.first
    sample = [rng.choice(ids) for _ in range(20_000)]
    return {
        "machine": f"{os.cpu_count()} CPUs",
        "entries": size,
        "entry_bytes": len(big.data(0)),
        "bulk_appends_per_s": round(build_rate),
        "durable_appends_per_s": round(durable_appends(big), 1),
        "id_lookups_per_s": round(rate(big.index_of, sample)),
        "entry_reads_per_s": round(rate(big.entry, picks)),
        "root_per_s": round(rate(lambda n: big.log.root(n), [rng.randrange(1, size) for _ in
                                                             range(2000)])),
        "inclusion_proofs_per_s": round(rate(big.log.inclusion_proof, picks)),
        "consistency_proofs_per_s": round(rate(lambda m: big.log.consistency_proof(m),
                                               [rng.randrange(1, size) for _ in range(2000)])),
        "verify_chain_entries": report.size,
        "verify_chain_s": round(chain_s, 2),
        "data_mb": round((workdir / "big" / "data.mdb").stat().st_size / 2**20, 1),
    }


# --- pytest-benchmark ---

@pytest.fixture(scope="module")
def big(tmp_path_factory):
    journal, ids, _ = build(tmp_path_factory.mktemp("ledger") / "big", ENTRIES)
    return journal, ids


@pytest.fixture(scope="module")
def chain_store(tmp_path_factory):
    journal, _, _ = build(tmp_path_factory.mktemp("ledger") / "chain", CHAIN)
    return journal.store


def test_durable_append(benchmark, tmp_path):
    journal = Journal(Store(tmp_path / "lmdb"))
    counter = iter(range(1 << 30))
    benchmark.pedantic(lambda: journal.append(transform(next(counter))), rounds=100, iterations=1)
    assert verify_chain(journal.store).ok


def test_bulk_append_10k(benchmark, tmp_path):
    journal = Journal(Store(tmp_path / "lmdb"))
    entries = [transform(i) for i in range(BATCH)]
    benchmark.pedantic(journal.append_many, args=(entries,), rounds=3, iterations=1)
    assert journal.size() == 3 * BATCH


def test_id_lookup(benchmark, big):
    journal, ids = big
    eid = ids[len(ids) // 2]
    assert benchmark(journal.index_of, eid) == (len(ids) // 2) * 100


def test_entry_read(benchmark, big):
    journal, _ = big
    assert benchmark(journal.entry, journal.size() // 2).kind == "transform"


def test_inclusion_proof_1m(benchmark, big):
    journal, _ = big
    size, index = journal.size(), journal.size() * 2 // 3
    proof = benchmark(journal.log.inclusion_proof, index)
    verify_inclusion(SHA256, index, size, journal.log.leaf_hash(index), proof, journal.log.root())


def test_consistency_proof_1m(benchmark, big):
    journal, _ = big
    size, old = journal.size(), journal.size() // 3 + 1
    proof = benchmark(journal.log.consistency_proof, old)
    verify_consistency(SHA256, old, size, proof, journal.log.root(old), journal.log.root())


def test_verify_chain_100k(benchmark, chain_store):
    report = benchmark.pedantic(verify_chain, args=(chain_store,), rounds=1, iterations=1)
    assert report.ok and report.size == CHAIN


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=ENTRIES)
    parser.add_argument("--chain", type=int, default=CHAIN)
    parser.add_argument("--dir", type=Path, help="work directory (default: a temporary one)")
    args = parser.parse_args()
    if args.dir:
        args.dir.mkdir(parents=True, exist_ok=True)
        print(json.dumps(measure(args.dir, args.entries, args.chain), indent=2))
        return
    with tempfile.TemporaryDirectory() as work:
        print(json.dumps(measure(Path(work), args.entries, args.chain), indent=2))


if __name__ == "__main__":
    main()
