"""Generates straight-line Numba Montgomery arithmetic for a prime with n 64-bit limbs.

Why generated: Numba cannot index a tuple with a loop variable, and arrays in the inner loop of an
MSM cost an allocation each. Unrolled code over `UniTuple(uint64, n)` values stays in registers.
Both BLS12-381 moduli have a top limb below 2^63 - 1, so multiplication uses the "no-carry" CIOS variant
(gnark-crypto's), and add/sub never carry out of the top limb.

The generated functions (all njit, all on Montgomery-form tuples):
    add sub neg dbl mul sqr eq is_zero inv to_mont from_mont load store
and constants ZERO ONE (Montgomery one) and MODULUS (the limbs of q).
"""

from __future__ import annotations

import linecache
import types as pytypes

import numba
import numpy as np

from kernels.constants import limbs

_MASK = (1 << 64) - 1


def _names(prefix: str, n: int) -> str:
    return ", ".join(f"{prefix}{i}" for i in range(n))


def _source(n: int) -> str:
    """Python source of the field functions for n limbs (module-level names q0.., qinv, R2..)."""
    out: list[str] = []
    a, b = _names("a", n), _names("b", n)
    tup = lambda p: "(" + _names(p, n) + ",)"  # noqa: E731

    # Conditional subtraction of q: shared tail of add and mul.
    def reduce_once(src: str, dst: str) -> list[str]:
        lines = ["    br = zero"]
        for i in range(n):
            lines.append(f"    d{i}, br = sbb({src}{i}, q{i}, br)")
        lines.append("    if br == zero:")
        lines.append(f"        return {tup('d')}")
        lines.append(f"    return {tup(src)}")
        return lines

    out.append("def add(a, b):")
    out.append(f"    {a}, = a\n    {b}, = b\n    c = zero")
    for i in range(n):
        out.append(f"    s{i}, c = adc(a{i}, b{i}, c)")
    out += reduce_once("s", "d")

    out.append("def sub(a, b):")
    out.append(f"    {a}, = a\n    {b}, = b\n    br = zero")
    for i in range(n):
        out.append(f"    d{i}, br = sbb(a{i}, b{i}, br)")
    out.append("    if br == zero:")
    out.append(f"        return {tup('d')}")
    out.append("    c = zero")
    for i in range(n):
        out.append(f"    d{i}, c = adc(d{i}, q{i}, c)")
    out.append(f"    return {tup('d')}")

    out.append("def mul(a, b):")
    out.append(f"    {a}, = a\n    {b}, = b")
    out.append("    " + " = ".join(f"t{i}" for i in range(n)) + " = zero")
    for i in range(n):
        out.append(f"    t0, A = mac(t0, a0, b{i}, zero)")
        out.append("    m = t0 * qinv")
        out.append("    _, C = mac(t0, m, q0, zero)")
        for j in range(1, n):
            out.append(f"    t{j}, A = mac(t{j}, a{j}, b{i}, A)")
            out.append(f"    t{j - 1}, C = mac(t{j}, m, q{j}, C)")
        out.append(f"    t{n - 1} = C + A")
    out += reduce_once("t", "d")
    return "\n".join(out) + "\n"


def build(modulus: int, n: int, name: str) -> pytypes.SimpleNamespace:
    """Compile the field for `modulus` with n limbs; returns a namespace of njit functions."""
    top = modulus >> (64 * (n - 1))
    assert top < 0x7FFFFFFFFFFFFFFE, "no-carry Montgomery needs the top limb below (2^64-1)/2 - 1"
    glb: dict = {"zero": np.uint64(0), "qinv": np.uint64((-pow(modulus, -1, 1 << 64)) & _MASK)}
    from kernels.cpu.wide import adc, mac, sbb

    glb.update(adc=adc, mac=mac, sbb=sbb)
    for i, limb in enumerate(limbs(modulus, n)):
        glb[f"q{i}"] = np.uint64(limb)
    src = _source(n)
    filename = f"<montgomery {name} {n}x64>"
    linecache.cache[filename] = (len(src), None, src.splitlines(True), filename)
    exec(compile(src, filename, "exec"), glb)

    jit = numba.njit(inline="always", cache=False)
    add, sub, mul = jit(glb["add"]), jit(glb["sub"]), jit(glb["mul"])

    as_tuple = lambda v: tuple(np.uint64(x) for x in limbs(v, n))  # noqa: E731
    ZERO = as_tuple(0)
    ONE = as_tuple((1 << (64 * n)) % modulus)
    R2 = as_tuple((1 << (128 * n)) % modulus)
    RAW_ONE = as_tuple(1)
    MODULUS = as_tuple(modulus)
    exp_bits = np.array([int(c) for c in bin(modulus - 2)[2:]], dtype=np.uint8)
    zero = np.uint64(0)

    @jit
    def neg(a):
        if a == ZERO:
            return a
        return sub(ZERO, a)

    @jit
    def dbl(a):
        return add(a, a)

    @jit
    def sqr(a):
        return mul(a, a)

    @jit
    def eq(a, b):
        return a == b

    @jit
    def is_zero(a):
        return a == ZERO

    @jit
    def to_mont(a):
        return mul(a, R2)

    @jit
    def from_mont(a):
        return mul(a, RAW_ONE)

    @numba.njit(cache=False)
    def inv(a):
        """a^(q-2): Fermat inversion (constant exponent; zero maps to zero)."""
        acc = ONE
        for bit in exp_bits:
            acc = mul(acc, acc)
            if bit:
                acc = mul(acc, a)
        return acc

    load_src = (
        f"def load(arr, i):\n    return ({', '.join(f'arr[i, {k}]' for k in range(n))},)\n"
        f"def store(arr, i, v):\n" + "".join(f"    arr[i, {k}] = v[{k}]\n" for k in range(n))
    )
    exec(compile(load_src, filename + " io", "exec"), glb)
    load, store = jit(glb["load"]), jit(glb["store"])

    return pytypes.SimpleNamespace(
        name=name, modulus=modulus, n=n, add=add, sub=sub, neg=neg, dbl=dbl, mul=mul, sqr=sqr,
        eq=eq, is_zero=is_zero, inv=inv, to_mont=to_mont, from_mont=from_mont, load=load,
        store=store, ZERO=ZERO, ONE=ONE, R2=R2, MODULUS=MODULUS, zero=zero,
    )
