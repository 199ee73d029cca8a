/* Fr, the BLS12-381 scalar field: 8 x 32-bit little-endian limbs; Montgomery form (R = 2^256) for
 * arithmetic.
 *
 * Layout: byte-identical to the CPU backend's (m, 4) uint64 Fr arrays. Which form a buffer holds is
 * the caller's convention (kernels/limbs.py): MSM scalars and public Fr arrays are standard form,
 * so kernels convert with fr_to_mont / fr_from_mont at the edges. Inputs must be reduced (< r).
 */
#pragma once

#include "common.cuh"
#include "constants.cuh"
#include "mont.cuh"

struct fr_t {
    uint32_t l[ZK_FR_LIMBS];
};

#define ZK_FR_Q const uint32_t q_[ZK_FR_LIMBS] = {ZK_FR_MODULUS}

ZK_HD fr_t fr_zero() {
    fr_t r = {{0}};
    return r;
}
ZK_HD fr_t fr_one() {
    fr_t r = {{ZK_FR_ONE_MONT}};
    return r;
}
ZK_HD bool fr_is_zero(const fr_t &a) { return zk::limbs_is_zero<ZK_FR_LIMBS>(a.l); }
ZK_HD bool fr_eq(const fr_t &a, const fr_t &b) { return zk::limbs_eq<ZK_FR_LIMBS>(a.l, b.l); }

ZK_HD fr_t fr_add(const fr_t &a, const fr_t &b) {
    ZK_FR_Q;
    fr_t r;
    zk::mod_add<ZK_FR_LIMBS>(r.l, a.l, b.l, q_);
    return r;
}
ZK_HD fr_t fr_sub(const fr_t &a, const fr_t &b) {
    ZK_FR_Q;
    fr_t r;
    zk::mod_sub<ZK_FR_LIMBS>(r.l, a.l, b.l, q_);
    return r;
}
ZK_HD fr_t fr_neg(const fr_t &a) {
    ZK_FR_Q;
    fr_t r;
    zk::mod_neg<ZK_FR_LIMBS>(r.l, a.l, q_);
    return r;
}
ZK_HD fr_t fr_dbl(const fr_t &a) { return fr_add(a, a); }
ZK_HD fr_t fr_mul(const fr_t &a, const fr_t &b) {
    ZK_FR_Q;
    fr_t r;
    zk::mont_mul<ZK_FR_LIMBS>(r.l, a.l, b.l, q_, ZK_FR_INV32);
    return r;
}
ZK_HD fr_t fr_sqr(const fr_t &a) { return fr_mul(a, a); }

/* Standard form <-> Montgomery form (x -> x R mod r, x R -> x). */
ZK_HD fr_t fr_to_mont(const fr_t &a) {
    const fr_t r2 = {{ZK_FR_R2}};
    return fr_mul(a, r2);
}
ZK_HD fr_t fr_from_mont(const fr_t &a) {
    const fr_t one = {{1u}};
    return fr_mul(a, one);
}

/* x^5, the Poseidon S-box: 3 multiplications. */
ZK_HD fr_t fr_pow5(const fr_t &a) {
    fr_t a2 = fr_sqr(a);
    return fr_mul(fr_sqr(a2), a);
}

/* a^(r-2) by Fermat (0 maps to 0); a device call (rare use). */
ZK_HD_CALL fr_t fr_inv(fr_t a) {
    ZK_FR_Q;
    const uint32_t e[ZK_FR_LIMBS] = {ZK_FR_MODULUS_MINUS_2};
    const fr_t one = fr_one();
    fr_t r;
    zk::mont_pow<ZK_FR_LIMBS>(r.l, a.l, e, ZK_FR_BITS, one.l, q_, ZK_FR_INV32);
    return r;
}

#undef ZK_FR_Q

template <>
struct field_ops<fr_t> {
    static ZK_HD fr_t zero() { return fr_zero(); }
    static ZK_HD fr_t one() { return fr_one(); }
    static ZK_HD bool is_zero(const fr_t &a) { return fr_is_zero(a); }
    static ZK_HD bool eq(const fr_t &a, const fr_t &b) { return fr_eq(a, b); }
    static ZK_HD fr_t add(const fr_t &a, const fr_t &b) { return fr_add(a, b); }
    static ZK_HD fr_t sub(const fr_t &a, const fr_t &b) { return fr_sub(a, b); }
    static ZK_HD fr_t neg(const fr_t &a) { return fr_neg(a); }
    static ZK_HD fr_t dbl(const fr_t &a) { return fr_dbl(a); }
    static ZK_HD fr_t mul(const fr_t &a, const fr_t &b) { return fr_mul(a, b); }
    static ZK_HD fr_t sqr(const fr_t &a) { return fr_sqr(a); }
    static ZK_HD fr_t inv(const fr_t &a) { return fr_inv(a); }
};
