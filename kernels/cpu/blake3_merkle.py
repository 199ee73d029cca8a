"""One level of the BLAKE3 row Merkle tree: the parents of adjacent pairs of 32-byte digests.

parent = BLAKE3(0x01 || left || right), a 65-byte input: two compressions of one chunk. The
prefix byte shifts the 64-byte pair by one byte, so message word k of the first block splices
two adjacent pair words, (P_k << 8) | (P_{k-1} >> 24) with 0x01 in the place of P_{-1}'s top
byte; the second block holds the single byte P_15 >> 24. Pairs are hashed LANES at a time with
the side-by-side compression of kernels.cpu.blake3_compress.

A lone last digest (odd level length) is promoted unchanged, which with the bottom-up pairing
gives exactly the RFC 6962 tree shape (split at the largest power of two below the size).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from kernels.cpu.blake3 import load_word
from kernels.cpu.blake3_compress import (
    BLOCK_LEN,
    CHUNK_END,
    CHUNK_START,
    LANES,
    OUT_LEN,
    ROOT,
    U32,
    compress_lanes,
    set_iv_lanes,
    store_lane,
)

NODE_PREFIX = 0x01
BATCHES_PER_TASK = 256  # a parallel task hashes 256 batches of LANES pairs


@njit(parallel=True, cache=True)
def _parents(flat, n_pairs, out):
    n_batches = (n_pairs + LANES - 1) // LANES
    n_tasks = (n_batches + BATCHES_PER_TASK - 1) // BATCHES_PER_TASK
    for t in prange(n_tasks):
        cv = np.empty(8 * LANES, np.uint32)
        m = np.empty(16 * LANES, np.uint32)
        last_byte = np.empty(LANES, np.uint32)
        whole_block = np.full(LANES, BLOCK_LEN, np.uint32)
        one_byte = np.ones(LANES, np.uint32)
        first_flags = np.full(LANES, CHUNK_START, np.uint32)
        last_flags = np.full(LANES, CHUNK_END | ROOT, np.uint32)
        pairs = np.empty(LANES, np.int64)
        for batch in range(t * BATCHES_PER_TASK, min(n_batches, (t + 1) * BATCHES_PER_TASK)):
            count = min(LANES, n_pairs - batch * LANES)
            for lane in range(LANES):
                # lanes past `count` repeat the batch's last pair; their results are not stored
                pair = batch * LANES + min(lane, count - 1)
                pairs[lane] = pair
                carry = U32(NODE_PREFIX)
                for k in range(16):
                    p = load_word(flat, 2 * OUT_LEN * pair + 4 * k)
                    m[k * LANES + lane] = U32((p << U32(8)) | carry)
                    carry = U32(p >> U32(24))
                last_byte[lane] = carry
            set_iv_lanes(cv)
            compress_lanes(cv, m, whole_block, first_flags)
            m[:] = 0
            m[:LANES] = last_byte
            compress_lanes(cv, m, one_byte, last_flags)
            for lane in range(count):
                store_lane(cv, lane, out, pairs[lane])


def parents(level: np.ndarray) -> np.ndarray:
    """The next level up: (ceil(m/2), 32) uint8 from an (m, 32) uint8 level, m >= 1.

    Row i of the result is BLAKE3(0x01 || level[2i] || level[2i+1]); for odd m the last row is
    level[m-1] itself.
    """
    level = np.ascontiguousarray(level)
    if level.dtype != np.uint8 or level.ndim != 2 or level.shape[1] != OUT_LEN or not len(level):
        raise ValueError(f"a Merkle level must be a non-empty (m, {OUT_LEN}) uint8 array, "
                         f"got {level.dtype} {level.shape}")
    m = level.shape[0]
    out = np.empty(((m + 1) // 2, OUT_LEN), dtype=np.uint8)
    _parents(level.reshape(-1), m // 2, out)
    if m % 2:
        out[-1] = level[-1]
    return out
