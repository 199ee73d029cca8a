"""Exact linear algebra and polynomials over a prime field GF(p), on Python ints.

Just enough to run the Poseidon reference's MDS security checks (kernels.poseidon_mds) without
Sage: matrix products and powers, kernels, spans, characteristic polynomials and their roots in
GF(p). Sizes are tiny (t <= 17), so clarity beats speed. Matrices are lists of rows; vectors
are lists; polynomials are coefficient lists, lowest degree first, without trailing zeros.
"""

from __future__ import annotations

from collections.abc import Sequence

Matrix = list[list[int]]
Vector = list[int]
Poly = list[int]


# ---- matrices -------------------------------------------------------------------------------

def identity(n: int) -> Matrix:
    return [[int(i == j) for j in range(n)] for i in range(n)]


def mat_mul(a: Matrix, b: Matrix, p: int) -> Matrix:
    cols = list(zip(*b))
    return [[sum(x * y for x, y in zip(row, col)) % p for col in cols] for row in a]


def mat_vec(a: Matrix, v: Sequence[int], p: int) -> Vector:
    return [sum(x * y for x, y in zip(row, v)) % p for row in a]


def mat_pow(a: Matrix, e: int, p: int) -> Matrix:
    out, base = identity(len(a)), a
    while e:
        if e & 1:
            out = mat_mul(out, base, p)
        base = mat_mul(base, base, p)
        e >>= 1
    return out


def mat_inv(a: Matrix, p: int) -> Matrix:
    """a^-1 by Gauss-Jordan elimination; ValueError if a is singular."""
    n = len(a)
    m = [[x % p for x in row] + ident for row, ident in zip(a, identity(n))]
    for c in range(n):
        pivot = next((i for i in range(c, n) if m[i][c]), None)
        if pivot is None:
            raise ValueError("matrix is singular")
        m[c], m[pivot] = m[pivot], m[c]
        inv = pow(m[c][c], -1, p)
        m[c] = [x * inv % p for x in m[c]]
        for i in range(n):
            if i != c and m[i][c]:
                f = m[i][c]
                m[i] = [(x - f * y) % p for x, y in zip(m[i], m[c])]
    return [row[n:] for row in m]


def right_kernel(rows: Sequence[Sequence[int]], n_cols: int, p: int) -> list[Vector]:
    """A basis of {x : rows @ x = 0} (one vector per free column of the reduced echelon form)."""
    m = [[x % p for x in row] for row in rows]
    pivots: list[int] = []
    r = 0
    for c in range(n_cols):
        pivot = next((i for i in range(r, len(m)) if m[i][c]), None)
        if pivot is None:
            continue
        m[r], m[pivot] = m[pivot], m[r]
        inv = pow(m[r][c], -1, p)
        m[r] = [x * inv % p for x in m[r]]
        for i in range(len(m)):
            if i != r and m[i][c]:
                f = m[i][c]
                m[i] = [(x - f * y) % p for x, y in zip(m[i], m[r])]
        pivots.append(c)
        r += 1
    basis = []
    for free in (c for c in range(n_cols) if c not in pivots):
        v = [0] * n_cols
        v[free] = 1
        for row, c in enumerate(pivots):
            v[c] = -m[row][free] % p
        basis.append(v)
    return basis


class Span:
    """A subspace of GF(p)^n grown one vector at a time (kept in row echelon form)."""

    def __init__(self, n: int, p: int, vectors: Sequence[Sequence[int]] = ()):
        self.n, self.p = n, p
        self._rows: list[tuple[int, Vector]] = []  # (pivot column, row with pivot entry 1)
        for v in vectors:
            self.add(v)

    @property
    def dim(self) -> int:
        return len(self._rows)

    def _reduce(self, v: Sequence[int]) -> Vector:
        v = [x % self.p for x in v]
        for c, row in self._rows:
            if v[c]:
                f = v[c]
                v = [(x - f * y) % self.p for x, y in zip(v, row)]
        return v

    def add(self, v: Sequence[int]) -> bool:
        """Add v; True if the dimension grew."""
        v = self._reduce(v)
        c = next((i for i, x in enumerate(v) if x), None)
        if c is None:
            return False
        inv = pow(v[c], -1, self.p)
        self._rows.append((c, [x * inv % self.p for x in v]))
        return True

    def contains(self, v: Sequence[int]) -> bool:
        return not any(self._reduce(v))

    def basis(self) -> list[Vector]:
        return [list(row) for _, row in self._rows]

    def equals(self, other: Span) -> bool:
        return self.dim == other.dim and all(self.contains(v) for v in other.basis())


# ---- polynomials ----------------------------------------------------------------------------

def _trim(a: Poly) -> Poly:
    while a and a[-1] == 0:
        a.pop()
    return a


def poly_divmod(a: Poly, b: Poly, p: int) -> tuple[Poly, Poly]:
    a, b = list(a), _trim([x % p for x in b])
    if not b:
        raise ZeroDivisionError("polynomial division by zero")
    inv = pow(b[-1], -1, p)
    q = [0] * max(len(a) - len(b) + 1, 0)
    for shift in range(len(a) - len(b), -1, -1):
        f = a[shift + len(b) - 1] % p * inv % p  # only the leading coefficient is reduced
        q[shift] = f
        if f:
            for i, y in enumerate(b):
                a[shift + i] -= f * y
    return _trim(q), _trim([x % p for x in a[:len(b) - 1]])


def poly_mulmod(a: Poly, b: Poly, m: Poly, p: int) -> Poly:
    if not a or not b:
        return []
    prod = [0] * (len(a) + len(b) - 1)
    for i, x in enumerate(a):  # reduce once at the end: Python ints do not overflow
        for j, y in enumerate(b):
            prod[i + j] += x * y
    return poly_divmod(prod, m, p)[1]


def poly_powmod(a: Poly, e: int, m: Poly, p: int) -> Poly:
    out, base = [1], poly_divmod(a, m, p)[1]
    while e:
        if e & 1:
            out = poly_mulmod(out, base, m, p)
        base = poly_mulmod(base, base, m, p)
        e >>= 1
    return out


def x_powmod(e: int, m: Poly, p: int) -> Poly:
    """x^e mod m by left-to-right square and multiply-by-x.

    Polynomials are packed into one integer each (Kronecker substitution: coefficient k in bits
    [k w, (k+1) w)), so a squaring is one big-integer product and the reduction mod m is d - 1
    scalar products with the packed powers x^k mod m, k >= d (d = deg m)."""
    m = _trim([c % p for c in m])
    d = len(m) - 1
    if d < 1:
        raise ValueError("x_powmod needs a modulus of degree >= 1")
    lead_inv = pow(m[-1], -1, p)
    m = [c * lead_inv % p for c in m]  # monic: same remainders
    w = 2 * p.bit_length() + d.bit_length() + 8
    w += -w % 8  # whole bytes
    mask = (1 << w) - 1

    def pack(coeffs: Poly) -> int:
        return sum(c << (k * w) for k, c in enumerate(coeffs))

    def unpack(x: int, n: int) -> Poly:
        return [(x >> (k * w)) & mask for k in range(n)]

    # x^k mod m for k = d .. max(2d-2, d): x^d = -(m_0 + ... + m_{d-1} x^{d-1}), then shifts.
    high = [[-c % p for c in m[:d]]]
    for _ in range(max(d - 2, 0)):
        prev = high[-1]
        top = prev[-1]
        high.append([(-top * m[0]) % p] + [(prev[k - 1] - top * m[k]) % p for k in range(1, d)])
    high_packed = [pack(h) for h in high]

    def reduce(coeffs: Poly) -> Poly:  # coeffs reduced mod p, degree <= 2d - 2
        acc = pack(coeffs[:d]) + sum(c * h for c, h in zip(coeffs[d:], high_packed))
        return [c % p for c in unpack(acc, d)]

    out = [1] + [0] * (d - 1)
    for bit in bin(e)[2:]:
        packed = pack(out)
        out = reduce([c % p for c in unpack(packed * packed, 2 * d - 1)])
        if bit == "1":
            out = reduce([0, *out])
    return _trim(out)


def poly_gcd(a: Poly, b: Poly, p: int) -> Poly:
    a, b = _trim([x % p for x in a]), _trim([x % p for x in b])
    while b:
        a, b = b, poly_divmod(a, b, p)[1]
    if not a:
        return a
    inv = pow(a[-1], -1, p)
    return [x * inv % p for x in a]


def charpoly(a: Matrix, p: int) -> Poly:
    """det(x I - a), monic: similarity to upper Hessenberg form, then the standard recurrence
    over its leading principal minors (Cohen, A Course in Computational Algebraic Number
    Theory, algorithm 2.2.9)."""
    n = len(a)
    h = [[x % p for x in row] for row in a]
    for m in range(1, n - 1):  # zero column m-1 below the subdiagonal
        i = next((i for i in range(m, n) if h[i][m - 1]), None)
        if i is None:
            continue
        if i != m:
            h[i], h[m] = h[m], h[i]
            for row in h:
                row[i], row[m] = row[m], row[i]
        inv = pow(h[m][m - 1], -1, p)
        for i in range(m + 1, n):
            u = h[i][m - 1] * inv % p
            if u:  # row_i -= u row_m, then col_m += u col_i (the inverse similarity)
                h[i] = [(x - u * y) % p for x, y in zip(h[i], h[m])]
                for row in h:
                    row[m] = (row[m] + u * row[i]) % p
    minors: list[Poly] = [[1]]  # minors[k] = charpoly of the leading k x k block
    for k in range(n):
        nxt = [0] + minors[k]  # x * minors[k]
        for i, c in enumerate(minors[k]):
            nxt[i] -= h[k][k] * c
        prod = 1
        for i in range(k - 1, -1, -1):  # - h[i][k] * h[i+1][i] ... h[k][k-1] * minors[i]
            prod = prod * h[i + 1][i] % p
            f = h[i][k] * prod % p
            for j, c in enumerate(minors[i]):
                nxt[j] -= f * c
        minors.append([x % p for x in nxt])
    return minors[n]


def roots(f: Poly, p: int) -> list[int]:
    """The distinct roots of f in GF(p), sorted (p odd)."""
    f = _trim([x % p for x in f])
    if len(f) <= 1:
        return []
    # g = gcd(f, x^p - x) is the product of (x - r) over the distinct roots r of f.
    xp = x_powmod(p, f, p)
    g = poly_gcd(f, _trim([(c - d) % p for c, d in _zip_pad(xp, [0, 1])]), p)
    return sorted(_split_roots(g, p))


def _split_roots(g: Poly, p: int) -> list[int]:
    """Roots of a monic squarefree g that splits into linear factors (Cantor-Zassenhaus)."""
    if len(g) <= 1:
        return []
    if len(g) == 2:
        return [-g[0] % p]
    # gcd(g, (x + a)^((p-1)/2) - 1) holds the roots r with r + a a nonzero square: for some
    # shift a the split is proper (a deterministic scan suffices; about half the shifts work).
    for a in range(p):
        h = poly_powmod([a, 1], (p - 1) // 2, g, p)
        d = poly_gcd(g, _trim([(c - e) % p for c, e in _zip_pad(h, [1])]), p)
        if 1 < len(d) < len(g):
            return _split_roots(d, p) + _split_roots(poly_divmod(g, d, p)[0], p)
    raise ArithmeticError("no splitting shift found (p must be an odd prime)")


def _zip_pad(a: Poly, b: Poly) -> list[tuple[int, int]]:
    n = max(len(a), len(b))
    return list(zip(a + [0] * (n - len(a)), b + [0] * (n - len(b))))
