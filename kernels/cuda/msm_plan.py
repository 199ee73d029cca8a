"""The GPU MSM's shape (window width, lanes, levels) and stage sequence, apart from where it runs.

`window_sums` drives the kernels of msm.cu through a `Stages` object over an array module `xp`:
kernels/cuda/msm.py passes CuPy and the RawKernels; the host tests pass numpy and the same ZK_HD
bodies compiled by g++ (tests/cuda/msm_host.cpp), so CI runs this exact sequence without a GPU.

Stages, for k scalar vectors of m scalars against m points (k = 1 for a single MSM):
1. digits + counting sort (msm_digits.cuh): `runs` = k W nb keys, one per (vector, window, bucket);
2. bucket levels (msm_buckets.cuh): runs cut into segments of SEGMENT items, one thread each, level
   after level until every run is one point: ceil(log_SEGMENT(m)) levels cover a bucket holding
   every point, so the count is known without reading anything back from the device;
3. lanes (msm_reduce.cuh), then per-window sums of the lanes by the same segment levels.
Nothing here waits for the device: grids are sized by upper bounds and surplus threads exit, so a
caller can queue several MSMs and do host work while they run. The result is the (k, W) XYZZ
window sums; msm_combine.py finishes on the host.

Cost model for the window width c (units: one mixed addition): per window, one addition per
point (stage 2) and about 2.5 per bucket (the two running-sum additions of stage 3, plus the
lane weighting), with nb = 2^(c-1) buckets: cost(c) = W(c) (m + 1.25 * 2^c).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

SEGMENT = 32  # items per thread in a bucket level: bounds the work of a crowded bucket's threads
MAX_WINDOW = 22  # 2^21 buckets per window; larger windows only pay beyond 2^26 points
MIN_LANE_THREADS = 1 << 14  # lanes across all windows: enough threads to fill an H100
U32 = np.uint32


def window_count(c: int) -> int:
    return -(-256 // c)


def window_bits(m: int) -> int:
    """Window width c in [2, MAX_WINDOW] minimising W(c) (m + 1.25 * 2^c)."""
    return min(range(2, MAX_WINDOW + 1), key=lambda c: (window_count(c) * (4 * m + 5 * (1 << c)), -c))


def level_count(m: int, segment: int = SEGMENT) -> int:
    """Bucket levels that reduce a run of up to m points to one: least L >= 1, segment^L >= m."""
    levels = 1
    while segment**levels < m:
        levels += 1
    return levels


@dataclass(frozen=True)
class MsmShape:
    k: int  # scalar vectors
    m: int  # points, scalars per vector
    c: int  # window width
    windows: int  # W
    buckets: int  # nb = 2^(c-1) per window
    lane_len: int  # buckets per lane (power of two dividing nb)
    segment: int  # items per thread in the bucket levels
    levels: int  # bucket levels

    @classmethod
    def of(cls, k: int, m: int, c: int | None = None, segment: int = SEGMENT) -> "MsmShape":
        """The shape for k vectors of m scalars; c and segment are overridable (tests, tuning)."""
        if k < 1 or m < 1:
            raise ValueError(f"an MSM shape needs k >= 1 and m >= 1, got k={k}, m={m}")
        c = window_bits(m) if c is None else c
        if not 2 <= c <= MAX_WINDOW:
            raise ValueError(f"window must be in [2, {MAX_WINDOW}], got {c}")
        if segment < 2:
            raise ValueError(f"segment must be at least 2, got {segment}")
        windows, buckets = window_count(c), 1 << (c - 1)
        if max(k * m, k * buckets) * windows >= 1 << 32 or m >= 1 << 31:
            raise ValueError(f"{k} x {m} scalars with {c}-bit windows exceed the 32-bit indices "
                             "of the GPU MSM")
        lane_len = 1
        while lane_len < 2 * (c - 1):  # 2L running-sum additions ~ the c - 1 doublings of weighting
            lane_len *= 2
        while lane_len > 1 and k * windows * (buckets // lane_len) < MIN_LANE_THREADS:
            lane_len //= 2
        return cls(k, m, c, windows, buckets, min(lane_len, buckets), segment,
                   level_count(m, segment))

    @property
    def runs(self) -> int:
        return self.k * self.windows * self.buckets

    @property
    def lanes(self) -> int:
        """Lanes per window."""
        return self.buckets // self.lane_len


class Stages(Protocol):
    """The grid kernels of msm.cu; arrays are `xp` arrays, counts and offsets uint32."""

    def count(self, shape: MsmShape, scalars: Any, counts: Any) -> None: ...
    def scatter(self, shape: MsmShape, scalars: Any, cursor: Any, entries: Any) -> None: ...
    def sum_points(self, points: Any, entries: Any, off: Any, seg_off: Any, runs: int, seg: int,
                   n: int, out: Any) -> None: ...
    def sum_segment(self, items: Any, off: Any, seg_off: Any, runs: int, seg: int, n: int,
                    out: Any) -> None: ...
    def lane_sum(self, shape: MsmShape, items: Any, off: Any, n: int, out: Any) -> None: ...


def exclusive_scan(xp, counts):
    """(len + 1,) uint32 offsets: out[0] = 0, out[j + 1] = counts[0] + ... + counts[j]."""
    out = xp.zeros(counts.shape[0] + 1, dtype=U32)
    out[1:] = xp.cumsum(counts, dtype=U32)
    return out


def segment_offsets(xp, off, seg: int):
    """Segment offsets of runs given by offsets `off`: prefix sums of ceil(run length / seg)."""
    lengths = off[1:] - off[:-1]
    return exclusive_scan(xp, (lengths + U32(seg - 1)) // U32(seg))


def _items(xp, n: int, tail: tuple[int, ...]):
    return xp.empty((max(n, 1), 4, *tail), dtype=np.uint64)  # XYZZ points, kernels/cpu/curve.py


def sort_digits(xp, stages: Stages, shape: MsmShape, scalars):
    """Counting sort of the signed digits: (offsets (runs + 1,), entries) as in msm_digits.cuh."""
    counts = xp.zeros(shape.runs, dtype=U32)
    stages.count(shape, scalars, counts)
    off = exclusive_scan(xp, counts)
    cursor = off[:-1].copy()
    entries = xp.empty(max(shape.k * shape.m * shape.windows, 1), dtype=U32)
    stages.scatter(shape, scalars, cursor, entries)
    return off, entries


def bucket_sums(xp, stages: Stages, shape: MsmShape, points, off, entries):
    """The bucket levels: (items, offsets) with every run of length 0 or 1 (its bucket sum)."""
    tail, runs, seg = points.shape[2:], shape.runs, shape.segment
    bound = shape.k * shape.m * shape.windows  # entries, at most
    bound = bound // seg + min(runs, bound)  # segments: sum ceil(n_j / S) <= sum n_j / S + #runs
    seg_off = segment_offsets(xp, off, seg)
    items = _items(xp, bound, tail)
    stages.sum_points(points, entries, off, seg_off, runs, seg, bound, items)
    for _ in range(shape.levels - 1):
        off, seg_off = seg_off, segment_offsets(xp, seg_off, seg)
        bound = bound // seg + min(runs, bound)
        nxt = _items(xp, bound, tail)
        stages.sum_segment(items, off, seg_off, runs, seg, bound, nxt)
        items = nxt
    return items, seg_off


def window_sums(xp, stages: Stages, shape: MsmShape, points, scalars):
    """(k, W, 4, ...) XYZZ window sums S_w = sum_i d_{i,w} P_i of each scalar vector."""
    tail = points.shape[2:]
    off, entries = sort_digits(xp, stages, shape, scalars)
    items, off = bucket_sums(xp, stages, shape, points, off, entries)
    groups = shape.k * shape.windows
    n = shape.lanes
    lanes = _items(xp, groups * n, tail)
    stages.lane_sum(shape, items, off, groups * n, lanes)
    while n > 1:  # runs of n lane values per window -> runs of ceil(n / segment)
        per = -(-n // shape.segment)
        off = xp.arange(0, groups * n + 1, n, dtype=U32)
        seg_off = xp.arange(0, groups * per + 1, per, dtype=U32)
        nxt = _items(xp, groups * per, tail)
        stages.sum_segment(lanes, off, seg_off, groups, shape.segment, groups * per, nxt)
        lanes, n = nxt, per
    return lanes.reshape(shape.k, shape.windows, 4, *tail)
