"""One level of the BLAKE3 row Merkle tree: the parents of adjacent pairs of 32-byte digests.

parent = BLAKE3(0x01 || left || right), a 65-byte input: two compressions of one chunk. The
prefix byte shifts the 64-byte pair by one byte, so message word k of the first block splices
two adjacent pair words, (P_k << 8) | (P_{k-1} >> 24) with 0x01 in the place of P_{-1}'s top
byte; the second block holds the single byte P_15 >> 24. No byte copies, no staging.

A lone last digest (odd level length) is promoted unchanged, which with the bottom-up pairing
gives exactly the RFC 6962 tree shape (split at the largest power of two below the size).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from kernels.cpu.blake3 import (BLOCK_LEN, CHUNK_END, CHUNK_START, IV, OUT_LEN, ROOT, U32,
                                block_tuple, compress, load_word, store_cv)

NODE_PREFIX = 0x01
PAIRS_PER_TASK = 4096
_ZERO = U32(0)


@njit(parallel=True)
def _parents(flat, n_pairs, out):
    n_tasks = (n_pairs + PAIRS_PER_TASK - 1) // PAIRS_PER_TASK
    for t in prange(n_tasks):
        w = np.empty(16, np.uint32)
        for i in range(t * PAIRS_PER_TASK, min(n_pairs, (t + 1) * PAIRS_PER_TASK)):
            carry = U32(NODE_PREFIX)
            for k in range(16):
                p = load_word(flat, 2 * OUT_LEN * i + 4 * k)
                w[k] = U32((p << U32(8)) | carry)
                carry = U32(p >> U32(24))
            cv = compress(IV, block_tuple(w), 0, U32(BLOCK_LEN), CHUNK_START)
            last = (carry, _ZERO, _ZERO, _ZERO, _ZERO, _ZERO, _ZERO, _ZERO,
                    _ZERO, _ZERO, _ZERO, _ZERO, _ZERO, _ZERO, _ZERO, _ZERO)
            cv = compress(cv, last, 0, U32(1), U32(CHUNK_END | ROOT))
            store_cv(cv, out, i)


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
