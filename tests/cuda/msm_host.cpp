// Host test library for the MSM stages: each grid kernel of kernels/cuda/msm.cu as a loop over
// its thread indices around the same ZK_HD body, so tests/test_cuda_msm.py can run the whole
// GPU pipeline (kernels/cuda/msm_plan.py) on the CPU. Sequential loops stand in for the grid:
// the bodies never depend on the order of threads (the counting sort's slot order aside, which
// only permutes points inside a bucket).
#include <cstddef>

#include "msm_buckets.cuh"
#include "msm_digits.cuh"
#include "msm_reduce.cuh"

static msm_digit_params params(size_t n, size_t m, size_t c, size_t windows, size_t buckets) {
    msm_digit_params p = {(uint32_t)n, (uint32_t)m, (uint32_t)c, (uint32_t)windows, (uint32_t)buckets};
    return p;
}

extern "C" void h_msm_count(const fr_t *scalars, size_t n, size_t m, size_t c, size_t windows,
                            size_t buckets, uint32_t *counts) {
    const msm_digit_params p = params(n, m, c, windows, buckets);
    for (size_t i = 0; i < n; ++i) msm_count_digits(p, scalars, (uint32_t)i, counts);
}

extern "C" void h_msm_scatter(const fr_t *scalars, size_t n, size_t m, size_t c, size_t windows,
                              size_t buckets, uint32_t *cursor, uint32_t *entries) {
    const msm_digit_params p = params(n, m, c, windows, buckets);
    for (size_t i = 0; i < n; ++i) msm_scatter_digits(p, scalars, (uint32_t)i, cursor, entries);
}

// The signed digits themselves, (windows, n) int32, for checks against kernels/cpu/msm_digits.py.
extern "C" void h_msm_signed_digits(const fr_t *scalars, size_t n, size_t c, size_t windows,
                                    int32_t *out) {
    for (size_t i = 0; i < n; ++i) {
        uint32_t s[8];
        msm_load_scalar(scalars, (uint32_t)i, s);
        uint32_t carry = 0;
        for (size_t w = 0; w < windows; ++w)
            out[w * n + i] = msm_signed_digit(s, (uint32_t)w, (uint32_t)c, carry);
    }
}

#define MSM_HOST_GROUP(G, F)                                                                       \
    extern "C" void h_msm_##G##_sum_points(const affine_t<F> *points, const uint32_t *entries,     \
                                           const uint32_t *off, const uint32_t *seg_off,           \
                                           size_t runs, size_t seg, size_t n, xyzz_t<F> *out) {    \
        for (size_t g = 0; g < n; ++g)                                                             \
            msm_sum_points(points, entries, off, seg_off, (uint32_t)runs, (uint32_t)seg,           \
                           (uint32_t)g, out);                                                      \
    }                                                                                              \
    extern "C" void h_msm_##G##_sum_segment(const xyzz_t<F> *items, const uint32_t *off,           \
                                            const uint32_t *seg_off, size_t runs, size_t seg,      \
                                            size_t n, xyzz_t<F> *out) {                            \
        for (size_t g = 0; g < n; ++g)                                                             \
            msm_sum_segment(items, off, seg_off, (uint32_t)runs, (uint32_t)seg, (uint32_t)g, out); \
    }                                                                                              \
    extern "C" void h_msm_##G##_lane_sum(const xyzz_t<F> *items, const uint32_t *off,              \
                                         size_t buckets, size_t lane_len, size_t n,                \
                                         xyzz_t<F> *out) {                                         \
        for (size_t t = 0; t < n; ++t)                                                             \
            msm_lane_sum(items, off, (uint32_t)buckets, (uint32_t)lane_len, (uint32_t)t, out);     \
    }                                                                                              \
    extern "C" void h_msm_##G##_mul_small(const xyzz_t<F> *p, size_t k, xyzz_t<F> *out) {          \
        *out = msm_mul_small(*p, (uint32_t)k);                                                     \
    }

MSM_HOST_GROUP(g1, fp_t)
MSM_HOST_GROUP(g2, fp2_t)
