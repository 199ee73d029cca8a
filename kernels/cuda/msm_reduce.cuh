/* MSM stage 3: window sums S_u = sum_b (b + 1) B_b from the bucket sums, in parallel.
 *
 * The textbook running sum walks the nb buckets of a window in one thread. Here window u's
 * buckets are cut into lanes of L consecutive buckets (L a power of two dividing nb), and lane g
 * runs its own running sum over buckets gL .. gL + L - 1:
 *     R_g = sum_t B_{gL+t},   T_g = sum_t (t + 1) B_{gL+t},
 * then weights its share by the lane offset: U_g = T_g + (gL) R_g (double-and-add, at most
 * log2(nb) doublings). Since bucket gL + t has weight gL + t + 1, S_u = sum_g U_g: a plain sum of
 * nb / L points per window, which the launcher does with the segment levels of msm_buckets.cuh
 * (runs of nb / L items, one run per window).
 *
 * The windows are then combined by Horner's rule, S = sum_w 2^(c w) S_w, on the host
 * (kernels/cuda/msm_combine.py): that is a chain of c (W - 1) dependent doublings, which one GPU
 * thread runs far slower than one CPU core, and it is a few hundred operations per MSM.
 */
#pragma once

#include "msm_buckets.cuh"

/* Bucket `key` after the last level of msm_buckets.cuh: its one item, or infinity if empty. */
template <class F>
ZK_HD xyzz_t<F> msm_bucket(const xyzz_t<F> *items, const uint32_t *off, uint32_t key) {
    return off[key + 1] > off[key] ? items[off[key]] : xyzz_infinity<F>();
}

/* k p for a small k (double-and-add from the top set bit; empty lanes skip it). */
template <class F>
ZK_HD xyzz_t<F> msm_mul_small(const xyzz_t<F> &p, uint32_t k) {
    if (k == 0 || xyzz_is_infinity(p)) return xyzz_infinity<F>();
    int top = 0;
    while ((k >> top) > 1u) ++top;
    xyzz_t<F> acc = p;
    for (int bit = top - 1; bit >= 0; --bit) {
        acc = msm_dbl(acc);
        if ((k >> bit) & 1u) acc = msm_add(acc, p);
    }
    return acc;
}

/* Lane t (window u = t / lanes, lane g = t % lanes, lanes = buckets / lane_len): out[t] = U_g. */
template <class F>
ZK_HD void msm_lane_sum(const xyzz_t<F> *items, const uint32_t *off, uint32_t buckets,
                        uint32_t lane_len, uint32_t t, xyzz_t<F> *out) {
    const uint32_t lanes = buckets / lane_len;
    const uint32_t g = t % lanes;
    const uint32_t first = (t / lanes) * buckets + g * lane_len; /* key of bucket gL */
    xyzz_t<F> running = xyzz_infinity<F>();
    xyzz_t<F> total = xyzz_infinity<F>();
    for (uint32_t j = lane_len; j-- > 0;) {
        running = msm_add(running, msm_bucket(items, off, first + j));
        total = msm_add(total, running);
    }
    out[t] = msm_add(total, msm_mul_small(running, g * lane_len));
}
