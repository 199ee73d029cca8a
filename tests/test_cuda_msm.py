"""The GPU MSM without a GPU: kernels/cuda/msm_plan.py's stage sequence runs the per-thread bodies
of msm_digits.cuh, msm_buckets.cuh and msm_reduce.cuh compiled for the host (tests/cuda/msm_host.cpp)
over numpy arrays, and the results are compared with the CPU backend and py_ecc. The counting sort
is checked against a numpy stable sort. The device launches themselves are the `gpu` tests.
"""

from __future__ import annotations

import dataclasses
import random

import numpy as np
import pytest
from py_ecc import optimized_bls12_381 as ref

from kernels.constants import FR_LIMBS, P, R
from kernels.cpu import msm as cpu_msm
from kernels.cpu import points as cpu_points
from kernels.cpu.msm_digits import signed_digits
from kernels.cuda import module, msm
from kernels.cuda.msm_combine import combine_windows
from kernels.cuda.msm_plan import (
    MAX_WINDOW,
    SEGMENT,
    MsmShape,
    exclusive_scan,
    level_count,
    segment_offsets,
    sort_digits,
    window_bits,
    window_count,
    window_sums,
)
from kernels.limbs import ints_to_limbs
from support.cuda_host import call, host_library
from support.gpu import requires_gpu
from support.host_device import launcher, use_host_device

EDGE = [0, 1, 2, R - 1, R, R + 1, 2 * R - 1, (1 << 256) - 1, (1 << 255) - 19, 1 << 128]
G1_GEN = cpu_points.g1_from_py_ecc([ref.G1])[0]
G2_GEN = cpu_points.g2_from_py_ecc([ref.G2])[0]


@pytest.fixture(scope="module")
def lib():
    return host_library(["msm_host.cpp"], "msm")


class HostStages:
    """msm_plan.Stages over numpy arrays, each kernel a host loop around its ZK_HD body."""

    def __init__(self, lib, group: str) -> None:
        self.lib, self.group = lib, group

    def _fn(self, name: str):
        return getattr(self.lib, f"h_msm_{self.group}_{name}")

    def count(self, shape, scalars, counts):
        call(self.lib.h_msm_count, scalars, shape.k * shape.m, shape.m, shape.c, shape.windows,
             shape.buckets, counts)

    def scatter(self, shape, scalars, cursor, entries):
        call(self.lib.h_msm_scatter, scalars, shape.k * shape.m, shape.m, shape.c, shape.windows,
             shape.buckets, cursor, entries)

    def sum_points(self, points, entries, off, seg_off, runs, seg, n, out):
        call(self._fn("sum_points"), points, entries, off, seg_off, runs, seg, n, out)

    def sum_segment(self, items, off, seg_off, runs, seg, n, out):
        call(self._fn("sum_segment"), items, off, seg_off, runs, seg, n, out)

    def lane_sum(self, shape, items, off, n, out):
        call(self._fn("lane_sum"), items, off, shape.buckets, shape.lane_len, n, out)


def host_msm(lib, points: np.ndarray, scalars: np.ndarray, shape: MsmShape | None = None) -> np.ndarray:
    """(k, 2, ...) results of the GPU algorithm run on the host, for scalars (k, m, 4)."""
    k, m = scalars.shape[:2]
    shape = shape or MsmShape.of(k, m)
    stages = HostStages(lib, msm.group_of(points))
    sums = window_sums(np, stages, shape, np.ascontiguousarray(points),
                       np.ascontiguousarray(scalars.reshape(k * m, FR_LIMBS)))
    return combine_windows(sums, shape.c)


def scalars_of(values: list[int]) -> np.ndarray:
    return ints_to_limbs(values, FR_LIMBS)


def random_scalars(n: int, seed: int, bits: int = 256) -> list[int]:
    rng = random.Random(seed)
    return [rng.randrange(1 << bits) for _ in range(n)]


def random_g1(n: int, seed: int) -> np.ndarray:
    return cpu_msm.fixed_base_g1(G1_GEN, scalars_of([v % (R - 1) + 1 for v in random_scalars(n, seed)]))


def random_g2(n: int, seed: int) -> np.ndarray:
    return cpu_msm.fixed_base_g2(G2_GEN, scalars_of([v % (R - 1) + 1 for v in random_scalars(n, seed)]))


# ---- shape and cost model (pure Python) ---------------------------------------------------------


def test_window_bits_minimises_the_cost_model():
    for m in (1, 2, 10, 100, 1 << 10, 1 << 16, 1 << 20, 1 << 24):
        c = window_bits(m)
        cost = {w: window_count(w) * (m + 1.25 * (1 << w)) for w in range(2, MAX_WINDOW + 1)}
        assert cost[c] == min(cost.values())
    assert [window_bits(1 << e) for e in (10, 16, 20, 24)] == sorted(window_bits(1 << e) for e in (10, 16, 20, 24))


@pytest.mark.parametrize("k,m", [(1, 1), (1, 1000), (1, 1 << 20), (8, 1 << 16), (1, 1 << 24)])
def test_shape_invariants(k, m):
    s = MsmShape.of(k, m)
    assert s.windows * s.c >= 256 and s.buckets == 1 << (s.c - 1)
    assert s.buckets % s.lane_len == 0 and s.lane_len & (s.lane_len - 1) == 0
    assert s.segment**s.levels >= m and (s.levels == 1 or s.segment ** (s.levels - 1) < m)
    assert s.runs == k * s.windows * s.buckets


def test_level_count():
    assert [level_count(m, 32) for m in (1, 32, 33, 1024, 1025)] == [1, 1, 2, 2, 3]
    assert level_count(9, 2) == 4


def test_shape_rejects_out_of_range_inputs():
    with pytest.raises(ValueError, match="window"):
        MsmShape.of(1, 10, c=MAX_WINDOW + 1)
    for c in (0, 1):
        with pytest.raises(ValueError, match="window"):
            MsmShape.of(1, 10, c=c)
    with pytest.raises(ValueError, match="k >= 1"):
        MsmShape.of(0, 10)
    with pytest.raises(ValueError, match="32-bit"):
        MsmShape.of(64, 1 << 24)
    with pytest.raises(ValueError, match="segment"):
        MsmShape.of(1, 10, segment=1)


def test_group_of_rejects_malformed_points():
    assert msm.group_of(np.zeros((3, 2, 6), np.uint64)) == "g1"
    assert msm.group_of(np.zeros((3, 2, 2, 6), np.uint64)) == "g2"
    for bad in (np.zeros((3, 2, 6), np.uint32), np.zeros((3, 3, 6), np.uint64),
                np.zeros((3, 2, 5), np.uint64), np.zeros((2, 6), np.uint64)):
        with pytest.raises(ValueError, match="points must be"):
            msm.group_of(bad)


def test_segment_offsets_are_ceil_divisions():
    off = np.array([0, 0, 5, 6, 70, 70, 71], dtype=np.uint32)
    seg = segment_offsets(np, off, 4)
    assert seg.tolist() == [0, 0, 2, 3, 19, 19, 20]
    assert exclusive_scan(np, np.array([3, 0, 2], np.uint32)).tolist() == [0, 3, 3, 5]


# ---- stage 1: digits and counting sort ---------------------------------------------------------


@pytest.mark.parametrize("c", [2, 3, 5, 8, 13, 16, 22])
def test_signed_digits_match_the_cpu_and_the_scalar(lib, c):
    values = random_scalars(200, c) + EDGE
    s = scalars_of(values)
    windows = window_count(c)
    got = np.empty((windows, len(values)), dtype=np.int32)
    call(lib.h_msm_signed_digits, s, len(values), c, windows, got)
    assert np.array_equal(got, signed_digits(s, c))
    half = 1 << (c - 1)
    assert got.max() <= half and got.min() > -half
    for i, v in enumerate(values):
        assert sum(int(d) << (c * w) for w, d in enumerate(got[:, i])) == v % R


@pytest.mark.parametrize("k,m,c", [(1, 100, 5), (3, 40, 4), (2, 64, 8)])
def test_counting_sort_matches_a_stable_numpy_sort(lib, k, m, c):
    values = random_scalars(k * m, 7 * c)
    values[:5] = [0, 1, R - 1, 1, 1]  # zero digits are left out; repeated keys keep point order
    s = scalars_of(values)
    shape = MsmShape.of(k, m, c)
    off, entries = sort_digits(np, HostStages(lib, "g1"), shape, s)

    digits = signed_digits(s, c).T  # (k m, W), item-major like the scatter loop
    item = np.repeat(np.arange(k * m), shape.windows)
    window = np.tile(np.arange(shape.windows), k * m)
    d = digits.reshape(-1)
    keep = d != 0
    keys = ((item // m) * shape.windows + window) * shape.buckets + np.abs(d) - 1
    order = np.argsort(keys[keep], kind="stable")
    want = (((item % m) << 1) | (d < 0))[keep][order]
    assert int(off[-1]) == keep.sum()
    assert np.array_equal(entries[: keep.sum()], want.astype(np.uint32))
    assert np.array_equal(off, exclusive_scan(np, np.bincount(keys[keep], minlength=shape.runs).astype(np.uint32)))


# ---- whole pipeline on the host ----------------------------------------------------------------


@pytest.mark.parametrize("m", [1, 2, 3, 31, 32, 33, 100, 257, 1024])
def test_g1_matches_cpu_backend(lib, m):
    pts = random_g1(m, m)
    s = scalars_of(random_scalars(m, 1000 + m))
    assert np.array_equal(host_msm(lib, pts, s[None])[0], cpu_msm.msm_g1(pts, s))


@pytest.mark.parametrize("c", [2, 3, 5, 9, 13, 16])
def test_g1_every_window_width(lib, c):
    m = 150
    pts = random_g1(m, 3)
    s = scalars_of(random_scalars(m - len(EDGE), c) + EDGE)
    assert np.array_equal(host_msm(lib, pts, s[None], MsmShape.of(1, m, c))[0], cpu_msm.msm_g1(pts, s))


def test_g1_degenerate_inputs_against_py_ecc(lib):
    """Edge scalars, infinity bases, repeated bases, P next to -P, and scalars that cancel."""
    rng = random.Random(5)
    logs = [rng.randrange(1, R) for _ in range(4)]
    base = [ref.multiply(ref.G1, k) for k in logs]
    pts_py = [base[0], ref.Z1, base[1], base[1], ref.neg(base[2]), base[2], base[3], base[3], ref.Z1]
    pt_logs = [logs[0], 0, logs[1], logs[1], R - logs[2], logs[2], logs[3], logs[3], 0]
    pts = cpu_points.g1_from_py_ecc(pts_py)
    for values in ([5, 7, 1, 1, 9, 9, R - 1, 1, 3], [1] * 9, [0] * 9, EDGE[:9],
                   [0, 1, 2, 2, 3, 3, 4, R - 4, 5]):
        want = ref.multiply(ref.G1, sum(k * v for k, v in zip(pt_logs, values, strict=True)) % R)
        got = host_msm(lib, pts, scalars_of(values)[None])[0]
        assert ref.eq(cpu_points.g1_to_py_ecc(got[None])[0], want)


@pytest.mark.parametrize("segment", [2, 3, SEGMENT])
def test_crowded_buckets_take_several_levels(lib, segment):
    """A witness-like vector (mostly 0 and 1, a few repeated values) piles points into few buckets."""
    m = 300
    pts = random_g1(m, 11)
    rng = random.Random(segment)
    values = [rng.choice([0, 1, 1, 1, 2, R - 1, 12345]) for _ in range(m)]
    s = scalars_of(values)
    shape = MsmShape.of(1, m, 6, segment=segment)
    assert shape.levels == level_count(m, segment)
    assert np.array_equal(host_msm(lib, pts, s[None], shape)[0], cpu_msm.msm_g1(pts, s))


def test_lane_lengths_agree(lib):
    m = 200
    pts = random_g1(m, 12)
    s = scalars_of(random_scalars(m, 12))
    want = cpu_msm.msm_g1(pts, s)
    base = MsmShape.of(1, m, 7)
    for lane_len in (1, 2, 8, base.buckets):
        shape = dataclasses.replace(base, lane_len=lane_len)
        assert np.array_equal(host_msm(lib, pts, s[None], shape)[0], want), lane_len


def test_batch_matches_one_msm_per_vector(lib):
    k, m = 3, 60
    pts = random_g1(m, 13)
    vectors = [random_scalars(m, 20 + j) for j in range(k)]
    vectors[1][:10] = [1] * 10
    s = np.stack([scalars_of(v) for v in vectors])
    got = host_msm(lib, pts, s)
    assert np.array_equal(got, cpu_msm.msm_g1_batch(pts, s))


@pytest.mark.parametrize("m", [1, 7, 40])
def test_g2_matches_cpu_backend(lib, m):
    pts = random_g2(m, 100 + m)
    s = scalars_of((random_scalars(m, m) + EDGE)[:m])
    assert np.array_equal(host_msm(lib, pts, s[None])[0], cpu_msm.msm_g2(pts, s))


def test_g2_degenerate_inputs_against_py_ecc(lib):
    rng = random.Random(6)
    logs = [rng.randrange(1, R) for _ in range(2)]
    base = [ref.multiply(ref.G2, k) for k in logs]
    pts = cpu_points.g2_from_py_ecc([base[0], ref.neg(base[0]), ref.Z2, base[1], base[1]])
    pt_logs = [logs[0], R - logs[0], 0, logs[1], logs[1]]
    values = [3, 3, 17, R - 1, 2]
    want = ref.multiply(ref.G2, sum(k * v for k, v in zip(pt_logs, values, strict=True)) % R)
    got = host_msm(lib, pts, scalars_of(values)[None])[0]
    assert ref.eq(cpu_points.g2_to_py_ecc(got[None])[0], want)


@pytest.mark.parametrize("k", [0, 1, 2, 3, 32, 255, 1 << 20, (1 << 21) - 1])
def test_mul_small_matches_cpu(lib, k):
    p = random_g1(1, 40)
    xyzz = np.zeros((1, 4, 6), dtype=np.uint64)
    xyzz[0, :2] = p[0]
    xyzz[0, 2] = xyzz[0, 3] = ints_to_limbs([(1 << 384) % P], 6)[0]  # Montgomery 1
    out = np.empty_like(xyzz)
    call(lib.h_msm_g1_mul_small, xyzz, k, out)
    affine = combine_windows(out[None], 1)[0]  # one window: just the conversion to affine
    assert np.array_equal(affine, cpu_points.g1_mul(p[0], k))


# ---- the launchers (kernels/cuda/msm.py) over the host kernels -----------------------------------


@pytest.fixture
def host_gpu(monkeypatch, lib):
    """kernels.cuda.msm with NumPy for CuPy and the host loops for the kernels (same arguments)."""
    names = ["msm_count", "msm_scatter"] + [f"msm_{g}_{k}" for g in ("g1", "g2")
                                            for k in ("sum_points", "sum_segment", "lane_sum")]
    use_host_device(monkeypatch, {name: launcher(getattr(lib, f"h_{name}")) for name in names})
    cp = module.cupy()
    cp.cumsum = lambda a, dtype=None: np.cumsum(a, dtype=dtype).view(type(a))
    cp.arange = lambda *args, dtype=None: cp.asarray(np.arange(*args, dtype=dtype))
    return cp


def test_launchers_equal_the_cpu_backend(host_gpu):
    pts1, pts2 = random_g1(300, 21), random_g2(12, 22)
    s = scalars_of((EDGE + random_scalars(300, 23))[:300])
    assert np.array_equal(msm.msm_g1(pts1, s), cpu_msm.msm_g1(pts1, s))
    assert np.array_equal(msm.msm_g1(pts1, s, window=5), cpu_msm.msm_g1(pts1, s))
    assert np.array_equal(msm.msm_g2(pts2, s[:12]), cpu_msm.msm_g2(pts2, s[:12]))
    batch = np.stack([s[:12], s[12:24], s[24:36]])
    assert np.array_equal(msm.msm_g1_batch(pts1[:12], batch), cpu_msm.msm_g1_batch(pts1[:12], batch))
    assert np.array_equal(msm.msm_g2_batch(pts2, batch), cpu_msm.msm_g2_batch(pts2, batch))


def test_resident_bases_over_host_kernels(host_gpu):
    pts = random_g1(64, 24)
    bases = msm.ResidentBases(pts)
    assert bases.group == "g1" and bases.m == 64 and bases.nbytes == pts.nbytes
    vectors = [scalars_of(random_scalars(64, 25)), scalars_of([1] * 60 + [0, 0, R - 1, 7])]
    pending = [bases.msm_async(host_gpu.asarray(v)) for v in vectors]  # queued before either is read
    for p, v in zip(pending, vectors, strict=True):
        assert np.array_equal(p.result(), cpu_msm.msm_g1(pts, v))
    both = bases.msm(np.stack(vectors))
    assert np.array_equal(both, cpu_msm.msm_g1_batch(pts, np.stack(vectors)))
    assert not bases.msm(np.zeros((0, 64, 4), np.uint64)).size
    empty = msm.ResidentBases(np.zeros((0, 2, 6), np.uint64))
    assert not empty.msm(np.zeros((0, 4), np.uint64)).any()


def test_launchers_reject_malformed_inputs(host_gpu):
    pts = random_g1(8, 26)
    bases = msm.ResidentBases(pts)
    for bad in (np.zeros((7, 4), np.uint64), np.zeros((8, 3), np.uint64), np.zeros((8, 4), np.int64),
                np.zeros((2, 2, 8, 4), np.uint64)):
        with pytest.raises(ValueError, match="scalars must be"):
            bases.msm(bad)
    with pytest.raises(ValueError, match="G2 MSM given G1 points"):
        msm.msm_g2(pts, np.zeros((8, 4), np.uint64))
    with pytest.raises(ValueError, match=r"\(m, 4\)"):
        msm.msm_g1(pts, np.zeros((1, 8, 4), np.uint64))
    with pytest.raises(ValueError, match="batched scalars"):
        msm.msm_g1_batch(pts, np.zeros((8, 4), np.uint64))
    with pytest.raises(ValueError, match="window"):
        msm.msm_g1(pts, np.zeros((8, 4), np.uint64), window=23)


# ---- on a device ---------------------------------------------------------------------------------


@pytest.mark.gpu
@requires_gpu
def test_gpu_msm_matches_cpu_backend():
    for m, seed in ((1, 1), (33, 2), (1 << 12, 3)):
        pts1, pts2 = random_g1(m, seed), random_g2(min(m, 256), seed)
        s = scalars_of((EDGE + random_scalars(m, seed))[:m])
        assert np.array_equal(msm.msm_g1(pts1, s), cpu_msm.msm_g1(pts1, s))
        assert np.array_equal(msm.msm_g2(pts2, s[: len(pts2)]), cpu_msm.msm_g2(pts2, s[: len(pts2)]))
    batch = np.stack([scalars_of(random_scalars(500, 50 + j)) for j in range(4)])
    pts = random_g1(500, 9)
    assert np.array_equal(msm.msm_g1_batch(pts, batch), cpu_msm.msm_g1_batch(pts, batch))


@pytest.mark.gpu
@requires_gpu
def test_gpu_resident_bases_take_device_scalars():
    import cupy as cp

    pts = random_g1(1000, 4)
    bases = msm.ResidentBases(pts)
    for seed in (1, 2):
        s = scalars_of([v % 4 for v in random_scalars(1000, seed)])  # crowded buckets
        assert np.array_equal(bases.msm(cp.asarray(s)), cpu_msm.msm_g1(pts, s))
    with pytest.raises(ValueError, match="scalars must be"):
        bases.msm(np.zeros((999, 4), np.uint64))
