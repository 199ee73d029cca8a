"""Forward NTT on the CPU backend, 2^16 .. 2^22 points, plus the inverse and coset transforms at
2^16 (a Groth16 prover's H computation runs seven transforms of the domain size).

Run: `pytest benchmarks/bench_ntt.py --benchmark-only`. Sizes from 2^19 up run one pedantic
round each (seconds per call; repeating them would only make the suite slow). Twiddle tables
and JIT compilation are warmed up outside the timed calls.
"""

from __future__ import annotations

import numpy as np
import pytest

from kernels.cpu import ntt

SIZES = range(16, 23)
PEDANTIC_FROM = 19
COSET_SHIFT = 7


def random_fr(log_n: int) -> np.ndarray:
    """Canonical Fr elements (top limb below 2^62 < r's top limb), as Montgomery limbs."""
    rng = np.random.default_rng(log_n)
    a = rng.integers(0, np.iinfo(np.uint64).max, size=(1 << log_n, 4), dtype=np.uint64,
                     endpoint=True)
    a[:, 3] >>= np.uint64(2)
    return a


@pytest.mark.parametrize("log_n", SIZES, ids=lambda k: f"2^{k}")
def test_forward_ntt(benchmark, log_n):
    a = random_fr(log_n)
    ntt.ntt(a)  # compile and build the twiddle table
    if log_n >= PEDANTIC_FROM:
        out = benchmark.pedantic(ntt.ntt, args=(a,), rounds=1, iterations=1)
    else:
        out = benchmark(ntt.ntt, a)
    assert out.shape == a.shape


@pytest.mark.parametrize(
    "name", ["intt", "coset_ntt", "coset_intt"],
)
def test_other_transforms_2_16(benchmark, name):
    a = random_fr(16)
    fn = getattr(ntt, name)
    args = (a,) if name == "intt" else (a, COSET_SHIFT)
    fn(*args)
    benchmark(fn, *args)
