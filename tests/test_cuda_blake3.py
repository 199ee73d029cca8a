"""The CUDA BLAKE3 kernels without a GPU: the per-thread bodies of blake3.cuh compiled for the host
(tests/cuda/blake3_host.cpp) against the official vectors, the blake3 package and the CPU kernels.
"""

from __future__ import annotations

import json
from pathlib import Path

import blake3
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kernels.cpu.blake3 import hash_rows as cpu_hash_rows
from kernels.cpu.blake3_merkle import parents as cpu_parents
from kernels.cuda import blake3 as launch
from support.cuda_host import call, host_library
from support.gpu import requires_gpu
from support.host_device import launcher, use_host_device

VECTORS = Path(__file__).resolve().parent / "fixtures" / "vectors" / "blake3" / "test_vectors.json"
BOUNDARIES = [0, 1, 2, 3, 4, 5, 31, 32, 63, 64, 65, 127, 128, 129, 1023, 1024, 1025, 2047, 2048,
              2049, 3071, 3072, 3073, 4095, 4096, 4097, 8191, 8192, 8193, 16383, 16384, 16385]


@pytest.fixture(scope="module")
def lib():
    return host_library(["blake3_host.cpp"], "blake3")


def layout(rows: list[bytes], start: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Arrow-style buffer + int64 offsets, the first row at byte `start` (bytes before it: 0xEE)."""
    buf = np.frombuffer(b"\xee" * start + b"".join(rows) + b"\xee", dtype=np.uint8).copy()
    offsets = start + np.concatenate([[0], np.cumsum([len(r) for r in rows])]).astype(np.int64)
    return buf, offsets


def host_rows(lib, rows: list[bytes], prefix: int | None = None, start: int = 0) -> list[bytes]:
    buf, offsets = layout(rows, start)
    out = np.zeros((len(rows), 32), dtype=np.uint8)
    call(lib.h_b3_rows, buf, offsets, len(rows), -1 if prefix is None else prefix, out)
    return [row.tobytes() for row in out]


def host_parents(lib, level: np.ndarray) -> np.ndarray:
    """One Merkle level up, the way kernels/cuda/blake3.py drives the kernel (lone last promoted)."""
    m = level.shape[0]
    out = np.zeros(((m + 1) // 2, 32), dtype=np.uint8)
    call(lib.h_b3_parents, np.ascontiguousarray(level), m // 2, out)
    if m % 2:
        out[-1] = level[-1]
    return out


def reference(rows: list[bytes], prefix: int | None = None) -> list[bytes]:
    head = b"" if prefix is None else bytes([prefix])
    return [blake3.blake3(head + r).digest() for r in rows]


def test_official_vectors(lib):
    cases = json.loads(VECTORS.read_text())["cases"]
    rows = [bytes(i % 251 for i in range(case["input_len"])) for case in cases]
    assert len(cases) == 35 and max(map(len, rows)) == 102400  # up to 100 chunks: a deep tree
    for case, digest in zip(cases, host_rows(lib, rows), strict=True):
        assert digest.hex() == case["hash"][:64], f"input_len {case['input_len']}"


@pytest.mark.parametrize("prefix", [None, 0x00, 0x01, 0xFF])
def test_block_and_chunk_boundaries(lib, prefix):
    rows = [bytes((7 * i + length) % 256 for i in range(length)) for length in BOUNDARIES]
    assert host_rows(lib, rows, prefix) == reference(rows, prefix)


@settings(max_examples=40, deadline=None)
@given(rows=st.lists(st.binary(max_size=2200), max_size=12),
       prefix=st.one_of(st.none(), st.integers(0, 255)),
       start=st.integers(0, 9))
def test_random_rows_match_the_blake3_package(lib, rows, prefix, start):
    assert host_rows(lib, rows, prefix, start) == reference(rows, prefix)


def test_rows_equal_the_cpu_kernel(lib):
    rng = np.random.default_rng(5)
    rows = [rng.bytes(int(n)) for n in rng.integers(0, 1500, size=2000)]
    buf, offsets = layout(rows, 3)
    want = cpu_hash_rows(buf, offsets, prefix=0)
    assert host_rows(lib, rows, 0, 3) == [r.tobytes() for r in want]


@pytest.mark.parametrize("m", [1, 2, 3, 7, 16, 33])
def test_merkle_level_equals_the_cpu_kernel_and_the_definition(lib, m):
    level = np.random.default_rng(m).integers(0, 256, size=(m, 32), dtype=np.uint8)
    got = host_parents(lib, level)
    assert np.array_equal(got, cpu_parents(level))
    for i in range(m // 2):
        node = blake3.blake3(b"\x01" + level[2 * i].tobytes() + level[2 * i + 1].tobytes())
        assert got[i].tobytes() == node.digest()


def test_merkle_root_of_leaves(lib):
    # leaves with the 0x00 prefix, then levels up to one root: the RFC 6962 shape for 5 leaves
    rows = [b"row-%d" % i for i in range(5)]
    level = np.frombuffer(b"".join(host_rows(lib, rows, 0)), dtype=np.uint8).reshape(-1, 32)
    while level.shape[0] > 1:
        level = host_parents(lib, level)
    leaf = [blake3.blake3(b"\x00" + r).digest() for r in rows]

    def node(a, b):
        return blake3.blake3(b"\x01" + a + b).digest()

    assert level[0].tobytes() == node(node(node(leaf[0], leaf[1]), node(leaf[2], leaf[3])), leaf[4])


# ---- the launchers (kernels/cuda/blake3.py) over the host kernels -------------------------------

@pytest.fixture
def host_gpu(monkeypatch, lib):
    use_host_device(monkeypatch, {"blake3_rows": launcher(lib.h_b3_rows),
                                  "blake3_parents": launcher(lib.h_b3_parents)})


@pytest.mark.parametrize("prefix", [None, 0, 0x01])
def test_launcher_rows_equal_the_cpu_kernel(host_gpu, prefix):
    rng = np.random.default_rng(11)
    rows = [rng.bytes(int(n)) for n in rng.integers(0, 2500, size=300)] + [b""]
    buf, offsets = layout(rows, 2)
    assert np.array_equal(launch.hash_rows(buf, offsets, prefix), cpu_hash_rows(buf, offsets, prefix))


def test_launcher_handles_no_rows_and_an_empty_buffer(host_gpu):
    empty = np.zeros(0, dtype=np.uint8)
    assert launch.hash_rows(empty, np.zeros(1, dtype=np.int64)).shape == (0, 32)
    out = launch.hash_rows(empty, np.zeros(3, dtype=np.int64), prefix=0)
    assert [r.tobytes() for r in out] == reference([b"", b""], 0)


@pytest.mark.parametrize("buffer, offsets, prefix, match", [
    (np.zeros(4, np.int8), np.array([0, 4]), None, "1-D uint8"),
    (np.zeros(4, np.uint8), np.array([0, 4], np.int32), None, "int64"),
    (np.zeros(4, np.uint8), np.array([0, 5]), None, "within the buffer"),
    (np.zeros(4, np.uint8), np.array([3, 1]), None, "non-decreasing"),
    (np.zeros(4, np.uint8), np.array([0, 4]), 256, "0..255"),
])
def test_launcher_rejects_what_the_cpu_kernel_rejects(host_gpu, buffer, offsets, prefix, match):
    for fn in (launch.hash_rows, cpu_hash_rows):
        with pytest.raises(ValueError, match=match):
            fn(buffer, offsets, prefix)


@pytest.mark.parametrize("m", [1, 2, 5, 64, 99])
def test_launcher_levels_and_root(host_gpu, m):
    level = np.random.default_rng(m).integers(0, 256, size=(m, 32), dtype=np.uint8)
    assert np.array_equal(launch.parents(level), cpu_parents(level))
    want = level
    while want.shape[0] > 1:
        want = cpu_parents(want)
    root = launch.merkle_root_device(launch.module.cupy().asarray(level))
    assert root.get().tobytes() == want[0].tobytes()
    with pytest.raises(ValueError, match="non-empty"):
        launch.parents(np.zeros((0, 32), np.uint8))


@pytest.mark.gpu
@requires_gpu
def test_device_rows_and_levels_equal_the_cpu_kernels():
    from kernels.cuda import blake3 as gpu

    rng = np.random.default_rng(9)
    rows = [rng.bytes(int(n)) for n in rng.integers(0, 3000, size=4000)]
    buf, offsets = layout(rows, 5)
    for prefix in (None, 0):
        assert np.array_equal(gpu.hash_rows(buf, offsets, prefix), cpu_hash_rows(buf, offsets, prefix))
    level = cpu_hash_rows(buf, offsets, 0)
    assert np.array_equal(gpu.parents(level), cpu_parents(level))
