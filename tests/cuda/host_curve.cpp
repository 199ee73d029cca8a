// Host test library over curve.cuh: extern "C" batch wrappers of the G1 and G2 point operations.
//
// Buffers use the CPU backend's layouts: affine G1 (n, 2, 6) / G2 (n, 2, 2, 6) uint64 Montgomery
// limbs (infinity all zeros) and XYZZ G1 (n, 4, 6) / G2 (n, 4, 2, 6).
#include <cstddef>

#include "curve.cuh"

#define ZK_CURVE_WRAPPERS(G, F)                                                                    \
    extern "C" void h_##G##_from_affine(const affine_t<F> *a, xyzz_t<F> *out, size_t n) {          \
        for (size_t i = 0; i < n; ++i) out[i] = xyzz_from_affine(a[i]);                            \
    }                                                                                              \
    extern "C" void h_##G##_to_affine(const xyzz_t<F> *a, affine_t<F> *out, size_t n) {            \
        for (size_t i = 0; i < n; ++i) out[i] = xyzz_to_affine(a[i]);                              \
    }                                                                                              \
    extern "C" void h_##G##_add_affine(const xyzz_t<F> *a, const affine_t<F> *b, xyzz_t<F> *out,   \
                                       size_t n) {                                                 \
        for (size_t i = 0; i < n; ++i) out[i] = xyzz_add_affine(a[i], b[i]);                       \
    }                                                                                              \
    extern "C" void h_##G##_add(const xyzz_t<F> *a, const xyzz_t<F> *b, xyzz_t<F> *out, size_t n) { \
        for (size_t i = 0; i < n; ++i) out[i] = xyzz_add(a[i], b[i]);                              \
    }                                                                                              \
    extern "C" void h_##G##_dbl(const xyzz_t<F> *a, xyzz_t<F> *out, size_t n) {                    \
        for (size_t i = 0; i < n; ++i) out[i] = xyzz_dbl(a[i]);                                    \
    }                                                                                              \
    extern "C" void h_##G##_neg(const xyzz_t<F> *a, xyzz_t<F> *out, size_t n) {                    \
        for (size_t i = 0; i < n; ++i) out[i] = xyzz_neg(a[i]);                                    \
    }                                                                                              \
    extern "C" void h_##G##_affine_neg(const affine_t<F> *a, affine_t<F> *out, size_t n) {         \
        for (size_t i = 0; i < n; ++i) out[i] = affine_neg(a[i]);                                  \
    }                                                                                              \
    extern "C" void h_##G##_on_curve(const affine_t<F> *a, uint8_t *out, size_t n) {               \
        for (size_t i = 0; i < n; ++i) out[i] = affine_on_curve(a[i]) ? 1 : 0;                     \
    }                                                                                              \
    extern "C" void h_##G##_eq(const xyzz_t<F> *a, const xyzz_t<F> *b, uint8_t *out, size_t n) {   \
        for (size_t i = 0; i < n; ++i) out[i] = xyzz_eq(a[i], b[i]) ? 1 : 0;                       \
    }                                                                                              \
    extern "C" void h_##G##_infinity(xyzz_t<F> *out) { *out = xyzz_infinity<F>(); }

ZK_CURVE_WRAPPERS(g1, fp_t)
ZK_CURVE_WRAPPERS(g2, fp2_t)

extern "C" void h_g1_endo(const g1_affine_t *a, g1_affine_t *out, size_t n) {
    for (size_t i = 0; i < n; ++i) out[i] = g1_affine_endo(a[i]);
}
