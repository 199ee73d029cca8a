"""BLAKE3 row hashing and the Merkle-level kernel vs the official vectors and the blake3 package."""

from __future__ import annotations

import json
from pathlib import Path

import blake3
import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kernels.cpu.blake3 import hash_rows
from kernels.cpu.blake3_merkle import parents

VECTORS = Path(__file__).resolve().parents[1] / "fixtures" / "vectors" / "blake3"


def layout(rows: list[bytes], start: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Arrow-style buffer + int64 offsets for rows, the first row starting at byte `start`."""
    buf = np.frombuffer(b"\xee" * start + b"".join(rows), dtype=np.uint8)
    offsets = start + np.concatenate([[0], np.cumsum([len(r) for r in rows])]).astype(np.int64)
    return buf, offsets


def reference(rows: list[bytes], prefix: int | None = None) -> list[bytes]:
    head = b"" if prefix is None else bytes([prefix])
    return [blake3.blake3(head + r).digest() for r in rows]


def as_list(out: np.ndarray) -> list[bytes]:
    assert out.dtype == np.uint8 and out.shape[1:] == (32,)
    return [row.tobytes() for row in out]


def test_official_vectors_default_hash():
    doc = json.loads((VECTORS / "test_vectors.json").read_text())
    cases = doc["cases"]
    # "filled with a repeating sequence of 251 bytes: 0, 1, 2, ..., 250, 0, 1, ..."
    rows = [bytes(i % 251 for i in range(case["input_len"])) for case in cases]
    assert len(cases) == 35 and max(len(r) for r in rows) == 102400
    out = hash_rows(*layout(rows))
    for case, digest in zip(cases, as_list(out), strict=True):
        assert digest.hex() == case["hash"][:64], f"input_len {case['input_len']}"


BOUNDARIES = [0, 1, 2, 3, 4, 5, 31, 32, 63, 64, 65, 127, 128, 129, 1023, 1024, 1025, 2047, 2048,
              2049, 3071, 3072, 3073, 4095, 4096, 4097, 8191, 8192, 8193, 16383, 16384, 16385]


@pytest.mark.parametrize("prefix", [None, 0x00, 0x01, 0xFF])
def test_block_and_chunk_boundaries(prefix):
    # with a prefix byte the hashed input is one byte longer: both sides of every boundary
    rows = [bytes((7 * i + length) % 256 for i in range(length)) for length in BOUNDARIES]
    assert as_list(hash_rows(*layout(rows), prefix=prefix)) == reference(rows, prefix)


@settings(max_examples=40, deadline=None)
@given(rows=st.lists(st.binary(max_size=2200), max_size=12),
       prefix=st.one_of(st.none(), st.integers(0, 255)),
       start=st.integers(0, 9))
def test_random_rows_match_the_blake3_package(rows, prefix, start):
    assert as_list(hash_rows(*layout(rows, start), prefix=prefix)) == reference(rows, prefix)


def test_many_short_rows_match_the_blake3_package():
    rng = np.random.default_rng(3)
    rows = [rng.bytes(int(n)) for n in rng.integers(0, 100, size=5000)]
    assert as_list(hash_rows(*layout(rows), prefix=0)) == reference(rows, 0)


def test_mixed_lengths_share_lane_batches():
    # one-chunk rows of 1..17 blocks side by side, with longer rows (scalar path) in between
    rng = np.random.default_rng(4)
    rows = [rng.bytes(int(n)) for n in rng.integers(0, 1100, size=3000)]
    assert as_list(hash_rows(*layout(rows), prefix=0)) == reference(rows, 0)


def test_sliced_arrow_large_binary_array():
    values = [b"alpha", b"", b"\x00" * 70, b"gamma" * 300, b"delta"]
    arr = pa.array(values, type=pa.large_binary()).slice(1, 3)
    _, offsets_buf, data_buf = arr.buffers()
    offsets = np.frombuffer(offsets_buf, dtype=np.int64)[arr.offset:arr.offset + len(arr) + 1]
    buf = np.frombuffer(data_buf, dtype=np.uint8)
    assert offsets[0] > 0
    assert as_list(hash_rows(buf, offsets, prefix=0)) == reference(values[1:4], 0)


def test_no_rows():
    out = hash_rows(np.zeros(0, np.uint8), np.zeros(1, np.int64))
    assert out.shape == (0, 32) and out.dtype == np.uint8


def test_inputs_are_not_modified():
    buf, offsets = layout([b"abc", b"defgh"])
    before = (buf.copy(), offsets.copy())
    hash_rows(buf, offsets, prefix=0)
    assert np.array_equal(buf, before[0]) and np.array_equal(offsets, before[1])


@pytest.mark.parametrize("buf, offsets, prefix, match", [
    (np.zeros(4, np.int8), np.array([0, 4], np.int64), None, "buffer must be a 1-D uint8"),
    (np.zeros((2, 2), np.uint8), np.array([0, 4], np.int64), None, "buffer must be a 1-D uint8"),
    (np.zeros(4, np.uint8), np.array([0, 4], np.int32), None, "offsets must be a non-empty 1-D"),
    (np.zeros(4, np.uint8), np.zeros(0, np.int64), None, "offsets must be a non-empty 1-D"),
    (np.zeros(4, np.uint8), np.array([0, 5], np.int64), None, "within the buffer"),
    (np.zeros(4, np.uint8), np.array([-1, 2], np.int64), None, "within the buffer"),
    (np.zeros(4, np.uint8), np.array([0, 3, 2], np.int64), None, "non-decreasing"),
    (np.zeros(4, np.uint8), np.array([0, 4], np.int64), 256, "prefix must be a byte"),
    (np.zeros(4, np.uint8), np.array([0, 4], np.int64), -1, "prefix must be a byte"),
])
def test_malformed_layout_is_rejected(buf, offsets, prefix, match):
    with pytest.raises(ValueError, match=match):
        hash_rows(buf, offsets, prefix=prefix)


@pytest.mark.parametrize("m", [1, 2, 3, 4, 5, 8, 9, 33, 100, 8193])  # 8193: two tasks
def test_parents_match_the_blake3_package(m):
    level = np.random.default_rng(m).integers(0, 256, size=(m, 32), dtype=np.uint8)
    want = [blake3.blake3(b"\x01" + level[i].tobytes() + level[i + 1].tobytes()).digest()
            for i in range(0, m - 1, 2)]
    if m % 2:
        want.append(level[-1].tobytes())  # a lone last node is promoted unchanged
    assert as_list(parents(level)) == want


@pytest.mark.parametrize("level", [
    np.zeros((0, 32), np.uint8), np.zeros((4, 31), np.uint8), np.zeros(64, np.uint8),
    np.zeros((4, 32), np.uint16),
])
def test_parents_rejects_malformed_levels(level):
    with pytest.raises(ValueError, match="Merkle level must be"):
        parents(level)
