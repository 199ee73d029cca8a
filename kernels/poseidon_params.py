"""Poseidon parameters (x^5 S-box over BLS12-381 Fr): the single source of truth.

Generated exactly as the reference `generate_parameters_grain.sage` of the Poseidon paper
(hadeshash, Grassi et al., USENIX Security 2021, appendix F), so they match every implementation
that uses the reference constants (its `poseidonperm_x5_255_3` / `_5` test vectors, circomlib):

- Grain LFSR: 80-bit state initialised with field = 1 (GF(p), 2 bits), S-box = 0 (x^alpha,
  4 bits), n = 255 (field bits, 12), t (12), R_F (10), R_P (10), then 30 ones, all big-endian;
  b_{i+80} = b_{i+62} ^ b_{i+51} ^ b_{i+38} ^ b_{i+23} ^ b_{i+13} ^ b_i; the first 160 bits
  are discarded; then bits are taken in pairs and the second bit is output when the first is 1.
- Field elements: n output bits, most significant first; round constants reject values >= p
  and draw again; (R_F + R_P) * t of them, round-major. Then the MDS matrix from the same
  stream (kernels.poseidon_mds).
- Round numbers: the reference `calc_round_numbers.py` (current revision, including the extra
  Groebner-basis bound of eprint 2023/537) for 128-bit security with its security margin
  (R_F + 2, R_P * 1.075), R_P then rounded up to a multiple of t as the paper's tables and
  circomlib do. For this field that gives R_F = 8 and R_P = 57 (t=3), 60 (t=5), 63 (t=9).

Parameters are generated on first use per width and cached in memory (0.05 s at t = 3, about
1-2 s at t = 17, mostly the MDS checks).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

from kernels.constants import R
from kernels.poseidon_mds import generate_mds

ALPHA = 5
SECURITY_BITS = 128
FIELD_PRIME = 1  # Grain header: the field is GF(p)
SBOX_POWER = 0  # Grain header: the S-box is x^alpha
WIDTHS = range(2, 18)  # the widths the reference tables cover (1 to 16 inputs per permutation)
SPONGE_WIDTH = 17  # the commitment sponge: rate 16, fewest constraints per value (docs/poseidon.md)


@dataclass(frozen=True)
class PoseidonParams:
    """One Poseidon instance: width t, rounds, round constants (per round) and MDS matrix."""

    t: int
    r_f: int  # full rounds, half before and half after the partial rounds
    r_p: int  # partial rounds (S-box on state[0] only)
    round_constants: tuple[tuple[int, ...], ...]  # (r_f + r_p) rows of t
    mds: tuple[tuple[int, ...], ...]  # state' = mds @ state
    prime: int = R
    alpha: int = ALPHA

    @property
    def n_rounds(self) -> int:
        return self.r_f + self.r_p

    @property
    def rate(self) -> int:
        return self.t - 1

    def is_full_round(self, r: int) -> bool:
        half = self.r_f // 2
        return r < half or r >= half + self.r_p


class Grain:
    """The self-shrinking Grain LFSR that seeds Poseidon's constants."""

    _TAPS = (62, 51, 38, 23, 13, 0)
    _CHUNK = 16  # new bits per step: <= 80 - 62, even so that pairs never straddle chunks
    # _PAIRS[b]: the output bits ("0"/"1") of the 4 pairs in byte b, pair k = bits 2k, 2k+1
    _PAIRS = ["".join(str((b >> (2 * k + 1)) & 1) for k in range(4) if (b >> (2 * k)) & 1)
              for b in range(256)]

    def __init__(self, field: int, sbox: int, n: int, t: int, r_f: int, r_p: int):
        header = [(field, 2), (sbox, 4), (n, 12), (t, 12), (r_f, 10), (r_p, 10)]
        bits = "".join(format(value, f"0{width}b") for value, width in header) + "1" * 30
        self._state = sum(int(b) << i for i, b in enumerate(bits))  # bit i = b_i, b_0 oldest
        self._buf = ""  # output bits not consumed yet
        for _ in range(160 // self._CHUNK):
            self._shift()

    def _shift(self) -> int:
        """Advance the LFSR by _CHUNK bits; return them (bit k = the k-th new bit)."""
        s, c = self._state, self._CHUNK
        new = 0
        for tap in self._TAPS:
            new ^= s >> tap
        new &= (1 << c) - 1
        self._state = (s >> c) | (new << (80 - c))
        return new

    def integer(self, n_bits: int) -> int:
        """The next n_bits output bits as an integer, most significant bit first."""
        while len(self._buf) < n_bits:
            new = self._shift()
            self._buf += self._PAIRS[new & 0xFF] + self._PAIRS[new >> 8]
        bits, self._buf = self._buf[:n_bits], self._buf[n_bits:]
        return int(bits, 2)


def field_bits(prime: int) -> int:
    return prime.bit_length()


def round_numbers(t: int, prime: int = R, alpha: int = ALPHA,
                  security: int = SECURITY_BITS) -> tuple[int, int]:
    """(R_F, R_P) for width t: the reference's cheapest secure pair with margin, R_P rounded
    up to a multiple of t."""
    r_f, r_p = _min_rounds_with_margin(t, prime, alpha, security)
    return r_f, -(-r_p // t) * t


def _min_rounds_with_margin(t: int, prime: int, alpha: int, m: int) -> tuple[int, int]:
    """calc_round_numbers.find_FD_round_numbers with the S-box-count cost t R_F + R_P."""
    best, best_cost = (0, 0), math.inf
    for r_p in range(1, 100):
        r_f = _min_full_rounds(t, r_p, prime, alpha, m)
        r_f += r_f % 2
        if not _groebner_2023_ok(t, r_f, r_p, alpha, m):
            continue
        r_f, r_p = r_f + 2, math.ceil(r_p * 1.075)  # the reference's security margin
        cost = t * r_f + r_p
        if cost < best_cost or (cost == best_cost and r_f < best[0]):
            best, best_cost = (r_f, r_p), cost
    return best


def _min_full_rounds(t: int, r_p: int, p: int, alpha: int, m: int) -> int:
    """The smallest R_F the statistical, interpolation and Groebner bounds allow for r_p."""
    log2p = math.log(p, 2)
    n = math.ceil(log2p)
    log_a_2 = math.log(2, alpha)
    statistical = 6 if m <= math.floor(log2p - (alpha - 1) / 2.0) * (t + 1) else 10
    interpolation = 1 + math.ceil(log_a_2 * min(m, n)) + math.ceil(math.log(t, alpha)) - r_p
    groebner_1 = log_a_2 * min(m, log2p) - r_p
    groebner_2 = t - 1 + log_a_2 * min(m / (t + 1), log2p / 2) - r_p
    groebner_3 = (t - 2 + m / (2 * math.log(alpha, 2)) - r_p) / (t - 1)
    return math.ceil(max(statistical, interpolation, groebner_1, groebner_2, groebner_3))


def _groebner_2023_ok(t: int, r_f: int, r_p: int, alpha: int, m: int) -> bool:
    """The reference's extra_check (Bariant et al., eprint 2023/537)."""
    r = t // 3
    over = (r_f - 1) * t + r_p + r + r * (r_f / 2) + r_p + alpha
    under = r * (r_f / 2) + r_p + alpha
    return math.ceil(2 * math.log(math.comb(int(over), int(under)), 2)) >= m


def generate(t: int, r_f: int | None = None, r_p: int | None = None,
             prime: int = R) -> PoseidonParams:
    """Run the reference generator for width t (round numbers from round_numbers by default)."""
    if not 2 <= t < 4096:
        raise ValueError(f"Poseidon width must be in 2..4095, got {t}")
    if r_f is None or r_p is None:
        r_f, r_p = round_numbers(t, prime)
    n = field_bits(prime)
    grain = Grain(FIELD_PRIME, SBOX_POWER, n, t, r_f, r_p)
    constants = []
    for _ in range((r_f + r_p) * t):
        c = grain.integer(n)
        while c >= prime:
            c = grain.integer(n)
        constants.append(c)
    mds = generate_mds(lambda: grain.integer(n), t, prime)
    rows = tuple(tuple(constants[r * t:(r + 1) * t]) for r in range(r_f + r_p))
    return PoseidonParams(t, r_f, r_p, rows, tuple(map(tuple, mds)), prime)


@cache
def poseidon_params(t: int) -> PoseidonParams:
    """The Fr parameters for width t (cached)."""
    if t not in WIDTHS:
        raise ValueError(f"Poseidon width must be in {WIDTHS.start}..{WIDTHS.stop - 1}, got {t}")
    return generate(t)


__all__ = ["ALPHA", "SPONGE_WIDTH", "WIDTHS", "Grain", "PoseidonParams", "generate",
           "poseidon_params", "round_numbers"]
