"""Pippenger MSM with signed windows and batch-affine bucket accumulation (generic over G1/G2).

Per window the points are counting-sorted by bucket, then every bucket is summed by a pairwise
tree: each round adds neighbouring points of the same bucket, and all additions of a round are
independent, so `curve.add_pairs` does them in affine coordinates with one inversion per chunk
(~6 multiplications per addition). This replaces the usual conflict queues of batch-affine
bucket accumulation. Buckets are then reduced by running sums in XYZZ coordinates, and the
windows (spread over the CPU threads with prange) are combined by Horner's rule.
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
    xyzz_madd,
    xyzz_store,
    xyzz_to_affine,
)
from kernels.cpu.curve_field import inv, ld, mul, neg, one_like, st
from kernels.cpu.llvm_hints import always_inline, prefetch
from kernels.cpu.msm_digits import bucket_sort

CHUNK = 2048  # additions per batch inversion (an inversion costs ~550 multiplications)
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
def _plan_round(off):
    """One tree round over bucket segments `off`: segment j of n points becomes ceil(n / 2).

    Returns (new_off, longest, first, dest, lone_src, lone_dst): pair t adds elements first[t] and
    first[t] + 1 into dest[t]; an odd segment's last element lone_src[k] moves to lone_dst[k].
    """
    nb = off.shape[0] - 1
    new_off = np.empty_like(off)
    new_off[0] = 0
    pairs = lones = longest = 0
    for j in range(nb):
        n = off[j + 1] - off[j]
        pairs += n // 2
        lones += n % 2
        new_off[j + 1] = new_off[j] + (n + 1) // 2
        longest = max(longest, (n + 1) // 2)
    first = np.empty(pairs, dtype=np.int64)
    dest = np.empty(pairs, dtype=np.int64)
    lone_src = np.empty(lones, dtype=np.int64)
    lone_dst = np.empty(lones, dtype=np.int64)
    t = k = 0
    for j in range(nb):
        s, e, o = off[j], off[j + 1], new_off[j]
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
    return new_off, longest, first, dest, lone_src, lone_dst


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
def _tree_round(points, entries, src, from_points, plan, dst, prefix):
    _, _, first, dest, lone_src, lone_dst = plan
    for k in range(lone_src.shape[0]):
        x, y = _fetch(points, entries, src, lone_src[k], from_points)
        aff_store(dst, lone_dst[k], x, y)
    for lo in range(0, first.shape[0], CHUNK):
        hi = min(lo + CHUNK, first.shape[0])
        _pairs_chunk(points, entries, src, from_points, first, dest, lo, hi, dst, prefix)


@njit(cache=True)
def window_sum(points, skip, digits):
    """sum_i digits[i] * points[i] for one window, as an XYZZ point."""
    like = ld(points, 0, 0)
    off, entries = bucket_sort(digits, skip)
    nb = off.shape[0] - 1
    if off[nb] == 0:
        return xyzz_inf(like)
    tail = points.shape[2:]
    prefix = np.empty((CHUNK, 1) + tail, dtype=np.uint64)
    plan = _plan_round(off)
    off, longest = plan[0], plan[1]
    src = np.empty((off[nb], 2) + tail, dtype=np.uint64)
    _tree_round(points, entries, points, True, plan, src, prefix)
    if longest > 1:
        spare = np.empty_like(src)
        while longest > 1:
            plan = _plan_round(off)
            off, longest = plan[0], plan[1]
            _tree_round(points, entries, src, False, plan, spare, prefix)
            src, spare = spare, src

    running = xyzz_inf(like)
    total = xyzz_inf(like)
    for j in range(nb - 1, -1, -1):
        if off[j + 1] > off[j]:
            x, y = aff_load(src, off[j])
            running = xyzz_madd(running, x, y)
        total = xyzz_add(total, running)
    return total


@njit(cache=True, parallel=True)
def pippenger(points, skip, digits, c, out):
    """out[0] = sum_i s_i P_i (affine), from the (W, m) signed digits of the s_i (window width c)."""
    windows = digits.shape[0]
    sums = np.empty((windows, 4) + points.shape[2:], dtype=np.uint64)
    for w in prange(windows):
        xyzz_store(sums, w, window_sum(points, skip, digits[w]))
    acc = xyzz_load(sums, windows - 1)
    for w in range(windows - 2, -1, -1):
        for _ in range(c):
            acc = xyzz_dbl(acc)
        acc = xyzz_add(acc, xyzz_load(sums, w))
    x, y = xyzz_to_affine(acc)
    aff_store(out, 0, x, y)
