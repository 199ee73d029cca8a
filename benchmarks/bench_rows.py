"""BLAKE3 row leaves + RFC 6962 Merkle root for 1M rows of ~40 bytes (30-50, deterministic):
the Numba kernels against the blake3 package called once per row (and per node) from Python.

Run: `pytest benchmarks/bench_rows.py --benchmark-only --benchmark-group-by=group`. The kernels
are compiled outside the timed calls. The goal on a 2-core machine is rows + root under 0.5 s.
"""

from __future__ import annotations

import blake3
import numpy as np
import pytest

from engine.merkle import BLAKE3, Hasher, root

N_ROWS = 1_000_000
PLAIN = Hasher("blake3-per-item", 32, BLAKE3.hash_bytes)  # no bulk kernels: one call per hash


@pytest.fixture(scope="module")
def rows() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(2024)
    lengths = rng.integers(30, 51, size=N_ROWS)
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    buffer = rng.integers(0, 256, size=int(offsets[-1]), dtype=np.uint8)
    BLAKE3.leaves(buffer, offsets[:3])  # compile
    root(BLAKE3, BLAKE3.leaves(buffer, offsets[:5]))
    return buffer, offsets


@pytest.fixture(scope="module")
def row_bytes(rows) -> list[bytes]:
    buffer, offsets = rows
    raw = buffer.tobytes()
    return [raw[a:b] for a, b in zip(offsets[:-1].tolist(), offsets[1:].tolist())]


def kernel_leaves_and_root(buffer, offsets) -> bytes:
    return root(BLAKE3, BLAKE3.leaves(buffer, offsets))


def package_leaves(row_bytes) -> list[bytes]:
    return [blake3.blake3(b"\x00" + r).digest() for r in row_bytes]


def package_leaves_and_root(row_bytes) -> bytes:
    return root(PLAIN, package_leaves(row_bytes))


@pytest.mark.benchmark(group="rows-1M: leaves")
def test_leaves_kernel(benchmark, rows):
    out = benchmark.pedantic(BLAKE3.leaves, args=rows, rounds=5, iterations=1)
    assert out.shape == (N_ROWS, 32)


@pytest.mark.benchmark(group="rows-1M: leaves")
def test_leaves_blake3_package_loop(benchmark, rows, row_bytes):
    out = benchmark.pedantic(package_leaves, args=(row_bytes,), rounds=1, iterations=1)
    assert out[-1] == BLAKE3.leaves(*rows)[-1].tobytes()


@pytest.mark.benchmark(group="rows-1M: leaves + Merkle root")
def test_rows_and_root_kernels(benchmark, rows):
    got = benchmark.pedantic(kernel_leaves_and_root, args=rows, rounds=5, iterations=1)
    assert len(got) == 32


@pytest.mark.benchmark(group="rows-1M: leaves + Merkle root")
def test_rows_and_root_blake3_package_loop(benchmark, rows, row_bytes):
    got = benchmark.pedantic(package_leaves_and_root, args=(row_bytes,), rounds=1, iterations=1)
    assert got == kernel_leaves_and_root(*rows)
