/* Fp, the BLS12-381 base field: 12 x 32-bit little-endian limbs in Montgomery form (R = 2^384).
 *
 * fp_t has the byte layout of the CPU backend's (…, 6) uint64 Montgomery arrays (kernels/limbs.py)
 * on a little-endian machine, so device buffers are those arrays reinterpreted, no conversion.
 * Inputs must be reduced (< p); every function returns a reduced value.
 */
#pragma once

#include "common.cuh"
#include "constants.cuh"
#include "mont.cuh"

struct fp_t {
    uint32_t l[ZK_FP_LIMBS];
};

#define ZK_FP_Q const uint32_t q_[ZK_FP_LIMBS] = {ZK_FP_MODULUS}

ZK_HD fp_t fp_zero() {
    fp_t r = {{0}};
    return r;
}
ZK_HD fp_t fp_one() {
    fp_t r = {{ZK_FP_ONE_MONT}};
    return r;
}
ZK_HD bool fp_is_zero(const fp_t &a) { return zk::limbs_is_zero<ZK_FP_LIMBS>(a.l); }
ZK_HD bool fp_eq(const fp_t &a, const fp_t &b) { return zk::limbs_eq<ZK_FP_LIMBS>(a.l, b.l); }

ZK_HD fp_t fp_add(const fp_t &a, const fp_t &b) {
    ZK_FP_Q;
    fp_t r;
    zk::mod_add<ZK_FP_LIMBS>(r.l, a.l, b.l, q_);
    return r;
}
ZK_HD fp_t fp_sub(const fp_t &a, const fp_t &b) {
    ZK_FP_Q;
    fp_t r;
    zk::mod_sub<ZK_FP_LIMBS>(r.l, a.l, b.l, q_);
    return r;
}
ZK_HD fp_t fp_neg(const fp_t &a) {
    ZK_FP_Q;
    fp_t r;
    zk::mod_neg<ZK_FP_LIMBS>(r.l, a.l, q_);
    return r;
}
ZK_HD fp_t fp_dbl(const fp_t &a) { return fp_add(a, a); }
ZK_HD fp_t fp_mul(const fp_t &a, const fp_t &b) {
    ZK_FP_Q;
    fp_t r;
    zk::mont_mul<ZK_FP_LIMBS>(r.l, a.l, b.l, q_, ZK_FP_INV32);
    return r;
}
ZK_HD fp_t fp_sqr(const fp_t &a) { return fp_mul(a, a); }

/* Standard form <-> Montgomery form. */
ZK_HD fp_t fp_to_mont(const fp_t &a) {
    const fp_t r2 = {{ZK_FP_R2}};
    return fp_mul(a, r2);
}
ZK_HD fp_t fp_from_mont(const fp_t &a) {
    const fp_t one = {{1u}};
    return fp_mul(a, one);
}

/* a^(p-2) by Fermat (0 maps to 0): ~570 multiplications, for rare use (to_affine); a device call. */
ZK_HD_CALL fp_t fp_inv(fp_t a) {
    ZK_FP_Q;
    const uint32_t e[ZK_FP_LIMBS] = {ZK_FP_MODULUS_MINUS_2};
    const fp_t one = fp_one();
    fp_t r;
    zk::mont_pow<ZK_FP_LIMBS>(r.l, a.l, e, ZK_FP_BITS, one.l, q_, ZK_FP_INV32);
    return r;
}

#undef ZK_FP_Q

template <>
struct field_ops<fp_t> {
    static ZK_HD fp_t zero() { return fp_zero(); }
    static ZK_HD fp_t one() { return fp_one(); }
    static ZK_HD bool is_zero(const fp_t &a) { return fp_is_zero(a); }
    static ZK_HD bool eq(const fp_t &a, const fp_t &b) { return fp_eq(a, b); }
    static ZK_HD fp_t add(const fp_t &a, const fp_t &b) { return fp_add(a, b); }
    static ZK_HD fp_t sub(const fp_t &a, const fp_t &b) { return fp_sub(a, b); }
    static ZK_HD fp_t neg(const fp_t &a) { return fp_neg(a); }
    static ZK_HD fp_t dbl(const fp_t &a) { return fp_dbl(a); }
    static ZK_HD fp_t mul(const fp_t &a, const fp_t &b) { return fp_mul(a, b); }
    static ZK_HD fp_t sqr(const fp_t &a) { return fp_sqr(a); }
    static ZK_HD fp_t inv(const fp_t &a) { return fp_inv(a); }
};
