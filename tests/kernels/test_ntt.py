"""The CPU NTT against direct polynomial evaluation with Python ints mod r."""

from __future__ import annotations

import random

import numpy as np
import pytest

from kernels.constants import R, fr_root_of_unity
from kernels.cpu import fr_vec, ntt

rng = random.Random(20240611)


def rand_poly(n: int) -> list[int]:
    return [rng.randrange(R) for _ in range(n)]


def evaluate(coeffs: list[int], x: int) -> int:
    acc = 0
    for c in reversed(coeffs):
        acc = (acc * x + c) % R
    return acc


def naive_ntt(coeffs: list[int], shift: int = 1) -> list[int]:
    n = len(coeffs)
    w = fr_root_of_unity(n.bit_length() - 1)
    return [evaluate(coeffs, shift * pow(w, i, R) % R) for i in range(n)]


def run(fn, values: list[int], *args) -> list[int]:
    return fr_vec.mont_to_ints(fn(fr_vec.ints_to_mont(values), *args))


@pytest.mark.parametrize("log_n", range(7))
def test_ntt_matches_naive_evaluation(log_n):
    a = rand_poly(1 << log_n)
    assert run(ntt.ntt, a) == naive_ntt(a)


def test_tiny_sizes_by_hand():
    a0, a1, a2, a3 = rand_poly(4)
    assert run(ntt.ntt, [a0]) == [a0]
    assert run(ntt.ntt, [a0, a1]) == [(a0 + a1) % R, (a0 - a1) % R]
    i = fr_root_of_unity(2)  # a square root of -1
    assert i * i % R == R - 1
    assert run(ntt.ntt, [a0, a1, a2, a3]) == [
        (a0 + a1 + a2 + a3) % R,
        (a0 + a1 * i - a2 - a3 * i) % R,
        (a0 - a1 + a2 - a3) % R,
        (a0 - a1 * i - a2 + a3 * i) % R,
    ]
    for n in (1, 2, 4):
        assert run(ntt.intt, run(ntt.ntt, [a0, a1, a2, a3][:n])) == [a0, a1, a2, a3][:n]


@pytest.mark.parametrize("log_n", [0, 1, 2, 5, 9, 12, 13, 15])
def test_inverse_round_trip(log_n):
    a = rand_poly(1 << log_n)
    evals = run(ntt.ntt, a)
    assert run(ntt.intt, evals) == a


def test_intt_matches_naive_interpolation():
    evals = rand_poly(16)
    coeffs = run(ntt.intt, evals)
    assert naive_ntt(coeffs) == evals


@pytest.mark.parametrize("log_n", [13, 15])
def test_large_transform_spot_checks(log_n):
    """Sizes with several stage groups, and (2^15) the parallel path: check a few points."""
    n = 1 << log_n
    a = rand_poly(n)
    evals = run(ntt.ntt, a)
    w = fr_root_of_unity(log_n)
    for i in (0, 1, 2, n // 2 - 1, n // 2, n - 1, rng.randrange(n)):
        assert evals[i] == evaluate(a, pow(w, i, R)), i


@pytest.mark.parametrize("block_log, min_lanes_log", [(2, 0), (3, 1), (4, 1), (5, 2)])
def test_stage_groups_with_tiny_blocks(monkeypatch, block_log, min_lanes_log):
    """Force many stage groups and lane counts on small inputs, so every plan shape meets the
    naive reference."""
    monkeypatch.setattr(ntt, "BLOCK_LOG", block_log)
    monkeypatch.setattr(ntt, "MIN_LANES_LOG", min_lanes_log)
    for log_n in (5, 6, 7):
        a = rand_poly(1 << log_n)
        assert run(ntt.ntt, a) == naive_ntt(a)
        assert run(ntt.intt, run(ntt.ntt, a)) == a


def test_stage_plan_covers_every_stage_once():
    for log_n in range(33):
        plan = ntt._stage_plan(log_n)
        s0 = 0
        for start, b, lanes in plan:
            assert start == s0 and b >= 0
            assert lanes & (lanes - 1) == 0 and lanes <= 1 << start
            assert (b + lanes.bit_length() - 1) <= ntt.BLOCK_LOG
            s0 += b
        assert s0 == log_n


@pytest.mark.parametrize("log_n", [0, 1, 3, 6])
@pytest.mark.parametrize("shift", [7, 5, R - 1, 2**200 + 3])
def test_coset_ntt_evaluates_on_shifted_domain(log_n, shift):
    a = rand_poly(1 << log_n)
    evals = run(ntt.coset_ntt, a, shift)
    assert evals == naive_ntt(a, shift % R)
    assert run(ntt.coset_intt, evals, shift) == a


def test_coset_round_trip_parallel_size():
    a = rand_poly(1 << 15)
    shift = rng.randrange(1, R)
    back = run(ntt.coset_intt, run(ntt.coset_ntt, a, shift), shift)
    assert back == a


def test_coset_shift_accepts_negative_int():
    a = rand_poly(8)
    assert run(ntt.coset_ntt, a, -3) == naive_ntt(a, R - 3)


@pytest.mark.parametrize("log_n", [3, 6, 10])
def test_polynomial_product_via_ntt(log_n):
    n = 1 << log_n
    f, g = rand_poly(n // 2), rand_poly(n // 2)
    expected = [0] * n
    for i, x in enumerate(f):
        for j, y in enumerate(g):
            expected[i + j] = (expected[i + j] + x * y) % R
    fa = ntt.ntt(fr_vec.ints_to_mont(f + [0] * (n // 2)))
    ga = ntt.ntt(fr_vec.ints_to_mont(g + [0] * (n // 2)))
    assert fr_vec.mont_to_ints(ntt.intt(fr_vec.mul(fa, ga))) == expected


def test_input_is_not_modified():
    x = fr_vec.ints_to_mont(rand_poly(64))
    before = x.copy()
    ntt.ntt(x), ntt.intt(x), ntt.coset_ntt(x, 5), ntt.coset_intt(x, 5)
    assert np.array_equal(x, before)


def test_non_contiguous_input():
    a = rand_poly(32)
    wide = np.zeros((32, 8), dtype=np.uint64)
    wide[:, :4] = fr_vec.ints_to_mont(a)
    assert fr_vec.mont_to_ints(ntt.ntt(wide[:, :4])) == naive_ntt(a)


def test_twiddles_are_powers_of_the_domain_root():
    w = fr_root_of_unity(6)
    assert fr_vec.mont_to_ints(ntt.twiddles(6)) == [pow(w, i, R) for i in range(32)]
    assert ntt.twiddles(6) is ntt.twiddles(6)  # cached
    ntt.clear_twiddle_cache()
    assert fr_vec.mont_to_ints(ntt.twiddles(6))[1] == w


def test_domain_root_orders():
    for k in (1, 2, 10, 32):
        w = fr_root_of_unity(k)
        assert pow(w, 1 << k, R) == 1 and pow(w, 1 << (k - 1), R) == R - 1


@pytest.mark.parametrize(
    "bad, message",
    [
        (np.zeros((3, 4), dtype=np.uint64), "power of two"),
        (np.zeros((0, 4), dtype=np.uint64), "power of two"),
        (np.zeros((4, 6), dtype=np.uint64), r"\(n, 4\) uint64"),
        (np.zeros((4, 4), dtype=np.int64), r"\(n, 4\) uint64"),
        (np.zeros(16, dtype=np.uint64), r"\(n, 4\) uint64"),
        ([[0, 0, 0, 0]], r"\(n, 4\) uint64"),
    ],
)
def test_malformed_input(bad, message):
    for fn in (ntt.ntt, ntt.intt):
        with pytest.raises(ValueError, match=message):
            fn(bad)
    with pytest.raises(ValueError, match=message):
        ntt.coset_ntt(bad, 7)


def test_zero_shift_rejected():
    x = fr_vec.ints_to_mont([1, 2])
    for fn in (ntt.coset_ntt, ntt.coset_intt):
        with pytest.raises(ValueError, match="non-zero"):
            fn(x, R)
