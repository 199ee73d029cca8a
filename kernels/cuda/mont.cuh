/* Montgomery arithmetic on N x 32-bit little-endian limbs, written once for Fp (N = 12) and Fr (N = 8).
 *
 * Everything is built from the carry primitives of common.cuh, so the PTX chains the GPU runs are
 * the same code the host test library runs through the portable model. Loops have compile-time
 * bounds and are fully unrolled; the modulus is passed as a local array initialised from the
 * generated constants, which the compiler folds into immediates.
 *
 * Preconditions (both BLS12-381 moduli satisfy them, checked by the host tests): q odd and
 * 2q < 2^(32N), so a sum of two reduced values never carries out of the top limb and the CIOS
 * accumulator below fits N + 1 limbs. All inputs must be reduced (< q); all outputs are.
 */
#pragma once

#include "common.cuh"

namespace zk {

/* r = mask ? x : y, limb-wise with a 0 / 0xFFFFFFFF mask (no divergent branch). */
template <int N>
ZK_HD void select(uint32_t *r, uint32_t mask, const uint32_t *x, const uint32_t *y) {
    ZK_UNROLL
    for (int i = 0; i < N; ++i) r[i] = (x[i] & mask) | (y[i] & ~mask);
}

/* r = t mod q for t < 2q: subtract q unless that borrows. r may alias t. */
template <int N>
ZK_HD void reduce_once(uint32_t *r, const uint32_t *t, const uint32_t *q) {
    uint32_t s[N], cf = 0;
    s[0] = sub_cc(t[0], q[0], cf);
    ZK_UNROLL
    for (int i = 1; i < N; ++i) s[i] = subc_cc(t[i], q[i], cf);
    uint32_t borrow = subc(0u, 0u, cf); /* 0xFFFFFFFF when t < q */
    select<N>(r, borrow, t, s);
}

template <int N>
ZK_HD void mod_add(uint32_t *r, const uint32_t *a, const uint32_t *b, const uint32_t *q) {
    uint32_t t[N], cf = 0;
    t[0] = add_cc(a[0], b[0], cf);
    ZK_UNROLL
    for (int i = 1; i < N - 1; ++i) t[i] = addc_cc(a[i], b[i], cf);
    t[N - 1] = addc(a[N - 1], b[N - 1], cf); /* no carry out: a + b < 2q < 2^(32N) */
    reduce_once<N>(r, t, q);
}

template <int N>
ZK_HD void mod_sub(uint32_t *r, const uint32_t *a, const uint32_t *b, const uint32_t *q) {
    uint32_t t[N], cf = 0;
    t[0] = sub_cc(a[0], b[0], cf);
    ZK_UNROLL
    for (int i = 1; i < N; ++i) t[i] = subc_cc(a[i], b[i], cf);
    uint32_t mask = subc(0u, 0u, cf); /* 0xFFFFFFFF when a < b: add q back */
    r[0] = add_cc(t[0], q[0] & mask, cf);
    ZK_UNROLL
    for (int i = 1; i < N - 1; ++i) r[i] = addc_cc(t[i], q[i] & mask, cf);
    r[N - 1] = addc(t[N - 1], q[N - 1] & mask, cf);
}

template <int N>
ZK_HD bool limbs_is_zero(const uint32_t *a) {
    uint32_t acc = 0;
    ZK_UNROLL
    for (int i = 0; i < N; ++i) acc |= a[i];
    return acc == 0;
}

template <int N>
ZK_HD bool limbs_eq(const uint32_t *a, const uint32_t *b) {
    uint32_t acc = 0;
    ZK_UNROLL
    for (int i = 0; i < N; ++i) acc |= a[i] ^ b[i];
    return acc == 0;
}

/* r = -a mod q (0 stays 0). */
template <int N>
ZK_HD void mod_neg(uint32_t *r, const uint32_t *a, const uint32_t *q) {
    uint32_t keep = (uint32_t)limbs_is_zero<N>(a) - 1u; /* 0 when a == 0, else 0xFFFFFFFF */
    uint32_t cf = 0;
    r[0] = sub_cc(q[0], a[0], cf) & keep;
    ZK_UNROLL
    for (int i = 1; i < N - 1; ++i) r[i] = subc_cc(q[i], a[i], cf) & keep;
    r[N - 1] = subc(q[N - 1], a[N - 1], cf) & keep;
}

/* t[0..N] += x * y[0..N-1] (t has N + 1 limbs; the caller guarantees no carry out of t[N]).
 * Two chains: low halves of the products into t[0..N-1], then high halves into t[1..N]. */
template <int N>
ZK_HD void mul_acc(uint32_t *t, uint32_t x, const uint32_t *y) {
    uint32_t cf = 0;
    t[0] = mad_lo_cc(y[0], x, t[0], cf);
    ZK_UNROLL
    for (int j = 1; j < N; ++j) t[j] = madc_lo_cc(y[j], x, t[j], cf);
    t[N] = addc(t[N], 0u, cf);
    t[1] = mad_hi_cc(y[0], x, t[1], cf);
    ZK_UNROLL
    for (int j = 1; j < N - 1; ++j) t[j + 1] = madc_hi_cc(y[j], x, t[j + 1], cf);
    t[N] = madc_hi(y[N - 1], x, t[N], cf);
}

/* r = a b / 2^(32N) mod q: CIOS, one limb of b per round.
 * Invariant: t < 2q at the top of each round, so t + a b_i + m q < 2 * 2^32 q < 2^(32(N+1)). */
template <int N>
ZK_HD void mont_mul(uint32_t *r, const uint32_t *a, const uint32_t *b, const uint32_t *q, uint32_t qinv) {
    uint32_t t[N + 1];
    ZK_UNROLL
    for (int j = 0; j <= N; ++j) t[j] = 0;
    ZK_UNROLL
    for (int i = 0; i < N; ++i) {
        mul_acc<N>(t, b[i], a);
        uint32_t m = t[0] * qinv; /* makes t + m q divisible by 2^32 */
        mul_acc<N>(t, m, q);
        ZK_UNROLL
        for (int j = 0; j < N; ++j) t[j] = t[j + 1];
        t[N] = 0;
    }
    reduce_once<N>(r, t, q);
}

/* r = a^e (Montgomery), e given as N little-endian limbs, `bits` its bit length; `one` = R mod q. */
template <int N>
ZK_HD void mont_pow(uint32_t *r, const uint32_t *a, const uint32_t *e, int bits, const uint32_t *one,
                    const uint32_t *q, uint32_t qinv) {
    uint32_t acc[N];
    ZK_UNROLL
    for (int j = 0; j < N; ++j) acc[j] = one[j];
    for (int i = bits - 1; i >= 0; --i) {
        mont_mul<N>(acc, acc, acc, q, qinv);
        if ((e[i >> 5] >> (i & 31)) & 1u) mont_mul<N>(acc, acc, a, q, qinv);
    }
    ZK_UNROLL
    for (int j = 0; j < N; ++j) r[j] = acc[j];
}

} /* namespace zk */
