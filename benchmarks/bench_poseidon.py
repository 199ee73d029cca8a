"""Poseidon: native permutation and sponge against pure Python, and the gadget's cost per value.

Run: `pytest benchmarks/bench_poseidon.py --benchmark-only`. For each width t in 3, 5, 9, 17,
one group times a permutation three ways in the same run:
- `numba`: kernels.cpu.poseidon over a batch of 4096 states (time per call / 4096 is the cost
  of one permutation; all cores, prange over states);
- `python_ints`: kernels.poseidon_ref (Python ints, `%` reductions): the readable reference;
- `py_ecc_style`: the same rounds on py_ecc's field-element class (FQ with modulus r), the way
  a py_ecc user would write it.
`extra_info` carries the per-permutation and per-absorbed-value figures. The `gadget` group
builds the sponge circuit over 4 blocks and records constraints and matrix nonzeros per value
(the numbers docs/poseidon.md uses to choose the sponge width).

`python benchmarks/bench_poseidon.py` prints the same comparison as one markdown table (best of
several runs, Numba with one thread and with all threads).
"""

from __future__ import annotations

import time

import numba
import numpy as np
import pytest
from py_ecc.fields.field_elements import FQ

from engine.gadgets import sponge_cost
from kernels.constants import R
from kernels.cpu import fr_vec
from kernels.cpu import poseidon as cpu
from kernels.poseidon_params import PoseidonParams, poseidon_params
from kernels.poseidon_ref import permute

WIDTHS = [3, 5, 9, 17]
BATCH = 4096


class FrPy(FQ):
    field_modulus = R


def py_ecc_style_permute(params: PoseidonParams, state: list[FrPy]) -> list[FrPy]:
    rc = [[FrPy(c) for c in row] for row in params.round_constants]
    mds = [[FrPy(m) for m in row] for row in params.mds]
    s = list(state)
    for r in range(params.n_rounds):
        s = [x + c for x, c in zip(s, rc[r])]
        for i in range(params.t if params.is_full_round(r) else 1):
            s[i] = s[i] ** 5
        s = [sum((m * x for m, x in zip(row, s)), FrPy(0)) for row in mds]
    return s


def random_states(t: int, m: int) -> np.ndarray:
    rng = np.random.default_rng(t)
    a = rng.integers(0, np.iinfo(np.uint64).max, size=(m, t, 4), dtype=np.uint64, endpoint=True)
    a[..., 3] >>= np.uint64(2)  # below r
    return a


@pytest.mark.parametrize("t", WIDTHS)
def test_permutation_numba(benchmark, t):
    benchmark.group = f"permutation t={t}"
    tab = cpu.tables(t)
    states = fr_vec.to_mont(random_states(t, BATCH).reshape(-1, 4)).reshape(BATCH, t, 4)
    cpu.permute_mont_inplace(states[:2].copy(), tab.arrays)  # compile
    benchmark(cpu.permute_mont_inplace, states, tab.arrays)
    per_perm = benchmark.stats.stats.mean / BATCH
    benchmark.extra_info.update(us_per_permutation=per_perm * 1e6,
                                us_per_value=per_perm * 1e6 / (t - 1))


@pytest.mark.parametrize("t", WIDTHS)
def test_permutation_python_ints(benchmark, t):
    benchmark.group = f"permutation t={t}"
    params = poseidon_params(t)
    state = list(range(t))
    out = benchmark(permute, params, state)
    assert out == permute(params, state)
    benchmark.extra_info.update(us_per_permutation=benchmark.stats.stats.mean * 1e6)


@pytest.mark.parametrize("t", WIDTHS)
def test_permutation_py_ecc_style(benchmark, t):
    benchmark.group = f"permutation t={t}"
    params = poseidon_params(t)
    out = benchmark(py_ecc_style_permute, params, [FrPy(i) for i in range(t)])
    assert [int(x) for x in out] == permute(params, list(range(t)))
    benchmark.extra_info.update(us_per_permutation=benchmark.stats.stats.mean * 1e6)


@pytest.mark.parametrize("t", WIDTHS)
def test_sponge_numba(benchmark, t):
    """1024 commitments of 4 blocks each (the shard-commitment shape)."""
    benchmark.group = "sponge"
    n_values = 4 * (t - 1)
    inputs = random_states(n_values, 1024)
    cpu.sponge_batch(inputs[:2], t)
    benchmark(cpu.sponge_batch, inputs, t)
    benchmark.extra_info.update(us_per_value=benchmark.stats.stats.mean / (1024 * n_values) * 1e6)


@pytest.mark.parametrize("t", WIDTHS)
def test_gadget(benchmark, t):
    benchmark.group = "gadget"
    poseidon_params(t)  # parameter generation is not part of the build
    cost = benchmark.pedantic(sponge_cost, args=(t, 4 * (t - 1)), rounds=1, iterations=1)
    benchmark.extra_info.update(
        constraints_per_permutation=cost.constraints / cost.permutations,
        constraints_per_value=cost.constraints_per_value,
        nonzeros_per_value=cost.nonzeros / cost.n_values,
    )


def _best_seconds(fn, *args, repeat: int = 5) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn(*args)
        best = min(best, time.perf_counter() - start)
    return best


def summary() -> str:
    """A markdown table: microseconds per permutation and per value, ratios, gadget cost."""
    rows = ["| t | numba 1 thread | numba all threads | python ints | py_ecc style | "
            "speedup vs ints | speedup vs py_ecc | numba us/value | constraints/value | "
            "nonzeros/value |", "|---|---|---|---|---|---|---|---|---|---|"]
    threads = numba.get_num_threads()
    for t in WIDTHS:
        params, tab = poseidon_params(t), cpu.tables(t)
        states = fr_vec.to_mont(random_states(t, BATCH).reshape(-1, 4)).reshape(BATCH, t, 4)
        cpu.permute_mont_inplace(states[:2].copy(), tab.arrays)
        numba.set_num_threads(1)
        one = _best_seconds(cpu.permute_mont_inplace, states, tab.arrays) / BATCH
        numba.set_num_threads(threads)
        many = _best_seconds(cpu.permute_mont_inplace, states, tab.arrays) / BATCH
        ints = _best_seconds(permute, params, list(range(t)), repeat=20)
        pyecc = _best_seconds(py_ecc_style_permute, params, [FrPy(i) for i in range(t)])
        cost = sponge_cost(t, 4 * (t - 1))
        rows.append(f"| {t} | {one * 1e6:.1f} | {many * 1e6:.1f} | {ints * 1e6:.0f} | "
                    f"{pyecc * 1e6:.0f} | {ints / one:.0f}x | {pyecc / one:.0f}x | "
                    f"{one * 1e6 / (t - 1):.2f} | "
                    f"{cost.constraints_per_value:.1f} | {cost.nonzeros / cost.n_values:.0f} |")
    return "\n".join(rows)


if __name__ == "__main__":
    print(f"microseconds per permutation ({numba.get_num_threads()} threads available)")
    print(summary())
