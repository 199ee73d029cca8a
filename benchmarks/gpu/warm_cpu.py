"""Compile the CPU backend's Numba kernels in parallel worker processes while run_all compiles
the CUDA modules.

Why: a GPU machine starts bare, so every Numba kernel the CPU references use is JIT-compiled on
first call: about three minutes of one core for MSM G1/G2, Poseidon, BLAKE3, NTT and the prover,
too much of an 8-minute budget. Each family below runs its kernels once on tiny inputs in its own
process; the kernels are `cache=True`, so the compiled code lands in Numba's cache directory and
the main process loads it instead of compiling. A family that fails (say, a Numba that does not
import) only costs its own time: the main process then compiles or reports as usual.
"""

from __future__ import annotations

import time
from multiprocessing import get_context
from multiprocessing.pool import AsyncResult, Pool

import numpy as np


def _fr(n: int) -> np.ndarray:
    a = np.arange(1, 4 * n + 1, dtype=np.uint64).reshape(n, 4)
    return a


def _fr_ntt() -> None:
    from kernels.cpu import fr_vec, ntt

    a = _fr(16)
    for fn in (fr_vec.to_mont, fr_vec.from_mont):
        fn(a)
    for fn in (fr_vec.mul, fr_vec.add, fr_vec.sub):
        fn(a, a)
    ntt.coset_intt(ntt.coset_ntt(ntt.intt(ntt.ntt(a)), 7), 7)


def _poseidon() -> None:
    from kernels.cpu import poseidon

    for t in (3, 5, 17):
        poseidon.permute_batch(_fr(2 * t).reshape(2, t, 4))
    poseidon.sponge_batch(_fr(6).reshape(2, 3, 4), 17)


def _blake3() -> None:
    from kernels.cpu import blake3, blake3_merkle

    buf = np.arange(3000, dtype=np.uint8)
    offsets = np.array([0, 10, 2500, 3000], dtype=np.int64)
    for prefix in (None, 0):
        level = blake3.hash_rows(buf, offsets, prefix)
    blake3_merkle.parents(level)


def _msm(group: str) -> None:
    from kernels.cpu import msm, points
    from kernels.cpu.backend import CpuBackend

    cpu = CpuBackend()
    base = cpu.g1_generator() if group == "g1" else cpu.g2_generator()
    pts = (cpu.fixed_base_g1 if group == "g1" else cpu.fixed_base_g2)(base, _fr(8))
    getattr(msm, f"msm_{group}")(pts, _fr(8))
    if group == "g1":
        msm.msm_g1_batch(pts, _fr(16).reshape(2, 8, 4))
    getattr(points, f"{group}_mul")(base, 5)


def _prover() -> None:
    from engine.demo_circuits import range_sum
    from engine.groth16.prover import ProverContext
    from engine.groth16.setup import dev_setup
    from kernels.cpu.backend import CpuBackend

    circuit = range_sum(2, bits=4)
    pk = dev_setup(circuit.r1cs, CpuBackend())
    ProverContext.build(pk, CpuBackend()).prove(circuit.witness({"values": [1, 2]}), r=1, s=2)


FAMILIES = {"fr_ntt": _fr_ntt, "poseidon": _poseidon, "blake3": _blake3,
            "msm_g1": lambda: _msm("g1"), "msm_g2": lambda: _msm("g2"), "prover": _prover}


def warm(family: str) -> str:
    """Run one family's kernels once; 'ok in N s' or the error, as text."""
    t0 = time.perf_counter()
    try:
        FAMILIES[family]()
    except Exception as exc:
        return f"failed: {type(exc).__name__}: {exc}"
    return f"ok in {time.perf_counter() - t0:.1f} s"


def start() -> tuple[Pool, dict[str, AsyncResult]]:
    """One spawned process per family (spawn: no CUDA context or Numba state is inherited)."""
    pool = get_context("spawn").Pool(len(FAMILIES))
    return pool, {name: pool.apply_async(warm, (name,)) for name in FAMILIES}


def finish(pool: Pool, pending: dict[str, AsyncResult], timeout_s: float) -> dict[str, str]:
    """Wait up to timeout_s for the families, report each, and stop the workers (what finished
    is in the cache already; what did not, the main process compiles when it needs it)."""
    deadline = time.perf_counter() + max(timeout_s, 0.0)
    out = {}
    for name, result in pending.items():
        try:
            out[name] = result.get(timeout=max(deadline - time.perf_counter(), 0.0))
        except Exception as exc:  # a timeout, or a worker that died
            out[name] = f"not finished: {type(exc).__name__}"
    pool.terminate()
    pool.join()
    return out
