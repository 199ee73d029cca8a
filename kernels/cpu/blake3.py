"""BLAKE3 (default hash mode, 32-byte digest) of many byte strings at once, in Numba.

Why a kernel: a dataset's row root needs one BLAKE3 per row, and calling the blake3 package once
per row costs most of a microsecond of Python overhead per call. Here the rows come in an
Arrow-style layout (one uint8 buffer plus int64 offsets, row i = buffer[offsets[i]:offsets[i+1]])
and are hashed in parallel, each row as its own BLAKE3 input of any length (the full chunk and
parent tree above 1024 bytes). An optional one-byte prefix is hashed as if it preceded every row,
which gives the Merkle leaf domain separator (0x00) without copying the rows.

Rows of at most one chunk (1 KiB with the prefix: nearly every tabular row) are gathered LANES
at a time and compressed block by block side by side (kernels.cpu.blake3_compress); longer rows
are hashed one at a time with the scalar compression and BLAKE3's chunk tree. Bytes become
words by explicit little-endian assembly, so nothing depends on the host's byte order.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from kernels.cpu.blake3_compress import (
    BLOCK_LEN,
    CHUNK_END,
    CHUNK_LEN,
    CHUNK_START,
    IV,
    LANES,
    NO_FLAGS,
    OUT_LEN,
    PARENT,
    ROOT,
    U32,
    compress,
    compress_lanes,
    set_iv_lanes,
    store_lane,
)

MAX_DEPTH = 54  # parent-stack depth: 2^54 chunks of 1 KiB is the 2^64-byte limit of BLAKE3
ROWS_PER_TASK = 2048  # rows per parallel task (scratch buffers are allocated once per task)
NO_PREFIX = -1


@njit(cache=True)
def load_word(b, i):
    """The little-endian uint32 at b[i:i+4] (b: uint8 array, 0 <= i).

    Unsigned indices spare Numba's negative-index fix-up, so LLVM can merge the four byte
    loads into one."""
    j = np.uint64(i)
    return U32(U32(b[j]) | (U32(b[j + np.uint64(1)]) << U32(8))
               | (U32(b[j + np.uint64(2)]) << U32(16)) | (U32(b[j + np.uint64(3)]) << U32(24)))


@njit(cache=True)
def store_cv(cv, out, i):
    """Write the 8-word chaining value cv as 32 little-endian bytes into out[i, :]."""
    for k in range(8):
        w = cv[k]
        for t in range(4):
            out[i, 4 * k + t] = np.uint8((w >> U32(8 * t)) & U32(0xFF))


@njit(cache=True)
def _stage_block(buf, lo, total, prefix, pos, w, lane, stride):
    """Load input bytes [pos, pos + 64) as 16 little-endian words into w[k * stride + lane],
    zero-padded; return how many bytes are real.

    The input is buf[lo:lo + total] when prefix < 0, else the byte `prefix` followed by
    buf[lo:lo + total - 1]. Whole words are one unaligned 4-byte load each; only the word
    holding the prefix and a last partial word are assembled byte by byte.
    """
    n = min(BLOCK_LEN, total - pos)
    first = 0  # block positions below `first` hold the prefix, not buffer bytes
    src = lo + pos
    if prefix >= 0:
        src -= 1
        if pos == 0:
            first = 1
    for k in range(16):
        a = 4 * k
        if a >= first and a + 4 <= n:
            x = load_word(buf, src + a)
        elif a >= n:
            x = U32(0)
        else:
            x = U32(0)
            for t in range(4):
                j = a + t
                if j < first:
                    x = U32(x | U32(prefix))
                elif j < n:
                    x = U32(x | (U32(buf[src + j]) << U32(8 * t)))
        w[k * stride + lane] = x
    return n


@njit(cache=True)
def _block_tuple(w):
    """The 16 message words of a scratch array as a tuple (the form `compress` takes)."""
    return (w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7],
            w[8], w[9], w[10], w[11], w[12], w[13], w[14], w[15])


@njit(cache=True)
def _chunk_cv(buf, lo, total, prefix, chunk, flags_last, w):
    """Chaining value of chunk `chunk` of the input; flags_last is OR-ed into its last block."""
    start = chunk * CHUNK_LEN
    end = min(total, start + CHUNK_LEN)
    n_blocks = max(1, (end - start + BLOCK_LEN - 1) // BLOCK_LEN)
    cv = IV
    for b in range(n_blocks):
        n = _stage_block(buf, lo, total, prefix, start + b * BLOCK_LEN, w, 0, 1)
        flags = CHUNK_START if b == 0 else NO_FLAGS
        if b == n_blocks - 1:
            flags = U32(flags | CHUNK_END | flags_last)
        cv = compress(cv, _block_tuple(w), chunk, U32(n), flags)
    return cv


@njit(cache=True)
def _parent_cv(left, right, flags):
    return compress(IV, left + right, 0, U32(BLOCK_LEN), U32(PARENT | flags))


@njit(cache=True)
def _stacked_cv(stack, depth):
    return (stack[depth, 0], stack[depth, 1], stack[depth, 2], stack[depth, 3],
            stack[depth, 4], stack[depth, 5], stack[depth, 6], stack[depth, 7])


@njit(cache=True)
def hash_one(buf, lo, total, prefix, w, stack):
    """BLAKE3 of one input (see _stage_block for how buf, lo, total and prefix define it).

    w: a 16-word uint32 scratch array; stack: a (MAX_DEPTH, 8) uint32 scratch array.

    Inputs of one chunk finish with the ROOT flag on the chunk's last block. Longer inputs fold
    chunk chaining values into the BLAKE3 tree: a stack of complete left subtrees is merged
    whenever the chunk count gains a trailing zero bit; the last chunk then folds the stack from
    the top, the final parent carrying ROOT (the left subtree always holds the largest power
    of two of chunks, as the BLAKE3 spec requires).
    """
    n_chunks = max(1, (total + CHUNK_LEN - 1) // CHUNK_LEN)
    if n_chunks == 1:
        return _chunk_cv(buf, lo, total, prefix, 0, ROOT, w)
    depth = 0
    for c in range(n_chunks - 1):
        cv = _chunk_cv(buf, lo, total, prefix, c, NO_FLAGS, w)
        done = c + 1
        while done & 1 == 0:
            depth -= 1
            cv = _parent_cv(_stacked_cv(stack, depth), cv, NO_FLAGS)
            done >>= 1
        for k in range(8):
            stack[depth, k] = cv[k]
        depth += 1
    cv = _chunk_cv(buf, lo, total, prefix, n_chunks - 1, NO_FLAGS, w)
    while depth > 0:
        depth -= 1
        cv = _parent_cv(_stacked_cv(stack, depth), cv, ROOT if depth == 0 else NO_FLAGS)
    return cv


@njit(inline="always", cache=True)
def _last_block(total):
    """Index of the last block of a one-chunk input (an empty input has one empty block)."""
    return max(0, total - 1) // BLOCK_LEN


@njit(cache=True)
def _hash_batch(buf, prefix, los, totals, rows, count, cv, m, block_len, flags, out):
    """Hash rows rows[0:count] (each one chunk: at most 1 KiB with the prefix) in lanes.

    Lane l holds row rows[l], starting at buffer offset los[l], totals[l] input bytes. Block b of
    every lane is compressed in the same call; a lane whose row has fewer blocks keeps being
    compressed (on stale words) after its last block, but its digest was stored at that block.
    """
    n_blocks = 1
    for lane in range(count):
        n_blocks = max(n_blocks, _last_block(totals[lane]) + 1)
    set_iv_lanes(cv)
    for b in range(n_blocks):
        for lane in range(count):
            last = _last_block(totals[lane])
            if b <= last:
                block_len[lane] = _stage_block(buf, los[lane], totals[lane], prefix,
                                               b * BLOCK_LEN, m, lane, LANES)
            flags[lane] = U32((CHUNK_START if b == 0 else NO_FLAGS)
                              | ((CHUNK_END | ROOT) if b == last else NO_FLAGS))
        compress_lanes(cv, m, block_len, flags)
        for lane in range(count):
            if b == _last_block(totals[lane]):
                store_lane(cv, lane, out, rows[lane])


@njit(parallel=True, cache=True)
def _hash_rows(buf, offsets, prefix, out):
    """Rows of one chunk (at most 1 KiB with the prefix) are gathered LANES at a time and
    compressed side by side; longer rows take the scalar path, one row at a time."""
    n = offsets.shape[0] - 1
    extra = 1 if prefix >= 0 else 0
    n_tasks = (n + ROWS_PER_TASK - 1) // ROWS_PER_TASK
    for t in prange(n_tasks):
        cv = np.empty(8 * LANES, np.uint32)
        m = np.zeros(16 * LANES, np.uint32)
        block_len = np.zeros(LANES, np.uint32)
        flags = np.zeros(LANES, np.uint32)
        los = np.empty(LANES, np.int64)
        totals = np.empty(LANES, np.int64)
        rows = np.empty(LANES, np.int64)
        w = np.empty(16, np.uint32)
        stack = np.empty((MAX_DEPTH, 8), np.uint32)
        filled = 0
        for i in range(t * ROWS_PER_TASK, min(n, (t + 1) * ROWS_PER_TASK)):
            lo = offsets[i]
            total = offsets[i + 1] - lo + extra
            if total > CHUNK_LEN:
                store_cv(hash_one(buf, lo, total, prefix, w, stack), out, i)
                continue
            los[filled], totals[filled], rows[filled] = lo, total, i
            filled += 1
            if filled == LANES:
                _hash_batch(buf, prefix, los, totals, rows, filled, cv, m, block_len, flags, out)
                filled = 0
        if filled:
            _hash_batch(buf, prefix, los, totals, rows, filled, cv, m, block_len, flags, out)


def hash_rows(buffer: np.ndarray, offsets: np.ndarray, prefix: int | None = None) -> np.ndarray:
    """BLAKE3 digests of rows buffer[offsets[i]:offsets[i+1]], as an (n, 32) uint8 array.

    buffer: 1-D uint8; offsets: 1-D int64 of length n + 1, non-decreasing, within the buffer
    (offsets[0] need not be 0, as with a sliced Arrow array). prefix: a byte value hashed before
    every row (e.g. 0 for Merkle leaves), or None.
    """
    buffer = np.ascontiguousarray(buffer)
    offsets = np.ascontiguousarray(offsets)
    if buffer.dtype != np.uint8 or buffer.ndim != 1:
        raise ValueError(f"buffer must be a 1-D uint8 array, got {buffer.dtype} {buffer.shape}")
    if offsets.dtype != np.int64 or offsets.ndim != 1 or offsets.shape[0] < 1:
        raise ValueError(f"offsets must be a non-empty 1-D int64 array, got {offsets.dtype} "
                         f"{offsets.shape}")
    if offsets[0] < 0 or offsets[-1] > buffer.shape[0] or np.any(np.diff(offsets) < 0):
        raise ValueError("offsets must be non-decreasing and lie within the buffer "
                         f"(buffer length {buffer.shape[0]})")
    if prefix is not None and not 0 <= prefix <= 255:
        raise ValueError(f"prefix must be a byte value 0..255, got {prefix}")
    out = np.empty((offsets.shape[0] - 1, OUT_LEN), dtype=np.uint8)
    _hash_rows(buffer, offsets, NO_PREFIX if prefix is None else int(prefix), out)
    return out
