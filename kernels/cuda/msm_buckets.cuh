/* MSM stage 2: bucket sums from the counting-sorted runs of msm_digits.cuh, load balanced.
 *
 * A run is the list of items of one key (one bucket of one window of one scalar vector); run j is
 * items[off[j] .. off[j + 1]). One thread per bucket would leave a crowded bucket (all scalars
 * equal, or the 0/1 values that dominate a range-checked witness) to a single thread, so runs are
 * cut into segments of at most `seg` items instead: run j owns the segments
 * seg_off[j] .. seg_off[j + 1] (seg_off is the prefix sum of ceil(run length / seg)), and one
 * thread sums one segment. Every thread of a level does at most `seg` additions, whatever the
 * distribution of the scalars.
 *
 * A level turns runs of length n into runs of length ceil(n / seg): level 0 reads signed base
 * points (mixed XYZZ + affine additions), later levels read the XYZZ partial sums of the level
 * before (msm_sum_segment). The launcher repeats levels until no run is longer than one, which
 * takes ceil(log_seg(m)) levels at most. msm_reduce.cuh reuses the XYZZ level for its own sums.
 */
#pragma once

#include "common.cuh"
#include "curve.cuh"

/* Out of line on the device: one inlined XYZZ addition is ~10^4 PTX instructions (three times that
 * over Fp2) and NVRTC's compile time grows with every copy, so the call sites outside the hot loop
 * of msm_sum_points share one copy per group; a call costs a few hundred cycles of local-memory
 * argument traffic against the ~14 field multiplications it wraps. */
#if defined(__CUDACC__) || defined(__CUDACC_RTC__)
#define MSM_OUTLINE __host__ __device__ __noinline__
#else
#define MSM_OUTLINE inline
#endif

template <class F>
MSM_OUTLINE xyzz_t<F> msm_add(const xyzz_t<F> &p, const xyzz_t<F> &q) {
    return xyzz_add(p, q);
}

template <class F>
MSM_OUTLINE xyzz_t<F> msm_dbl(const xyzz_t<F> &p) {
    return xyzz_dbl(p);
}

/* The run of segment g: the last j in [0, runs) with seg_off[j] <= g (binary search; empty runs
 * have seg_off[j] == seg_off[j + 1] and are skipped over). */
ZK_HD uint32_t msm_run_of_segment(const uint32_t *seg_off, uint32_t runs, uint32_t g) {
    uint32_t lo = 0, hi = runs;
    while (hi - lo > 1) {
        const uint32_t mid = lo + (hi - lo) / 2;
        if (seg_off[mid] <= g) lo = mid;
        else hi = mid;
    }
    return lo;
}

/* Item range [begin, end) of segment g, or false when g is past the last segment (the launcher
 * sizes the grid by an upper bound so it never waits for the device to learn the exact count). */
ZK_HD bool msm_segment_range(const uint32_t *off, const uint32_t *seg_off, uint32_t runs,
                             uint32_t seg, uint32_t g, uint32_t &begin, uint32_t &end) {
    if (g >= seg_off[runs]) return false;
    const uint32_t j = msm_run_of_segment(seg_off, runs, g);
    begin = off[j] + (g - seg_off[j]) * seg;
    end = begin + seg < off[j + 1] ? begin + seg : off[j + 1];
    return true;
}

/* Level 0, segment g: out[g] = sum of its signed base points (infinity bases add nothing). */
template <class F>
ZK_HD void msm_sum_points(const affine_t<F> *points, const uint32_t *entries, const uint32_t *off,
                          const uint32_t *seg_off, uint32_t runs, uint32_t seg, uint32_t g,
                          xyzz_t<F> *out) {
    uint32_t begin, end;
    if (!msm_segment_range(off, seg_off, runs, seg, g, begin, end)) return;
    xyzz_t<F> acc = xyzz_infinity<F>();
    for (uint32_t e = begin; e < end; ++e) {
        const uint32_t entry = entries[e]; /* point << 1 | negate */
        const affine_t<F> p = points[entry >> 1];
        if (affine_is_infinity(p)) continue;
        acc = xyzz_add_affine(acc, (entry & 1u) ? affine_neg(p) : p);
    }
    out[g] = acc;
}

/* Later levels, segment g: out[g] = sum of its XYZZ items. */
template <class F>
ZK_HD void msm_sum_segment(const xyzz_t<F> *items, const uint32_t *off, const uint32_t *seg_off,
                           uint32_t runs, uint32_t seg, uint32_t g, xyzz_t<F> *out) {
    uint32_t begin, end;
    if (!msm_segment_range(off, seg_off, runs, seg, g, begin, end)) return;
    xyzz_t<F> acc = items[begin];
    for (uint32_t e = begin + 1; e < end; ++e) acc = msm_add(acc, items[e]);
    out[g] = acc;
}
