/* Short-Weierstrass y^2 = x^3 + b (a = 0) over a field F: G1 (F = fp_t, b = 4) and G2 (F = fp2_t,
 * b = 4(1 + u)). Written once as templates over field_ops<F>.
 *
 * Coordinates (the conventions of kernels/cpu/curve.py):
 *   affine_t<F> {x, y}: the point at infinity is all zeros (not on either curve since b != 0), so
 *     it is the same bytes as the CPU arrays' infinity: G1 (m, 2, 6), G2 (m, 2, 2, 6) uint64.
 *   xyzz_t<F> {x, y, zz, zzz}: x = X/ZZ, y = Y/ZZZ, ZZ^3 = ZZZ^2 (the MSM bucket form): mixed
 *     addition 8M + 2S, addition 12M + 2S, no inversion. Any point with zz = 0 is infinity;
 *     xyzz_infinity() is all zeros, so zero-filled device memory is a buffer of infinities.
 *     Layout (m, 4, ...) like the CPU's XYZZ arrays.
 * Formulas: EFD "xyzz" for a = 0 (dbl-2008-s-1, mdbl-2008-s-1, madd-2008-s, add-2008-s); the
 * additions branch on the exceptional cases (P = Q, P = -Q, infinity) so they are complete.
 * Neither curve has points of order 2 over its field (odd cofactors), so y = 0 never occurs.
 */
#pragma once

#include "fp.cuh"
#include "fp2.cuh"

template <class F>
struct affine_t {
    F x, y;
};

template <class F>
struct xyzz_t {
    F x, y, zz, zzz;
};

typedef affine_t<fp_t> g1_affine_t;
typedef xyzz_t<fp_t> g1_xyzz_t;
typedef affine_t<fp2_t> g2_affine_t;
typedef xyzz_t<fp2_t> g2_xyzz_t;

/* The curve constant b in Montgomery form. */
template <class F>
ZK_HD F curve_b();
template <>
ZK_HD fp_t curve_b<fp_t>() {
    fp_t b = {{ZK_G1_B_MONT}};
    return b;
}
template <>
ZK_HD fp2_t curve_b<fp2_t>() {
    fp2_t b = {{{ZK_G2_B_C0_MONT}}, {{ZK_G2_B_C1_MONT}}};
    return b;
}

/* --- affine ------------------------------------------------------------------------------------ */

template <class F>
ZK_HD affine_t<F> affine_infinity() {
    affine_t<F> r = {field_ops<F>::zero(), field_ops<F>::zero()};
    return r;
}

template <class F>
ZK_HD bool affine_is_infinity(const affine_t<F> &p) {
    return field_ops<F>::is_zero(p.x) && field_ops<F>::is_zero(p.y);
}

template <class F>
ZK_HD bool affine_eq(const affine_t<F> &p, const affine_t<F> &q) {
    return field_ops<F>::eq(p.x, q.x) && field_ops<F>::eq(p.y, q.y);
}

/* -(x, y) = (x, -y); infinity stays all zeros. */
template <class F>
ZK_HD affine_t<F> affine_neg(const affine_t<F> &p) {
    affine_t<F> r = {p.x, field_ops<F>::neg(p.y)};
    return r;
}

/* y^2 == x^3 + b; infinity counts as on the curve (the CPU convention). */
template <class F>
ZK_HD bool affine_on_curve(const affine_t<F> &p) {
    typedef field_ops<F> f;
    if (affine_is_infinity(p)) return true;
    return f::eq(f::sqr(p.y), f::add(f::mul(f::sqr(p.x), p.x), curve_b<F>()));
}

/* G1 endomorphism (x, y) -> (beta x, y) = [lambda](x, y), lambda = ZK_FR_CUBE_ROOT (GLV). */
ZK_HD g1_affine_t g1_affine_endo(const g1_affine_t &p) {
    const fp_t beta = {{ZK_FP_CUBE_ROOT_MONT}};
    g1_affine_t r = {fp_mul(p.x, beta), p.y};
    return r;
}

/* --- XYZZ -------------------------------------------------------------------------------------- */

template <class F>
ZK_HD xyzz_t<F> xyzz_infinity() {
    F z = field_ops<F>::zero();
    xyzz_t<F> r = {z, z, z, z};
    return r;
}

template <class F>
ZK_HD bool xyzz_is_infinity(const xyzz_t<F> &p) {
    return field_ops<F>::is_zero(p.zz);
}

template <class F>
ZK_HD xyzz_t<F> xyzz_from_affine(const affine_t<F> &p) {
    if (affine_is_infinity(p)) return xyzz_infinity<F>();
    F one = field_ops<F>::one();
    xyzz_t<F> r = {p.x, p.y, one, one};
    return r;
}

template <class F>
ZK_HD xyzz_t<F> xyzz_neg(const xyzz_t<F> &p) {
    xyzz_t<F> r = {p.x, field_ops<F>::neg(p.y), p.zz, p.zzz};
    return r;
}

/* Same point (not same coordinates): X1 ZZ2 = X2 ZZ1 and Y1 ZZZ2 = Y2 ZZZ1. */
template <class F>
ZK_HD bool xyzz_eq(const xyzz_t<F> &p, const xyzz_t<F> &q) {
    typedef field_ops<F> f;
    bool pi = xyzz_is_infinity(p), qi = xyzz_is_infinity(q);
    if (pi || qi) return pi && qi;
    return f::eq(f::mul(p.x, q.zz), f::mul(q.x, p.zz)) && f::eq(f::mul(p.y, q.zzz), f::mul(q.y, p.zzz));
}

/* 2P, dbl-2008-s-1: 6M + 3S (infinity maps to infinity: zz stays 0). */
template <class F>
ZK_HD xyzz_t<F> xyzz_dbl(const xyzz_t<F> &p) {
    typedef field_ops<F> f;
    F u = f::dbl(p.y);
    F v = f::sqr(u);
    F w = f::mul(u, v);
    F s = f::mul(p.x, v);
    F xx = f::sqr(p.x);
    F m = f::add(f::dbl(xx), xx);
    F x3 = f::sub(f::sqr(m), f::dbl(s));
    F y3 = f::sub(f::mul(m, f::sub(s, x3)), f::mul(w, p.y));
    xyzz_t<F> r = {x3, y3, f::mul(v, p.zz), f::mul(w, p.zzz)};
    return r;
}

/* 2P for affine P (not infinity), mdbl-2008-s-1: 3M + 2S. */
template <class F>
ZK_HD xyzz_t<F> xyzz_dbl_affine(const affine_t<F> &p) {
    typedef field_ops<F> f;
    F u = f::dbl(p.y);
    F v = f::sqr(u);
    F w = f::mul(u, v);
    F s = f::mul(p.x, v);
    F xx = f::sqr(p.x);
    F m = f::add(f::dbl(xx), xx);
    F x3 = f::sub(f::sqr(m), f::dbl(s));
    F y3 = f::sub(f::mul(m, f::sub(s, x3)), f::mul(w, p.y));
    xyzz_t<F> r = {x3, y3, v, w};
    return r;
}

/* P + Q for affine Q (mixed), madd-2008-s: 8M + 2S. Complete: handles infinity, P = Q, P = -Q. */
template <class F>
ZK_HD xyzz_t<F> xyzz_add_affine(const xyzz_t<F> &p, const affine_t<F> &q) {
    typedef field_ops<F> f;
    if (affine_is_infinity(q)) return p;
    if (xyzz_is_infinity(p)) return xyzz_from_affine(q);
    F pp_ = f::sub(f::mul(q.x, p.zz), p.x);
    F rr = f::sub(f::mul(q.y, p.zzz), p.y);
    if (f::is_zero(pp_)) {
        if (f::is_zero(rr)) return xyzz_dbl_affine(q);
        return xyzz_infinity<F>();
    }
    F pp = f::sqr(pp_);
    F ppp = f::mul(pp_, pp);
    F qq = f::mul(p.x, pp);
    F x3 = f::sub(f::sub(f::sqr(rr), ppp), f::dbl(qq));
    F y3 = f::sub(f::mul(rr, f::sub(qq, x3)), f::mul(p.y, ppp));
    xyzz_t<F> r = {x3, y3, f::mul(p.zz, pp), f::mul(p.zzz, ppp)};
    return r;
}

/* P + Q, add-2008-s: 12M + 2S. Complete. */
template <class F>
ZK_HD xyzz_t<F> xyzz_add(const xyzz_t<F> &p, const xyzz_t<F> &q) {
    typedef field_ops<F> f;
    if (xyzz_is_infinity(q)) return p;
    if (xyzz_is_infinity(p)) return q;
    F u1 = f::mul(p.x, q.zz);
    F s1 = f::mul(p.y, q.zzz);
    F pp_ = f::sub(f::mul(q.x, p.zz), u1);
    F rr = f::sub(f::mul(q.y, p.zzz), s1);
    if (f::is_zero(pp_)) {
        if (f::is_zero(rr)) return xyzz_dbl(p);
        return xyzz_infinity<F>();
    }
    F pp = f::sqr(pp_);
    F ppp = f::mul(pp_, pp);
    F qq = f::mul(u1, pp);
    F x3 = f::sub(f::sub(f::sqr(rr), ppp), f::dbl(qq));
    F y3 = f::sub(f::mul(rr, f::sub(qq, x3)), f::mul(s1, ppp));
    xyzz_t<F> r = {x3, y3, f::mul(f::mul(p.zz, q.zz), pp), f::mul(f::mul(p.zzz, q.zzz), ppp)};
    return r;
}

/* Affine form with one inversion: 1/Z = ZZ / ZZZ, x = X (1/Z)^2, y = Y / ZZZ. */
template <class F>
ZK_HD affine_t<F> xyzz_to_affine(const xyzz_t<F> &p) {
    typedef field_ops<F> f;
    if (xyzz_is_infinity(p)) return affine_infinity<F>();
    F a = f::inv(p.zzz);
    F b = f::mul(p.zz, a);
    affine_t<F> r = {f::mul(p.x, f::sqr(b)), f::mul(p.y, a)};
    return r;
}
