"""Bucket reduction S = sum_j (j + 1) B_j for one Pippenger window, mostly in batch-affine form.

The textbook running sum costs two XYZZ additions per bucket (~24 multiplications). Here the nb
buckets are cut into G lanes of L consecutive buckets, and all lanes run their own running sum in
lockstep, so each step is 2G independent affine additions (one inversion per step, ~6
multiplications per addition). Lane g ends with R_g = sum_t B_{gL+t} and
T_g = sum_t (t + 1) B_{gL+t}, and S = sum_g T_g + L * sum_g g R_g, where the last two sums are
short XYZZ loops over the G lanes. G ~ 4 sqrt(nb) balances the L inversions against them.
"""

import numpy as np
from numba import njit

from kernels.cpu.curve import (
    add_pairs,
    aff_load,
    aff_store,
    xyzz_add,
    xyzz_dbl,
    xyzz_inf,
    xyzz_madd,
)
from kernels.cpu.curve_field import zero_like

MIN_BUCKETS = 256  # below this the plain XYZZ running sum is as fast


@njit(cache=True)
def lane_count(nb, max_rows):
    """Power-of-two G <= 4 sqrt(nb), with at least four buckets per lane and 2G <= max_rows."""
    g = 1
    while 4 * g * g <= 16 * nb and 8 * g <= nb and 4 * g <= max_rows:
        g *= 2  # the doubled g still has g^2 <= 16 nb, nb / g >= 4 and 2 g <= max_rows
    return g


@njit(cache=True)
def _bucket(src, off, j, like):
    """Affine B_j (infinity when the bucket is empty)."""
    if off[j + 1] > off[j]:
        return aff_load(src, off[j])
    zero = zero_like(like)
    return zero, zero


@njit(cache=True)
def running_sum(src, off):
    """sum_j (j + 1) B_j by the plain XYZZ running sum (for few buckets)."""
    like = aff_load(src, 0)[0]
    running = xyzz_inf(like)
    total = xyzz_inf(like)
    for j in range(off.shape[0] - 2, -1, -1):
        if off[j + 1] > off[j]:
            x, y = aff_load(src, off[j])
            running = xyzz_madd(running, x, y)
        total = xyzz_add(total, running)
    return total


@njit(cache=True)
def reduce_buckets(src, off, lanes, feed, prefix):
    """sum_j (j + 1) B_j as an XYZZ point; B_j = src[off[j]] if bucket j is non-empty.

    lanes, feed: (>= 2G, 2, ...) scratch; prefix: (>= 2G, 1, ...) scratch.
    """
    nb = off.shape[0] - 1
    if nb < MIN_BUCKETS:
        return running_sum(src, off)
    like = aff_load(src, 0)[0]
    g_count = lane_count(nb, min(lanes.shape[0], feed.shape[0], prefix.shape[0]))
    steps = nb // g_count
    lanes[: 2 * g_count] = 0  # rows [0, G): T_g; rows [G, 2G): R_g; all infinity
    for t in range(steps - 1, -1, -1):
        for g in range(g_count):
            x, y = aff_load(lanes, g_count + g)
            aff_store(feed, g, x, y)  # T_g += R_g (before this step's bucket)
            x, y = _bucket(src, off, g * steps + t, like)
            aff_store(feed, g_count + g, x, y)  # R_g += B_{gL+t}
        add_pairs(lanes, 0, feed, 2 * g_count, prefix)
    for g in range(g_count):
        x, y = aff_load(lanes, g_count + g)
        aff_store(feed, g, x, y)
    add_pairs(lanes, 0, feed, g_count, prefix)  # T_g += R_g: now T_g = sum_t (t + 1) B_{gL+t}

    running = xyzz_inf(like)
    weighted = xyzz_inf(like)  # sum_g g R_g
    for g in range(g_count - 1, 0, -1):
        x, y = aff_load(lanes, g_count + g)
        running = xyzz_madd(running, x, y)
        weighted = xyzz_add(weighted, running)
    shift = steps
    while shift > 1:  # steps is a power of two
        weighted = xyzz_dbl(weighted)
        shift //= 2
    for g in range(g_count):
        x, y = aff_load(lanes, g)
        weighted = xyzz_madd(weighted, x, y)
    return weighted
