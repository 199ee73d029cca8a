"""Fr NTTs on the GPU (kernels/cuda/ntt.cu): forward, inverse and coset transforms of 2^k points.

Conventions are exactly kernels.cpu.ntt's, so outputs are bit-identical (canonical Montgomery Fr,
(n, 4) uint64): natural order in and out, w = fr_root_of_unity(k), `ntt(a)[i] = sum_j a_j w^(ij)`,
`intt` its inverse (1/n included), `coset_ntt(a, s)[i]` = A(s w^i) and `coset_intt` its inverse.

A transform is the DIT stages cut into passes (`plan`): the first pass does the first BLOCK_LOG
stages on contiguous 2^BLOCK_LOG-element blocks, the remaining stages go in groups whose tasks
keep 2^BLOCK_LOG elements in runs of at least 2^MIN_LANES_LOG adjacent ones (the CPU backend's
stage grouping, with shared memory for cache). The bit-reversal gather and the input scaling
(x_{-i}/n for an inverse, x_i s^i for a coset) ride on the first pass, coset_intt's output
scaling (s^-i/n) on the last, so 2^20 points take three passes over memory and 2^26 four.

Scales c g^i are two short tables computed here with Python ints (exact, independent of the
device): g^j for the low half of i's bits, c g^(k 2^h) for the high half, one multiplication to
combine. Twiddles w^0..w^(n/2-1) are expanded from such tables on the device once per size and
cached there (32 bytes per point, 1 GiB at 2^26; `clear_caches` frees them).

The planning functions need no GPU: the host tests (tests/test_cuda_ntt.py) run the same plans
and tables through the same per-thread bodies compiled for the CPU.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from kernels.constants import FR_LIMBS, FR_TWO_ADICITY, R, fr_root_of_unity
from kernels.cuda import module
from kernels.limbs import ints_to_limbs

SOURCE = "ntt.cu"
BLOCK_LOG = 10  # elements per task: 2^10 * 32 bytes = 32 KiB of shared memory
MIN_LANES_LOG = 3  # at least 8 adjacent elements (256 bytes) per contiguous run
THREADS = 256  # threads per task (each does size / 2 / THREADS butterflies per stage)

SCALE_NONE, SCALE_CONST, SCALE_POWERS = 0, 1, 2  # ntt.cuh NTT_SCALE_*
FIRST, LAST, NEGATE = 1, 2, 4  # ntt.cu pass flags
KINDS = ("ntt", "intt", "coset_ntt", "coset_intt")


@dataclass(frozen=True)
class Pass:
    s0: int  # first stage
    b: int  # stages in this pass
    lanes: int  # adjacent sub-transforms per task


@dataclass(frozen=True)
class Scale:
    """x_i -> x_i * c g^i (mode SCALE_POWERS), x_i * c (SCALE_CONST) or x_i (SCALE_NONE).

    table: (k, 4) uint64 Montgomery limbs; for powers, g^j (j < 2^h) then c g^(k 2^h)."""

    mode: int
    h: int
    table: np.ndarray


@dataclass(frozen=True)
class Transform:
    log_n: int
    negate: bool  # first pass reads x_{-i mod n}
    pre: Scale  # applied to x_i at logical input index i
    post: Scale  # applied to out[i]


def plan(log_n: int, block_log: int = BLOCK_LOG, min_lanes_log: int = MIN_LANES_LOG) -> list[Pass]:
    """The passes of a 2^log_n-point transform (one zero-stage pass for a single point).

    Tasks hold at most 2^block_log elements; the tests pass small values to get many passes."""
    min_lanes_log = min(min_lanes_log, block_log - 1)
    first = min(block_log, log_n)
    passes = [Pass(0, first, 1)]
    rest = log_n - first
    count = -(-rest // (block_log - min_lanes_log))
    s0 = first
    for g in range(count):
        b = rest // count + (g < rest % count)
        passes.append(Pass(s0, b, 1 << min(s0, block_log - b)))
        s0 += b
    return passes


def launches(spec: Transform, block_log: int = BLOCK_LOG) -> list[tuple[Pass, int]]:
    """(pass, flags) per ntt_pass launch: FIRST on the first, LAST on the last, NEGATE throughout
    when the transform reads x_{-i}."""
    passes = plan(spec.log_n, block_log)
    last = len(passes) - 1
    return [(p, (FIRST if k == 0 else 0) | (LAST if k == last else 0)
             | (NEGATE if spec.negate else 0)) for k, p in enumerate(passes)]


def _mont(values: list[int]) -> np.ndarray:
    return ints_to_limbs([v * (1 << 256) % R for v in values], FR_LIMBS)


def power_tables(start: int, ratio: int, log_count: int) -> tuple[np.ndarray, int]:
    """(table, h) encoding start * ratio^i for i < 2^log_count (see Scale)."""
    h = (log_count + 1) // 2
    lo = [1]
    for _ in range((1 << h) - 1):
        lo.append(lo[-1] * ratio % R)
    step = pow(ratio, 1 << h, R)
    hi = [start % R]
    for _ in range((1 << (log_count - h)) - 1):
        hi.append(hi[-1] * step % R)
    return _mont(lo + hi), h


_ONE = _mont([1])
NO_SCALE = Scale(SCALE_NONE, 0, _ONE)  # the table is a valid pointer even when unused


def _scale(start: int, ratio: int, log_count: int) -> Scale:
    if ratio % R == 1:
        return NO_SCALE if start % R == 1 else Scale(SCALE_CONST, 0, _mont([start]))
    table, h = power_tables(start, ratio, log_count)
    return Scale(SCALE_POWERS, h, table)


@lru_cache(maxsize=64)
def transform(kind: str, log_n: int, shift: int = 1) -> Transform:
    """What the passes of `kind` do at 2^log_n points (shift: the coset's, a non-zero int)."""
    if kind not in KINDS:
        raise ValueError(f"unknown NTT kind {kind!r}; one of {', '.join(KINDS)}")
    n_inv = pow(1 << log_n, -1, R)
    if kind == "ntt":
        return Transform(log_n, False, NO_SCALE, NO_SCALE)
    if kind == "intt":
        return Transform(log_n, True, _scale(n_inv, 1, log_n), NO_SCALE)
    if shift % R == 0:
        raise ValueError("coset shift must be non-zero in Fr")
    if kind == "coset_ntt":
        return Transform(log_n, False, _scale(1, shift, log_n), NO_SCALE)
    return Transform(log_n, True, NO_SCALE, _scale(n_inv, pow(shift, -1, R), log_n))


@lru_cache(maxsize=FR_TWO_ADICITY + 1)
def twiddle_tables(log_n: int) -> tuple[np.ndarray, int, int]:
    """(table, h, m): the tables of w^j, j < m = max(n/2, 1), w = fr_root_of_unity(log_n)."""
    log_m = max(log_n - 1, 0)
    table, h = power_tables(1, fr_root_of_unity(log_n), log_m)
    return table, h, 1 << log_m


def log_size(a) -> int:
    """log2 of the length of an (n, 4) uint64 Fr array; ValueError as kernels.cpu.ntt."""
    if a.dtype != np.uint64 or a.ndim != 2 or a.shape[1] != FR_LIMBS:
        raise ValueError("NTT input must be an (n, 4) uint64 array of Montgomery Fr elements")
    n = a.shape[0]
    if n == 0 or n & (n - 1):
        raise ValueError(f"NTT length must be a power of two, got {n}")
    log_n = n.bit_length() - 1
    if log_n > FR_TWO_ADICITY:
        raise ValueError(f"NTT length 2^{log_n} exceeds the 2-adicity 2^{FR_TWO_ADICITY} of Fr")
    return log_n


# ---- device side -------------------------------------------------------------------------------

_DEVICE_TWIDDLES: dict[tuple[int, int], object] = {}


def _device_table(table: np.ndarray):
    return module.cupy().asarray(table)


def twiddles_device(log_n: int):
    """The cached (m, 4) device table w^0..w^(m-1), m = max(n/2, 1)."""
    cp = module.cupy()
    key = (cp.cuda.Device().id, log_n)
    tw = _DEVICE_TWIDDLES.get(key)
    if tw is None:
        table, h, m = twiddle_tables(log_n)
        tw = cp.empty((m, FR_LIMBS), dtype=cp.uint64)
        module.function(SOURCE, "ntt_powers")(
            module.grid(m), (module.BLOCK,), (tw, _device_table(table), np.uint32(h), np.int64(m)))
        _settle()
        _DEVICE_TWIDDLES[key] = tw
    return tw


def _settle() -> None:
    """Finish a cached table on the stream that made it: later users may be on other streams."""
    module.cupy().cuda.get_current_stream().synchronize()


@lru_cache(maxsize=64)
def _device_transform(kind: str, log_n: int, shift: int, device: int):
    spec = transform(kind, log_n, shift)
    tables = spec, _device_table(spec.pre.table), _device_table(spec.post.table)
    _settle()
    return tables


def clear_caches() -> None:
    """Free the device twiddle and scale tables."""
    _DEVICE_TWIDDLES.clear()
    _device_transform.cache_clear()


def transform_device(a, kind: str = "ntt", shift: int = 1):
    """The `kind` transform of an (n, 4) uint64 Montgomery CuPy array, as a new CuPy array."""
    cp = module.cupy()
    log_n = log_size(a)
    spec, pre, post = _device_transform(kind, log_n, shift % R, cp.cuda.Device().id)
    src = cp.ascontiguousarray(a)
    if src.__cuda_array_interface__["data"][0] % 16:  # the kernel moves elements 16 bytes at a time
        src = src.copy()
    dst = cp.empty_like(src)
    tw = twiddles_device(log_n)
    kernel = module.function(SOURCE, "ntt_pass")
    for k, (p, flags) in enumerate(launches(spec)):
        size = (1 << p.b) * p.lanes
        kernel(((1 << log_n) // size,), (min(THREADS, max(1, size // 2)),),
               (src if k == 0 else dst, dst, tw, np.uint32(log_n), np.uint32(p.s0),
                np.uint32(p.b), np.uint32(p.lanes), np.uint32(flags),
                pre, np.uint32(spec.pre.h), np.uint32(spec.pre.mode),
                post, np.uint32(spec.post.h), np.uint32(spec.post.mode)),
               shared_mem=size * FR_LIMBS * 8)
    return dst


def _host(a: np.ndarray, kind: str, shift: int = 1) -> np.ndarray:
    cp = module.cupy()
    log_size(a)
    return transform_device(cp.asarray(np.ascontiguousarray(a)), kind, shift).get()


def ntt(coeffs: np.ndarray) -> np.ndarray:
    """Evaluations at w^0..w^(n-1) of the polynomial with these coefficients."""
    return _host(coeffs, "ntt")


def intt(evals: np.ndarray) -> np.ndarray:
    """Coefficients of the polynomial taking these values at w^0..w^(n-1)."""
    return _host(evals, "intt")


def coset_ntt(coeffs: np.ndarray, shift: int) -> np.ndarray:
    """Evaluations at shift * w^i (shift a non-zero Python int)."""
    return _host(coeffs, "coset_ntt", shift)


def coset_intt(evals: np.ndarray, shift: int) -> np.ndarray:
    """Coefficients of the polynomial taking these values at shift * w^i."""
    return _host(evals, "coset_intt", shift)
