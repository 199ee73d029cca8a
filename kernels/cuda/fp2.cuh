/* Fp2 = Fp[u] / (u^2 + 1), the field of G2 coordinates: c0 + c1 u, both in Montgomery form.
 *
 * fp2_t is two fp_t back to back, the layout of the CPU backend's (…, 2, 6) uint64 Fp2 arrays
 * ([c0, c1], as in kernels/limbs.py G2 points).
 */
#pragma once

#include "fp.cuh"

struct fp2_t {
    fp_t c0, c1;
};

ZK_HD fp2_t fp2_zero() {
    fp2_t r = {fp_zero(), fp_zero()};
    return r;
}
ZK_HD fp2_t fp2_one() {
    fp2_t r = {fp_one(), fp_zero()};
    return r;
}
ZK_HD bool fp2_is_zero(const fp2_t &a) { return fp_is_zero(a.c0) && fp_is_zero(a.c1); }
ZK_HD bool fp2_eq(const fp2_t &a, const fp2_t &b) { return fp_eq(a.c0, b.c0) && fp_eq(a.c1, b.c1); }

ZK_HD fp2_t fp2_add(const fp2_t &a, const fp2_t &b) {
    fp2_t r = {fp_add(a.c0, b.c0), fp_add(a.c1, b.c1)};
    return r;
}
ZK_HD fp2_t fp2_sub(const fp2_t &a, const fp2_t &b) {
    fp2_t r = {fp_sub(a.c0, b.c0), fp_sub(a.c1, b.c1)};
    return r;
}
ZK_HD fp2_t fp2_neg(const fp2_t &a) {
    fp2_t r = {fp_neg(a.c0), fp_neg(a.c1)};
    return r;
}
ZK_HD fp2_t fp2_dbl(const fp2_t &a) {
    fp2_t r = {fp_dbl(a.c0), fp_dbl(a.c1)};
    return r;
}

/* Karatsuba: 3 Fp multiplications (a device call: see ZK_HD_CALL). (a0 + a1 u)(b0 + b1 u) = a0 b0 - a1 b1 + (a0 b1 + a1 b0) u. */
ZK_HD_CALL fp2_t fp2_mul(fp2_t a, fp2_t b) {
    fp_t v0 = fp_mul(a.c0, b.c0);
    fp_t v1 = fp_mul(a.c1, b.c1);
    fp_t s = fp_mul(fp_add(a.c0, a.c1), fp_add(b.c0, b.c1));
    fp2_t r = {fp_sub(v0, v1), fp_sub(fp_sub(s, v0), v1)};
    return r;
}

/* Complex squaring: (a0 + a1)(a0 - a1) + 2 a0 a1 u, 2 Fp multiplications. */
ZK_HD_CALL fp2_t fp2_sqr(fp2_t a) {
    fp_t m = fp_mul(a.c0, a.c1);
    fp2_t r = {fp_mul(fp_add(a.c0, a.c1), fp_sub(a.c0, a.c1)), fp_dbl(m)};
    return r;
}

/* (a0 + a1 u) * k for k in Fp. */
ZK_HD fp2_t fp2_mul_fp(const fp2_t &a, const fp_t &k) {
    fp2_t r = {fp_mul(a.c0, k), fp_mul(a.c1, k)};
    return r;
}

/* 1 / (a0 + a1 u) = (a0 - a1 u) / (a0^2 + a1^2): one Fp inversion. 0 maps to 0. */
ZK_HD fp2_t fp2_inv(const fp2_t &a) {
    fp_t t = fp_inv(fp_add(fp_sqr(a.c0), fp_sqr(a.c1)));
    fp2_t r = {fp_mul(a.c0, t), fp_neg(fp_mul(a.c1, t))};
    return r;
}

template <>
struct field_ops<fp2_t> {
    static ZK_HD fp2_t zero() { return fp2_zero(); }
    static ZK_HD fp2_t one() { return fp2_one(); }
    static ZK_HD bool is_zero(const fp2_t &a) { return fp2_is_zero(a); }
    static ZK_HD bool eq(const fp2_t &a, const fp2_t &b) { return fp2_eq(a, b); }
    static ZK_HD fp2_t add(const fp2_t &a, const fp2_t &b) { return fp2_add(a, b); }
    static ZK_HD fp2_t sub(const fp2_t &a, const fp2_t &b) { return fp2_sub(a, b); }
    static ZK_HD fp2_t neg(const fp2_t &a) { return fp2_neg(a); }
    static ZK_HD fp2_t dbl(const fp2_t &a) { return fp2_dbl(a); }
    static ZK_HD fp2_t mul(const fp2_t &a, const fp2_t &b) { return fp2_mul(a, b); }
    static ZK_HD fp2_t sqr(const fp2_t &a) { return fp2_sqr(a); }
    static ZK_HD fp2_t inv(const fp2_t &a) { return fp2_inv(a); }
};
