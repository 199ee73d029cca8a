"""Short-Weierstrass arithmetic for y^2 = x^3 + b (a = 0), written once for G1 (Fp) and G2 (Fp2).

Field operations come from `curve_field`, which resolves them by type at compile time, so each
njit function here compiles to one specialisation per group (and caches on disk).

Coordinates:
- affine `(x, y)`; the point at infinity is `(0, 0)`, which is not on either curve (b != 0), so the
  all-zero encoding of kernels/limbs.py is unambiguous.
- XYZZ `(X, Y, ZZ, ZZZ)` with x = X/ZZ, y = Y/ZZZ, ZZ^3 = ZZZ^2 (the bucket coordinates of
  sppark/gnark): mixed addition costs 8M + 2S, general addition 12M + 2S, no inversion.
  Infinity is ZZ = 0.

Arrays: affine points are (m, 2, ...) and XYZZ points (m, 4, ...), where `...` is (6,) for Fp
and (2, 6) for Fp2; scratch field elements live in (m, 1, ...) arrays.

The batch routines rely on Montgomery's trick (one inversion for a whole chunk) and are the core
of the MSM: `add_pairs` adds two arrays of affine points element-wise at about 6 multiplications
per addition instead of the 10 of a mixed XYZZ addition.
"""

import numpy as np
from numba import njit

from kernels.cpu.curve_field import (
    add,
    b_like,
    dbl,
    eq,
    inv,
    is_zero,
    ld,
    mul,
    neg,
    one_like,
    sqr,
    st,
    sub,
    zero_like,
)
from kernels.cpu.llvm_hints import always_inline

jit = njit(cache=True)


# --- affine -------------------------------------------------------------------------------------


@jit
def aff_is_inf(x, y):
    return is_zero(x) and is_zero(y)


@jit
def aff_on_curve(x, y):
    """y^2 == x^3 + b, or the point at infinity."""
    if aff_is_inf(x, y):
        return True
    return eq(sqr(y), add(mul(sqr(x), x), b_like(x)))


@jit
def aff_load(arr, i):
    return ld(arr, i, 0), ld(arr, i, 1)


@jit
def aff_store(arr, i, x, y):
    st(arr, i, 0, x)
    st(arr, i, 1, y)


# --- XYZZ ---------------------------------------------------------------------------------------


@jit
def xyzz_inf(like):
    one = one_like(like)
    zero = zero_like(like)
    return (one, one, zero, zero)


@jit
def xyzz_is_inf(p):
    return is_zero(p[2])


@jit
def xyzz_from_affine(x, y):
    if aff_is_inf(x, y):
        return xyzz_inf(x)
    one = one_like(x)
    return (x, y, one, one)


@jit
def xyzz_neg(p):
    return (p[0], neg(p[1]), p[2], p[3])


@jit
def xyzz_dbl(p):
    """dbl-2008-s-1 (a = 0): 6M + 3S."""
    X, Y, ZZ, ZZZ = p
    u = dbl(Y)
    v = sqr(u)
    w = mul(u, v)
    s = mul(X, v)
    xx = sqr(X)
    m = add(dbl(xx), xx)
    x3 = sub(sqr(m), dbl(s))
    y3 = sub(mul(m, sub(s, x3)), mul(w, Y))
    return (x3, y3, mul(v, ZZ), mul(w, ZZZ))


@jit
def xyzz_dbl_affine(x, y):
    """mdbl-2008-s-1: 2(x, y) for an affine point, 3M + 2S."""
    u = dbl(y)
    v = sqr(u)
    w = mul(u, v)
    s = mul(x, v)
    xx = sqr(x)
    m = add(dbl(xx), xx)
    x3 = sub(sqr(m), dbl(s))
    y3 = sub(mul(m, sub(s, x3)), mul(w, y))
    return (x3, y3, v, w)


@jit
def xyzz_madd(p, x2, y2):
    """p + (x2, y2) with the second point affine (madd-2008-s): 8M + 2S. Complete."""
    if aff_is_inf(x2, y2):
        return p
    if xyzz_is_inf(p):
        return xyzz_from_affine(x2, y2)
    X1, Y1, ZZ1, ZZZ1 = p
    pp_ = sub(mul(x2, ZZ1), X1)
    r = sub(mul(y2, ZZZ1), Y1)
    if is_zero(pp_):
        if is_zero(r):
            return xyzz_dbl_affine(x2, y2)
        return xyzz_inf(x2)
    pp = sqr(pp_)
    ppp = mul(pp_, pp)
    q = mul(X1, pp)
    x3 = sub(sub(sqr(r), ppp), dbl(q))
    y3 = sub(mul(r, sub(q, x3)), mul(Y1, ppp))
    return (x3, y3, mul(ZZ1, pp), mul(ZZZ1, ppp))


@jit
def xyzz_add(p, q):
    """General addition (add-2008-s): 12M + 2S. Complete."""
    if xyzz_is_inf(q):
        return p
    if xyzz_is_inf(p):
        return q
    X1, Y1, ZZ1, ZZZ1 = p
    X2, Y2, ZZ2, ZZZ2 = q
    u1 = mul(X1, ZZ2)
    s1 = mul(Y1, ZZZ2)
    pp_ = sub(mul(X2, ZZ1), u1)
    r = sub(mul(Y2, ZZZ1), s1)
    if is_zero(pp_):
        if is_zero(r):
            return xyzz_dbl(p)
        return xyzz_inf(X1)
    pp = sqr(pp_)
    ppp = mul(pp_, pp)
    qq = mul(u1, pp)
    x3 = sub(sub(sqr(r), ppp), dbl(qq))
    y3 = sub(mul(r, sub(qq, x3)), mul(s1, ppp))
    return (x3, y3, mul(mul(ZZ1, ZZ2), pp), mul(mul(ZZZ1, ZZZ2), ppp))


@jit
def xyzz_load(arr, i):
    return (ld(arr, i, 0), ld(arr, i, 1), ld(arr, i, 2), ld(arr, i, 3))


@jit
def xyzz_store(arr, i, p):
    st(arr, i, 0, p[0])
    st(arr, i, 1, p[1])
    st(arr, i, 2, p[2])
    st(arr, i, 3, p[3])


@njit(cache=True)
def xyzz_to_affine(p):
    """One point to affine (one inversion): x = X (ZZ/ZZZ)^2, y = Y / ZZZ."""
    X, Y, ZZ, ZZZ = p
    if is_zero(ZZ):
        zero = zero_like(X)
        return zero, zero
    a = inv(ZZZ)
    b = mul(ZZ, a)
    return mul(X, sqr(b)), mul(Y, a)


@njit(cache=True)
def xyzz_mul_scalar(x, y, scalar):
    """[k](x, y) by double-and-add over k's bits, most significant first; scalar is (4,) uint64."""
    acc = xyzz_inf(x)
    for limb in range(3, -1, -1):
        word = scalar[limb]
        for bit in range(63, -1, -1):
            acc = xyzz_dbl(acc)
            if (word >> np.uint64(bit)) & np.uint64(1):
                acc = xyzz_madd(acc, x, y)
    return acc


# --- batch routines -----------------------------------------------------------------------------


@njit(cache=True)
def batch_to_affine(src, dst):
    """dst[i] = affine(src[i]) for XYZZ src (m, 4, ...): one inversion in total (Montgomery)."""
    m = src.shape[0]
    if m == 0:
        return
    prefix = np.empty((m, 1) + src.shape[2:], dtype=np.uint64)
    acc = one_like(ld(src, 0, 0))
    for i in range(m):
        st(prefix, i, 0, acc)
        zzz = ld(src, i, 3)
        if not is_zero(zzz):
            acc = mul(acc, zzz)
    acc_inv = inv(acc)
    for i in range(m - 1, -1, -1):
        X, Y, ZZ, ZZZ = xyzz_load(src, i)
        if is_zero(ZZZ):
            zero = zero_like(X)
            aff_store(dst, i, zero, zero)
            continue
        a = mul(acc_inv, ld(prefix, i, 0))
        acc_inv = mul(acc_inv, ZZZ)
        b = mul(ZZ, a)
        aff_store(dst, i, mul(X, sqr(b)), mul(Y, a))


# Batch-affine addition (Montgomery's trick): a caller adds many independent pairs a_i + b_i by
# calling `pair_denominator` on each (accumulating the product of the denominators), inverting the
# product once, then walking back with `pair_sum`. Cases: 0 = a + b, denominator bx - ax;
# 1 = doubling, denominator 2 ay; 2 = result b (a is infinity); 3 = result a (b is infinity);
# 4 = result infinity (a = -b, or a = b of order 2). Only cases 0 and 1 take part in the product.


@jit
def pair_denominator(ax, ay, bx, by):
    """(case, denominator) of a + b; the denominator is one for cases 2-4."""
    always_inline()
    one = one_like(ax)
    if aff_is_inf(ax, ay):
        return 2, one
    if aff_is_inf(bx, by):
        return 3, one
    if eq(ax, bx):
        if eq(ay, by) and not is_zero(ay):
            return 1, dbl(ay)
        return 4, one
    return 0, sub(bx, ax)


@jit
def pair_sum(case, ax, ay, bx, by, d_inv):
    """a + b in affine coordinates, given the case and d_inv = 1 / denominator (cases 0, 1)."""
    always_inline()
    if case >= 2:
        if case == 2:
            return bx, by
        if case == 3:
            return ax, ay
        zero = zero_like(ax)
        return zero, zero
    if case == 0:
        lam = mul(sub(by, ay), d_inv)
    else:
        xx = sqr(ax)
        lam = mul(add(dbl(xx), xx), d_inv)
    x3 = sub(sub(sqr(lam), ax), bx)
    return x3, sub(mul(lam, sub(ax, x3)), ay)


@njit(cache=True)
def add_pairs(a, a_off, b, n, prefix):
    """a[a_off + i] += b[i] for i < n, affine and complete, with one inversion for all n.

    `prefix` is an (>= n, 1, ...) scratch array for the running products.
    """
    if n == 0:
        return
    acc = one_like(ld(b, 0, 0))
    for i in range(n):
        ax, ay = aff_load(a, a_off + i)
        bx, by = aff_load(b, i)
        st(prefix, i, 0, acc)
        case, den = pair_denominator(ax, ay, bx, by)
        if case <= 1:
            acc = mul(acc, den)
    acc_inv = inv(acc)
    for i in range(n - 1, -1, -1):
        ax, ay = aff_load(a, a_off + i)
        bx, by = aff_load(b, i)
        case, den = pair_denominator(ax, ay, bx, by)
        d_inv = acc_inv
        if case <= 1:
            d_inv = mul(acc_inv, ld(prefix, i, 0))
            acc_inv = mul(acc_inv, den)
        x3, y3 = pair_sum(case, ax, ay, bx, by, d_inv)
        aff_store(a, a_off + i, x3, y3)


@njit(cache=True)
def on_curve(points):
    """Vectorised y^2 == x^3 + b over (m, 2, ...) affine points; infinity (zeros) counts as on it."""
    m = points.shape[0]
    out = np.empty(m, dtype=np.bool_)
    for i in range(m):
        x, y = aff_load(points, i)
        out[i] = aff_on_curve(x, y)
    return out


@njit(cache=True)
def add_points(p, q, out):
    """out[i] = p[i] + q[i] for (m, 2, ...) affine arrays (complete; one inversion per point)."""
    for i in range(p.shape[0]):
        x1, y1 = aff_load(p, i)
        x2, y2 = aff_load(q, i)
        x3, y3 = xyzz_to_affine(xyzz_madd(xyzz_from_affine(x1, y1), x2, y2))
        aff_store(out, i, x3, y3)


@njit(cache=True)
def neg_points(p, out):
    """out[i] = -p[i] for (m, 2, ...) affine arrays (infinity stays all zeros)."""
    for i in range(p.shape[0]):
        x, y = aff_load(p, i)
        aff_store(out, i, x, neg(y))


@njit(cache=True)
def mul_points(p, scalars, out):
    """out[i] = [scalars[i]] p[i] (scalars (m, 4) uint64, not reduced), batch-normalised."""
    m = p.shape[0]
    acc = np.empty((m, 4) + p.shape[2:], dtype=np.uint64)
    for i in range(m):
        x, y = aff_load(p, i)
        xyzz_store(acc, i, xyzz_mul_scalar(x, y, scalars[i]))
    batch_to_affine(acc, out)
