/* Grid kernels of the Pippenger MSM (launched by kernels/cuda/msm.py, stage order in msm_plan.py).
 *
 * Each kernel is one thread per item around a ZK_HD body of msm_digits.cuh, msm_buckets.cuh or
 * msm_reduce.cuh; tests/cuda/msm_host.cpp runs the same bodies in host loops. The curve kernels
 * exist once per group (G1 over Fp, G2 over Fp2). Scalar parameters are 32-bit: the launcher
 * checks that keys, entries and item counts fit.
 */
#include "msm_buckets.cuh"
#include "msm_digits.cuh"
#include "msm_reduce.cuh"

#define MSM_THREAD_INDEX (blockIdx.x * blockDim.x + threadIdx.x)

ZK_HD msm_digit_params msm_params(uint32_t n, uint32_t m, uint32_t c, uint32_t windows,
                                  uint32_t buckets) {
    msm_digit_params p = {n, m, c, windows, buckets};
    return p;
}

extern "C" __global__ void msm_count(const fr_t *scalars, uint32_t n, uint32_t m, uint32_t c,
                                     uint32_t windows, uint32_t buckets, uint32_t *counts) {
    const uint32_t i = MSM_THREAD_INDEX;
    if (i < n) msm_count_digits(msm_params(n, m, c, windows, buckets), scalars, i, counts);
}

extern "C" __global__ void msm_scatter(const fr_t *scalars, uint32_t n, uint32_t m, uint32_t c,
                                       uint32_t windows, uint32_t buckets, uint32_t *cursor,
                                       uint32_t *entries) {
    const uint32_t i = MSM_THREAD_INDEX;
    if (i < n) msm_scatter_digits(msm_params(n, m, c, windows, buckets), scalars, i, cursor, entries);
}

#define MSM_GROUP_KERNELS(G, F)                                                                    \
    extern "C" __global__ void msm_##G##_sum_points(                                               \
        const affine_t<F> *points, const uint32_t *entries, const uint32_t *off,                   \
        const uint32_t *seg_off, uint32_t runs, uint32_t seg, uint32_t n, xyzz_t<F> *out) {        \
        const uint32_t g = MSM_THREAD_INDEX;                                                       \
        if (g < n) msm_sum_points(points, entries, off, seg_off, runs, seg, g, out);               \
    }                                                                                              \
    extern "C" __global__ void msm_##G##_sum_segment(                                              \
        const xyzz_t<F> *items, const uint32_t *off, const uint32_t *seg_off, uint32_t runs,       \
        uint32_t seg, uint32_t n, xyzz_t<F> *out) {                                                \
        const uint32_t g = MSM_THREAD_INDEX;                                                       \
        if (g < n) msm_sum_segment(items, off, seg_off, runs, seg, g, out);                        \
    }                                                                                              \
    extern "C" __global__ void msm_##G##_lane_sum(const xyzz_t<F> *items, const uint32_t *off,     \
                                                  uint32_t buckets, uint32_t lane_len, uint32_t n, \
                                                  xyzz_t<F> *out) {                                \
        const uint32_t t = MSM_THREAD_INDEX;                                                       \
        if (t < n) msm_lane_sum(items, off, buckets, lane_len, t, out);                            \
    }

MSM_GROUP_KERNELS(g1, fp_t)
MSM_GROUP_KERNELS(g2, fp2_t)
