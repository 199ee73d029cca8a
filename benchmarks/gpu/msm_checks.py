"""The MSM section of run_all beyond the generic checks.py/timings.py entries: the cases that
exercise what is particular to the GPU MSM (kernels/cuda/msm.py, docs/cuda-msm.md).

Checks (records as in checks.py; answers by Python ints through points of known discrete log):
- a witness-like scalar vector (mostly 0 and 1, a few repeated values): crowded buckets, several
  bucket levels, warp-aggregated atomics in the counting sort;
- resident bases fed device scalars, two vectors queued on two streams before either is read;
- the widest and narrowest windows at a small size (2^21 buckets per window; 128 windows);
- a batched G2 MSM.
Timings (timings.Case, same budget rules): G2 2^16..2^20, eight vectors of 2^16 against resident
bases, the witness-like vector at 2^20, and the resident-key Groth16 prover at 2^18 and 2^20.

run_all wires these in with `CHECKS`, `CHECK_ARGS[profile]` and `cases(profile)`. Under --cpu-only
the subject's msm is kernels.cpu.msm, which has no resident bases: those checks are skipped there.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import numpy as np

from benchmarks.gpu import inputs
from benchmarks.gpu.checks import _compare, _record
from benchmarks.gpu.timings import Case
from kernels.constants import FR_LIMBS, R
from kernels.limbs import ints_to_limbs

CHECK_ARGS = {"full": {"msm_gpu": {"m": 1 << 16, "windows": (2, 22)}},
              "dry": {"msm_gpu": {"m": 256, "windows": (2, 10)}}}


def witness_like(rng: np.random.Generator, m: int) -> np.ndarray:
    """(m, 4) scalars shaped like a range-checked witness: ~45% zeros, ~45% ones, the rest a few
    repeated values and random field elements (never all zeros)."""
    pick = rng.random(m)
    values = np.where(pick < 0.45, 0, 1).astype(object)
    few = [2, 255, R - 1, int(rng.integers(1, 2**62))]
    for i in np.flatnonzero(pick >= 0.9):
        values[i] = few[i % 4] if i % 2 else int(rng.integers(1, 2**62)) * int(rng.integers(1, 2**62))
    values[0] = 1
    return ints_to_limbs([int(v) for v in values], FR_LIMBS)


def _resident(subject) -> bool:
    return hasattr(subject.msm, "ResidentBases")


def check_msm_gpu(subject, cpu, rng, m: int, windows: tuple[int, ...]) -> Iterator[dict]:
    if subject.msm is None:
        yield _record("msm (GPU paths)", None, f"kernels.cuda.msm unavailable: {subject.msm_error}",
                      time.perf_counter())
        return
    t0 = time.perf_counter()
    mp = inputs.msm_points(rng, "g1", m, 4096)
    s = witness_like(rng, m)
    yield _compare(f"msm g1 {m} witness-like scalars", subject.msm.msm_g1(mp.points, s)[None],
                   mp.answer(s)[None], t0, "Python ints")

    t0 = time.perf_counter()
    small = inputs.msm_points(rng, "g1", 1000, 1000)
    s = inputs.fr_array(rng, 1000)
    want = small.answer(s)[None]
    for c in windows:
        yield _compare(f"msm g1 1000, {c}-bit windows", subject.msm.msm_g1(small.points, s, window=c)[None],
                       want, t0, "Python ints")

    t0 = time.perf_counter()
    g2 = inputs.msm_points(rng, "g2", 512, 256)
    batch = np.stack([inputs.fr_array(rng, 512) for _ in range(3)])
    yield _compare("msm g2 batch 3x512", subject.msm.msm_g2_batch(g2.points, batch),
                   np.stack([g2.answer(v) for v in batch]), t0, "Python ints")

    t0 = time.perf_counter()
    if not _resident(subject):
        yield _record("msm resident bases, device scalars, two streams", None,
                      "the subject has no resident bases (CPU dry run)", t0)
        return
    cp = subject.cp
    bases = subject.msm.ResidentBases(mp.points)
    vectors = [inputs.fr_array(rng, m), witness_like(rng, m)]
    streams = [cp.cuda.Stream(non_blocking=True) for _ in vectors]
    pending = []
    for stream, v in zip(streams, vectors, strict=True):
        with stream:
            pending.append(bases.msm_async(cp.asarray(v)))
    got = np.stack([p.result() for p in pending])
    yield _compare("msm resident bases, device scalars, two streams", got,
                   np.stack([mp.answer(v) for v in vectors]), t0, "Python ints")


CHECKS = {"msm_gpu": check_msm_gpu}


# ---- timings ------------------------------------------------------------------------------------


def _runner(subject, points: np.ndarray, scalars: np.ndarray):
    """A zero-argument MSM call over inputs where the subject computes (device-resident on a GPU)."""
    if _resident(subject):
        bases = subject.msm.ResidentBases(points)
        d = subject.cp.asarray(scalars)
        return lambda: bases.msm(d)
    group = "g2" if points.ndim == 4 else "g1"
    fn = getattr(subject.msm, f"msm_{group}_batch" if scalars.ndim == 3 else f"msm_{group}")
    return lambda: fn(points, scalars)


def _cpu_runner(cpu, points: np.ndarray, scalars: np.ndarray):
    group = "g2" if points.ndim == 4 else "g1"
    fn = getattr(cpu.msm, f"msm_{group}_batch" if scalars.ndim == 3 else f"msm_{group}")
    return lambda: fn(points, scalars)


def _g2_inputs(rng, m):
    return inputs.msm_points(rng, "g2", m, 1024).points, inputs.fr_array(rng, m)


def _batch_inputs(rng, m, k=8):
    return inputs.msm_points(rng, "g1", m, 4096).points, np.stack([inputs.fr_array(rng, m) for _ in range(k)])


def _witness_inputs(rng, m):
    return inputs.msm_points(rng, "g1", m, 4096).points, witness_like(rng, m)


def _prove_inputs(rng, n):
    """(pk, witness) of a range_sum circuit filling a domain of n points (CPU dev setup)."""
    from engine.demo_circuits import range_sum, range_sum_values_for_power
    from engine.groth16.setup import dev_setup
    from kernels.cpu.backend import CpuBackend

    count = range_sum_values_for_power(n.bit_length() - 1, bits=8)
    circuit = range_sum(count, bits=8)
    pk = dev_setup(circuit.r1cs, CpuBackend())
    return pk, circuit.witness({"values": [int(v) for v in rng.integers(0, 256, size=count)]})


def _gpu_prove(subject, args):
    pk, w = args
    prover = subject.gpu_prover(pk)
    if prover is None:  # CPU dry run: the CPU prover stands in
        from engine.groth16.prover import ProverContext

        prover = ProverContext.build(pk, subject.backend)
    return lambda: prover.prove(w, r=3, s=5)


def _cpu_prove(cpu, args):
    from engine.groth16.prover import ProverContext
    from kernels.cpu.backend import CpuBackend

    ctx = ProverContext.build(args[0], CpuBackend())
    return lambda: ctx.prove(args[1], r=3, s=5)


def cases(profile: str) -> list[Case]:
    full = profile == "full"
    pow2 = (lambda *logs: [1 << k for k in logs])
    return [
        Case("msm_g2", pow2(16, 18, 20) if full else pow2(6), 1 << 16 if full else 1 << 6,
             _g2_inputs, lambda s, a: _runner(s, *a), lambda c, a: _cpu_runner(c, *a)),
        Case("msm_g1_batch_8", pow2(16) if full else pow2(8), 1 << 16 if full else 1 << 8,
             _batch_inputs, lambda s, a: _runner(s, *a), lambda c, a: _cpu_runner(c, *a)),
        Case("msm_g1_witness_like", pow2(16, 20) if full else pow2(8), 1 << 16 if full else 1 << 8,
             _witness_inputs, lambda s, a: _runner(s, *a), lambda c, a: _cpu_runner(c, *a)),
        Case("groth16_prove_resident_key", pow2(18, 20) if full else pow2(8), 1 << 18 if full else 1 << 8,
             _prove_inputs, _gpu_prove, _cpu_prove),
    ]
