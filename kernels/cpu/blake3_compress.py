"""The BLAKE3 compression function: one block at a time, or LANES independent blocks at once.

One round function (`_round`, `_permute`) serves both. `compress`, for scalar callers (rows
longer than one block, BLAKE3's chunk tree), runs the seven rounds in a loop. `compress_lanes`
hashes LANES independent blocks stored transposed (word k of lane l at index k * LANES + l): per
lane it runs the same rounds written out (`_compress_unrolled`), so the loop body is straight-line
code with no inner loop and LLVM vectorizes it across lanes, one vector lane per block. Measured
on an AVX-512 core: ~90 ns per scalar compression, ~9 ns per block in lanes. Short rows and all
Merkle nodes take the lane path. Only `_round` is inlined by Numba (`_g` is left to LLVM's
inliner): inlining all 56 G mixes at the Numba level made compiling take 20 s instead of 1-2 s.

The kernels are cached on disk (cache=True). Numba's cache only notices edits to a function's own
file: after editing this module, delete kernels/cpu/__pycache__/blake3*.nb[ci] so that the row and
Merkle kernels, which inline it, are rebuilt.

Arithmetic: Numba widens every operation on uint32 values to 64 bits, so each addition and
rotation is truncated back with np.uint32(...) and every constant is a typed np.uint32.
"""

from __future__ import annotations

import numpy as np
from numba import njit

U32 = np.uint32

IV = (U32(0x6A09E667), U32(0xBB67AE85), U32(0x3C6EF372), U32(0xA54FF53A),
      U32(0x510E527F), U32(0x9B05688C), U32(0x1F83D9AB), U32(0x5BE0CD19))
CHUNK_START = U32(1)
CHUNK_END = U32(2)
PARENT = U32(4)
ROOT = U32(8)
NO_FLAGS = U32(0)

BLOCK_LEN = 64
CHUNK_LEN = 1024
OUT_LEN = 32
LANES = 16  # blocks per lane batch: one AVX-512 register (two AVX2 registers) per word


@njit(inline="always", cache=True)
def _rotr(x, n):
    return U32((x >> U32(n)) | (x << U32(32 - n)))


@njit(cache=True)
def _g(a, b, c, d, mx, my):
    a = U32(a + b + mx)
    d = _rotr(d ^ a, 16)
    c = U32(c + d)
    b = _rotr(b ^ c, 12)
    a = U32(a + b + my)
    d = _rotr(d ^ a, 8)
    c = U32(c + d)
    b = _rotr(b ^ c, 7)
    return a, b, c, d


@njit(inline="always", cache=True)
def _round(s, m):
    """Column mixes, then diagonal mixes, of the 16-word state s with message words m."""
    s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, s10, s11, s12, s13, s14, s15 = s
    m0, m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11, m12, m13, m14, m15 = m
    s0, s4, s8, s12 = _g(s0, s4, s8, s12, m0, m1)
    s1, s5, s9, s13 = _g(s1, s5, s9, s13, m2, m3)
    s2, s6, s10, s14 = _g(s2, s6, s10, s14, m4, m5)
    s3, s7, s11, s15 = _g(s3, s7, s11, s15, m6, m7)
    s0, s5, s10, s15 = _g(s0, s5, s10, s15, m8, m9)
    s1, s6, s11, s12 = _g(s1, s6, s11, s12, m10, m11)
    s2, s7, s8, s13 = _g(s2, s7, s8, s13, m12, m13)
    s3, s4, s9, s14 = _g(s3, s4, s9, s14, m14, m15)
    return (s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, s10, s11, s12, s13, s14, s15)


@njit(inline="always", cache=True)
def _permute(m):
    """BLAKE3's message permutation (2, 6, 3, 10, 7, 0, 4, 13, 1, 11, 12, 5, 9, 14, 15, 8)."""
    return (m[2], m[6], m[3], m[10], m[7], m[0], m[4], m[13],
            m[1], m[11], m[12], m[5], m[9], m[14], m[15], m[8])


@njit(inline="always", cache=True)
def _start(cv, counter, block_len, flags):
    return (cv[0], cv[1], cv[2], cv[3], cv[4], cv[5], cv[6], cv[7], IV[0], IV[1], IV[2], IV[3],
            U32(counter & 0xFFFFFFFF), U32(counter >> 32), U32(block_len), U32(flags))


@njit(inline="always", cache=True)
def _finish(s):
    return (U32(s[0] ^ s[8]), U32(s[1] ^ s[9]), U32(s[2] ^ s[10]), U32(s[3] ^ s[11]),
            U32(s[4] ^ s[12]), U32(s[5] ^ s[13]), U32(s[6] ^ s[14]), U32(s[7] ^ s[15]))


@njit(inline="always", cache=True)
def _compress_unrolled(cv, m, counter, block_len, flags):
    s = _start(cv, counter, block_len, flags)
    s = _round(s, m)
    m = _permute(m)
    s = _round(s, m)
    m = _permute(m)
    s = _round(s, m)
    m = _permute(m)
    s = _round(s, m)
    m = _permute(m)
    s = _round(s, m)
    m = _permute(m)
    s = _round(s, m)
    m = _permute(m)
    s = _round(s, m)
    return _finish(s)


@njit(cache=True)
def compress(cv, m, counter, block_len, flags):
    """The compression function truncated to the 8-word chaining value.

    cv: 8 uint32 words; m: 16 uint32 message words (tuples); counter: int (chunk index, 0 for
    parent nodes); block_len and flags: uint32.
    """
    s = _start(cv, counter, block_len, flags)
    for _ in range(7):
        s = _round(s, m)
        m = _permute(m)
    return _finish(s)


@njit(cache=True)
def compress_lanes(cv, m, block_len, flags):
    """compress() on LANES blocks at once, counter 0, in place on cv.

    cv: (8 * LANES,) uint32 chaining values, word k of lane l at k * LANES + l (replaced by the
    output); m: (16 * LANES,) uint32 message words, same layout; block_len and flags: (LANES,)
    uint32, per lane. Counter 0 covers every block of a one-chunk input (a row of at most 1 KiB,
    a Merkle node) and every BLAKE3 parent node.
    """
    for lane in range(LANES):
        out = _compress_unrolled(
            (cv[lane], cv[LANES + lane], cv[2 * LANES + lane], cv[3 * LANES + lane],
             cv[4 * LANES + lane], cv[5 * LANES + lane], cv[6 * LANES + lane],
             cv[7 * LANES + lane]),
            (m[lane], m[LANES + lane], m[2 * LANES + lane], m[3 * LANES + lane],
             m[4 * LANES + lane], m[5 * LANES + lane], m[6 * LANES + lane], m[7 * LANES + lane],
             m[8 * LANES + lane], m[9 * LANES + lane], m[10 * LANES + lane],
             m[11 * LANES + lane], m[12 * LANES + lane], m[13 * LANES + lane],
             m[14 * LANES + lane], m[15 * LANES + lane]),
            0, block_len[lane], flags[lane])
        for k in range(8):
            cv[k * LANES + lane] = out[k]


@njit(cache=True)
def set_iv_lanes(cv):
    """Every lane's chaining value := IV (the first block of a chunk)."""
    for k in range(8):
        for lane in range(LANES):
            cv[k * LANES + lane] = IV[k]


@njit(cache=True)
def store_lane(cv, lane, out, row):
    """Write the chaining value of `lane` as 32 little-endian bytes to out[row, :]."""
    for k in range(8):
        w = cv[k * LANES + lane]
        for t in range(4):
            out[row, 4 * k + t] = np.uint8((w >> U32(8 * t)) & U32(0xFF))
