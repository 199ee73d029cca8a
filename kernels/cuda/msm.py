"""MSM over BLS12-381 G1 and G2 on the GPU: launchers for msm.cu, resident bases, batched vectors.

Same contract as kernels/cpu/msm.py and bit-identical results (kernels/limbs.py layouts: affine
Montgomery points, all zeros = infinity; scalars (…, 4) uint64 standard form, any value < 2^256):

    msm_g1(points (m, 2, 6), scalars (m, 4)) -> (2, 6)
    msm_g2(points (m, 2, 2, 6), scalars (m, 4)) -> (2, 2, 6)
    msm_g1_batch(points, scalars (k, m, 4)) -> (k, 2, 6)      one base set, k scalar vectors
    msm_g2_batch(points, scalars (k, m, 4)) -> (k, 2, 2, 6)
    ResidentBases(points): the points uploaded once (a proving key's query, reused by every proof
        of a job); .msm(scalars) -> host result, .msm_async(scalars) -> PendingMsm.

Scalars may be numpy or CuPy arrays: device-resident scalars (the prover's H evaluations) are used
in place. The algorithm and its stages are in msm_plan.py; the Horner step in msm_combine.py.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from kernels.constants import FP_LIMBS, FR_LIMBS
from kernels.cuda import module
from kernels.cuda.msm_combine import combine_windows
from kernels.cuda.msm_plan import MsmShape, window_sums

SOURCE = "msm.cu"
CURVE_BLOCK = 128  # threads per block for the curve kernels (register-heavy: ~200+ per thread)
TAILS = {"g1": (FP_LIMBS,), "g2": (2, FP_LIMBS)}
U32 = np.uint32


def group_of(points) -> str:
    """"g1" or "g2" from an affine point array's shape; ValueError for anything else."""
    for group, tail in TAILS.items():
        if points.dtype == np.uint64 and points.shape[1:] == (2, *tail) and points.ndim == 2 + len(tail):
            return group
    raise ValueError("points must be (m, 2, 6) G1 or (m, 2, 2, 6) G2 uint64 arrays, "
                     f"got {points.dtype} {points.shape}")


class GpuStages:
    """msm_plan.Stages on the current CuPy device and stream."""

    def __init__(self, group: str) -> None:
        self.group = group

    def _kernel(self, name: str):
        return module.function(SOURCE, name)

    def _digits(self, name: str, shape: MsmShape, scalars, *arrays) -> None:
        n = shape.k * shape.m
        self._kernel(name)(module.grid(n), (module.BLOCK,),
                           (scalars, U32(n), U32(shape.m), U32(shape.c), U32(shape.windows),
                            U32(shape.buckets), *arrays))

    def count(self, shape, scalars, counts) -> None:
        self._digits("msm_count", shape, scalars, counts)

    def scatter(self, shape, scalars, cursor, entries) -> None:
        self._digits("msm_scatter", shape, scalars, cursor, entries)

    def _curve(self, name: str, n: int, *args) -> None:
        self._kernel(f"msm_{self.group}_{name}")(module.grid(n, CURVE_BLOCK), (CURVE_BLOCK,), args)

    def sum_points(self, points, entries, off, seg_off, runs, seg, n, out) -> None:
        self._curve("sum_points", n, points, entries, off, seg_off, U32(runs), U32(seg), U32(n), out)

    def sum_segment(self, items, off, seg_off, runs, seg, n, out) -> None:
        self._curve("sum_segment", n, items, off, seg_off, U32(runs), U32(seg), U32(n), out)

    def lane_sum(self, shape, items, off, n, out) -> None:
        self._curve("lane_sum", n, items, off, U32(shape.buckets), U32(shape.lane_len), U32(n), out)


class PendingMsm:
    """An MSM queued on a stream; result() waits for it and finishes on the host."""

    def __init__(self, sums, c: int, single: bool, stream, tail: tuple[int, ...], k: int) -> None:
        self._sums, self._c, self._single, self._stream = sums, c, single, stream
        self._tail, self._k = tail, k

    def result(self) -> np.ndarray:
        if self._sums is None:  # no points or no vectors: infinity
            out = np.zeros((self._k, 2, *self._tail), dtype=np.uint64)
        else:
            out = combine_windows(self._sums.get(stream=self._stream), self._c)
        return out[0] if self._single else out


class ResidentBases:
    """Affine base points kept on the device across MSMs (one upload per proving-key query)."""

    def __init__(self, points) -> None:
        self.group = group_of(points)
        cp = module.cupy()
        self.points = cp.ascontiguousarray(cp.asarray(points))
        self.m = int(self.points.shape[0])
        self._stages = GpuStages(self.group)

    @property
    def nbytes(self) -> int:
        return int(self.points.nbytes)

    def _scalars(self, scalars) -> tuple[Any, bool]:
        cp = module.cupy()
        s = scalars if isinstance(scalars, cp.ndarray) else np.asarray(scalars)
        single = s.ndim == 2
        if s.dtype != np.uint64 or s.ndim not in (2, 3) or s.shape[-2:] != (self.m, FR_LIMBS):
            raise ValueError(f"scalars must be ({self.m}, {FR_LIMBS}) or (k, {self.m}, {FR_LIMBS}) "
                             f"uint64 for {self.m} points, got {s.dtype} {s.shape}")
        s = s[None] if single else s
        return cp.ascontiguousarray(cp.asarray(s)), single

    def msm_async(self, scalars, *, window: int | None = None) -> PendingMsm:
        """Queue sum_i scalars[..., i] P_i on the current stream; scalars (m, 4) or (k, m, 4)."""
        cp = module.cupy()
        s, single = self._scalars(scalars)
        k, tail = int(s.shape[0]), TAILS[self.group]
        stream = cp.cuda.get_current_stream()
        if k == 0 or self.m == 0:
            return PendingMsm(None, 0, single, stream, tail, k)
        shape = MsmShape.of(k, self.m, window)
        sums = window_sums(cp, self._stages, shape, self.points, s.reshape(k * self.m, FR_LIMBS))
        return PendingMsm(sums, shape.c, single, stream, tail, k)

    def msm(self, scalars, *, window: int | None = None) -> np.ndarray:
        """(2, ...) for (m, 4) scalars, (k, 2, ...) for (k, m, 4): affine Montgomery, on the host."""
        return self.msm_async(scalars, window=window).result()


def msm_g1(points: np.ndarray, scalars: np.ndarray, *, window: int | None = None) -> np.ndarray:
    """sum_i scalars[i] points[i] over G1, as a (2, 6) affine Montgomery point."""
    return _one(points, scalars, "g1", window)


def msm_g2(points: np.ndarray, scalars: np.ndarray, *, window: int | None = None) -> np.ndarray:
    """sum_i scalars[i] points[i] over G2, as a (2, 2, 6) affine Montgomery point."""
    return _one(points, scalars, "g2", window)


def msm_g1_batch(points: np.ndarray, scalars: np.ndarray) -> np.ndarray:
    """(k, 2, 6): one G1 MSM per scalar vector scalars[j] of (k, m, 4), one pass over the points."""
    return _batch(points, scalars, "g1")


def msm_g2_batch(points: np.ndarray, scalars: np.ndarray) -> np.ndarray:
    """(k, 2, 2, 6): one G2 MSM per scalar vector, one pass over the points."""
    return _batch(points, scalars, "g2")


def _bases(points, group: str) -> ResidentBases:
    bases = ResidentBases(points)
    if bases.group != group:
        raise ValueError(f"{group.upper()} MSM given {bases.group.upper()} points {points.shape}")
    return bases


def _one(points, scalars, group: str, window: int | None) -> np.ndarray:
    if np.ndim(scalars) != 2:
        raise ValueError(f"scalars must be an (m, {FR_LIMBS}) array, got shape {np.shape(scalars)}")
    return _bases(points, group).msm(scalars, window=window)


def _batch(points, scalars, group: str) -> np.ndarray:
    if np.ndim(scalars) != 3:
        raise ValueError(f"batched scalars must be (k, m, {FR_LIMBS}), got shape {np.shape(scalars)}")
    return _bases(points, group).msm(scalars)


def pool_stats() -> dict[str, int]:
    """Device memory: CuPy pool bytes in use and held, and the device's free and total bytes."""
    cp = module.cupy()
    pool = cp.get_default_memory_pool()
    free, total = cp.cuda.runtime.memGetInfo()
    return {"pool_used_bytes": int(pool.used_bytes()), "pool_held_bytes": int(pool.total_bytes()),
            "device_free_bytes": int(free), "device_total_bytes": int(total)}
