"""Fresh random inputs for run_all: Fr arrays, row buffers, MSM points with known answers.

Every array is drawn from the run's seed (recorded in results.json) and is never all zeros.
MSM points are multiples of a random base B (P_i = m_i B, m_i = (i mod D) + 1 for D distinct
points, tiled to any size), so `msm_answer` gives sum k_i P_i = (sum k_i m_i) B exactly, with
plain Python ints, whatever the size.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from benchmarks.gpu import ec_ref
from kernels.constants import FR_LIMBS, R
from kernels.limbs import limbs_to_ints


def fr_array(rng: np.random.Generator, n: int) -> np.ndarray:
    """(n, 4) uint64 canonical Fr elements, uniformly below 2^254 (< r), odd so never zero."""
    a = rng.integers(0, 2**64, size=(n, FR_LIMBS), dtype=np.uint64)
    a[:, 3] &= np.uint64(2**62 - 1)
    a[:, 0] |= np.uint64(1)
    return a


def fr_states(rng: np.random.Generator, m: int, width: int) -> np.ndarray:
    return fr_array(rng, m * width).reshape(m, width, FR_LIMBS)


def rows(rng: np.random.Generator, n: int, max_len: int, start: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Arrow-style buffer + int64 offsets of n random rows of 0..max_len bytes, from byte `start`."""
    lengths = rng.integers(0, max_len + 1, size=n)
    offsets = start + np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    buf = rng.integers(0, 256, size=int(offsets[-1]) + 1, dtype=np.uint8)
    return buf, offsets


@dataclass(frozen=True)
class MsmPoints:
    group: str  # "g1" or "g2"
    base: int  # B = base * generator
    distinct: int  # D
    points: np.ndarray  # affine Montgomery, tiled to the requested count

    def answer(self, scalars: np.ndarray) -> np.ndarray:
        """sum_i scalars[i] P_i as affine Montgomery limbs (the MSM's output layout)."""
        gen, field = ec_ref.G1 if self.group == "g1" else ec_ref.G2
        ks = limbs_to_ints(scalars)
        total = sum(k * (i % self.distinct + 1) for i, k in enumerate(ks)) % R
        return ec_ref.to_limbs([ec_ref.mul(gen, total * self.base, field)], field)[0]


def msm_points(rng: np.random.Generator, group: str, count: int, distinct: int) -> MsmPoints:
    """count points: the multiples 1..D of a random base, repeated (D = min(distinct, count));
    a prefix of the result is a valid MsmPoints of fewer points with the same base."""
    gen, field = ec_ref.G1 if group == "g1" else ec_ref.G2
    distinct = min(distinct, count)
    base = int(rng.integers(1, 2**62))
    one_period = ec_ref.to_limbs(ec_ref.multiples(ec_ref.mul(gen, base, field), distinct, field), field)
    reps = -(-count // distinct)
    tiled = np.tile(one_period, (reps,) + (1,) * (one_period.ndim - 1))[:count]
    return MsmPoints(group, base, distinct, np.ascontiguousarray(tiled))
