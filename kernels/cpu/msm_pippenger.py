"""Pippenger MSM with signed windows and batch-affine bucket accumulation (generic over G1/G2).

Per window the points are counting-sorted by bucket, then every bucket is summed by a pairwise
tree: each round adds neighbouring points of the same bucket, and all additions of a round are
independent, so they run in affine coordinates with one inversion per chunk of CHUNK additions
(Montgomery's trick: ~6 multiplications per addition instead of 10 for a mixed XYZZ addition).
This replaces the conflict queues of the usual batch-affine bucket accumulation and stays
efficient when a bucket is crowded (many equal scalars): that bucket just takes log2 rounds.
Buckets are then reduced (msm_reduce), and the windows, spread over the CPU threads (each thread
reuses one workspace), are combined by Horner's rule.
"""

import numpy as np
from numba import njit, prange

from kernels.cpu.curve import (
    aff_is_inf,
    aff_load,
    aff_store,
    pair_denominator,
    pair_sum,
    xyzz_add,
    xyzz_dbl,
    xyzz_inf,
    xyzz_load,
    xyzz_store,
    xyzz_to_affine,
)
from kernels.cpu.curve_field import inv, ld, mul, neg, one_like, st
from kernels.cpu.llvm_hints import always_inline, prefetch
from kernels.cpu.msm_digits import bucket_sort
from kernels.cpu.msm_reduce import reduce_buckets

CHUNK = 4096  # additions per batch inversion (an inversion costs ~550 multiplications)
PREFETCH = 8  # pairs ahead: covers DRAM latency for the random base-point reads of round one


@njit(cache=True)
def infinity_mask(points):
    """(m,) bool: which affine points are the point at infinity (all zeros)."""
    m = points.shape[0]
    out = np.empty(m, dtype=np.bool_)
    for i in range(m):
        x, y = aff_load(points, i)
        out[i] = aff_is_inf(x, y)
    return out


@njit(cache=True)
def _workspace(points, c):
    """Scratch arrays for one thread's windows, sized for m points and 2^(c-1) buckets."""
    m = points.shape[0]
    nb = 1 << (c - 1)
    tail = points.shape[2:]
    level = (m + nb) // 2 + 1  # rows of the first tree level (>= the sum of ceil(n_j / 2))
    return (
        np.empty(nb + 1, dtype=np.int64),  # bucket offsets, current level
        np.empty(nb + 1, dtype=np.int64),  # bucket offsets, next level
        np.empty(m, dtype=np.int64),  # sorted signed point indices
        np.empty((level, 2) + tail, dtype=np.uint64),  # tree level (ping)
        np.empty((level, 2) + tail, dtype=np.uint64),  # tree level (pong)
        np.empty(m // 2 + 1, dtype=np.int64),  # first element of each pair
        np.empty(m // 2 + 1, dtype=np.int64),  # destination of each pair
        np.empty(nb, dtype=np.int64),  # odd leftover: source
        np.empty(nb, dtype=np.int64),  # odd leftover: destination
        np.empty((CHUNK, 1) + tail, dtype=np.uint64),  # running products of denominators
        np.empty((CHUNK, 2) + tail, dtype=np.uint64),  # bucket reduction lanes
        np.empty((CHUNK, 2) + tail, dtype=np.uint64),  # bucket reduction addends
    )


@njit(cache=True)
def _plan_round(off, new_off, first, dest, lone_src, lone_dst):
    """Plan one tree round: bucket segment j of n elements becomes ceil(n / 2) elements.

    Pair t adds elements first[t] and first[t] + 1 into dest[t]; an odd segment's last element
    lone_src[k] moves to lone_dst[k]. Returns (pairs, lones, longest new segment).
    """
    new_off[0] = 0
    t = k = longest = 0
    for j in range(off.shape[0] - 1):
        s, e = off[j], off[j + 1]
        o = new_off[j]
        new_off[j + 1] = o + (e - s + 1) // 2
        longest = max(longest, (e - s + 1) // 2)
        while s + 1 < e:
            first[t] = s
            dest[t] = o
            t += 1
            s += 2
            o += 1
        if s < e:
            lone_src[k] = s
            lone_dst[k] = o
            k += 1
    return t, k, longest


@njit(cache=True)
def _fetch(points, entries, src, k, from_points):
    """Element k of the current level: a signed base point (level 0) or a partial sum."""
    always_inline()
    if from_points:
        e = entries[k]
        x, y = aff_load(points, e >> 1)
        if e & 1:
            y = neg(y)
        return x, y
    return aff_load(src, k)


@njit(cache=True)
def _pairs_chunk(points, entries, src, from_points, first, dest, lo, hi, dst, prefix):
    """dst[dest[t]] = level[first[t]] + level[first[t] + 1] for lo <= t < hi, one inversion."""
    acc = one_like(ld(points, 0, 0))
    for t in range(lo, hi):
        if from_points and t + PREFETCH < hi:
            k = first[t + PREFETCH]
            prefetch(points, entries[k] >> 1)
            prefetch(points, entries[k + 1] >> 1)
        ax, ay = _fetch(points, entries, src, first[t], from_points)
        bx, by = _fetch(points, entries, src, first[t] + 1, from_points)
        st(prefix, t - lo, 0, acc)
        case, den = pair_denominator(ax, ay, bx, by)
        if case <= 1:
            acc = mul(acc, den)
    acc_inv = inv(acc)
    for t in range(hi - 1, lo - 1, -1):
        if from_points and t - PREFETCH >= lo:
            k = first[t - PREFETCH]
            prefetch(points, entries[k] >> 1)
            prefetch(points, entries[k + 1] >> 1)
        ax, ay = _fetch(points, entries, src, first[t], from_points)
        bx, by = _fetch(points, entries, src, first[t] + 1, from_points)
        case, den = pair_denominator(ax, ay, bx, by)
        d_inv = acc_inv
        if case <= 1:
            d_inv = mul(acc_inv, ld(prefix, t - lo, 0))
            acc_inv = mul(acc_inv, den)
        x3, y3 = pair_sum(case, ax, ay, bx, by, d_inv)
        aff_store(dst, dest[t], x3, y3)


@njit(cache=True)
def _tree_round(points, entries, src, from_points, off, dst, new_off, ws):
    """One round of pairwise bucket sums from src (or the base points) into dst."""
    first, dest, lone_src, lone_dst, prefix = ws[5], ws[6], ws[7], ws[8], ws[9]
    pairs, lones, longest = _plan_round(off, new_off, first, dest, lone_src, lone_dst)
    for k in range(lones):
        x, y = _fetch(points, entries, src, lone_src[k], from_points)
        aff_store(dst, lone_dst[k], x, y)
    for lo in range(0, pairs, CHUNK):
        _pairs_chunk(points, entries, src, from_points, first, dest, lo, min(lo + CHUNK, pairs),
                     dst, prefix)
    return longest


@njit(cache=True)
def window_sum(points, skip, digits, ws):
    """sum_i digits[i] * points[i] for one window as an XYZZ point, using the workspace ws."""
    like = ld(points, 0, 0)
    off, new_off, entries, src, spare = ws[0], ws[1], ws[2], ws[3], ws[4]
    if bucket_sort(digits, skip, off, entries) == 0:
        return xyzz_inf(like)
    longest = _tree_round(points, entries, src, True, off, src, new_off, ws)
    off, new_off = new_off, off
    while longest > 1:
        longest = _tree_round(points, entries, src, False, off, spare, new_off, ws)
        off, new_off, src, spare = new_off, off, spare, src
    return reduce_buckets(src, off, ws[10], ws[11], ws[9])


@njit(cache=True, parallel=True)
def pippenger(points, skip, digits, c, threads, out):
    """out[0] = sum_i s_i P_i (affine), from the (W, m) signed digits of the s_i (window width c).

    Worker t of `threads` sums windows t, t + threads, ... in its own workspace (allocated once:
    fresh pages for every window cost page faults comparable to the arithmetic of small MSMs).
    """
    windows = digits.shape[0]
    sums = np.empty((windows, 4) + points.shape[2:], dtype=np.uint64)
    threads = max(1, min(threads, windows))
    for t in prange(threads):
        ws = _workspace(points, c)
        for w in range(t, windows, threads):
            xyzz_store(sums, w, window_sum(points, skip, digits[w], ws))
    acc = xyzz_load(sums, windows - 1)
    for w in range(windows - 2, -1, -1):
        for _ in range(c):
            acc = xyzz_dbl(acc)
        acc = xyzz_add(acc, xyzz_load(sums, w))
    x, y = xyzz_to_affine(acc)
    aff_store(out, 0, x, y)
