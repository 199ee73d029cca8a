"""CPU MSM: G1 at 2^16, 2^18, 2^20 points and G2 at 2^16, plus fixed-base G1 at 2^16.

Run: `pytest benchmarks/bench_msm.py --benchmark-only`. Bases are [k_i] G from our own
fixed-base kernel (cheap, and any valid points will do); scalars are uniform below 2^255.
The 2^20 case runs one pedantic round (seconds per call). JIT compilation and the base
generation happen outside the timed calls.
"""

from __future__ import annotations

import numpy as np
import pytest

from kernels.cpu import msm, points


def random_scalars(m: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    s = rng.integers(0, np.iinfo(np.uint64).max, size=(m, 4), dtype=np.uint64, endpoint=True)
    s[:, 3] >>= np.uint64(1)
    return s


_BASES: dict[tuple[str, int], np.ndarray] = {}


def bases(group: str, log_m: int) -> np.ndarray:
    key = (group, log_m)
    if key not in _BASES:
        fixed = msm.fixed_base_g1 if group == "g1" else msm.fixed_base_g2
        gen = points.G1_GENERATOR if group == "g1" else points.G2_GENERATOR
        _BASES[key] = fixed(gen, random_scalars(1 << log_m, log_m))
    return _BASES[key]


@pytest.mark.parametrize("log_m", [16, 18, 20])
def test_msm_g1(benchmark, log_m):
    pts, scalars = bases("g1", log_m), random_scalars(1 << log_m, 100 + log_m)
    msm.msm_g1(pts[:64], scalars[:64])  # compile outside the timing
    if log_m >= 20:
        benchmark.pedantic(msm.msm_g1, args=(pts, scalars), rounds=1, iterations=1)
    else:
        benchmark.pedantic(msm.msm_g1, args=(pts, scalars), rounds=3, iterations=1)


def test_msm_g2_2_16(benchmark):
    pts, scalars = bases("g2", 16), random_scalars(1 << 16, 216)
    msm.msm_g2(pts[:64], scalars[:64])
    benchmark.pedantic(msm.msm_g2, args=(pts, scalars), rounds=1, iterations=1)


def test_fixed_base_g1_2_16(benchmark):
    scalars = random_scalars(1 << 16, 316)
    msm.fixed_base_g1(points.G1_GENERATOR, scalars[:64])
    benchmark.pedantic(msm.fixed_base_g1, args=(points.G1_GENERATOR, scalars), rounds=1,
                       iterations=1)
