"""What run_all checks and times: the CUDA launchers, or (--cpu-only) the CPU backend in their place.

Both subjects offer the same calls on host numpy arrays (for the correctness checks) and
`runner_*` factories that return a zero-argument callable over inputs already placed where the
subject computes (device-resident for CUDA, so the timings are the kernels' and not PCIe's),
plus `time(fn, repeats)`: CUDA events after a warm-up call for the GPU, perf_counter for the CPU.
The CPU-only subject exists so the script's plumbing (checks, budget, table, JSON) runs and is
tested on a machine without a GPU.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from statistics import median

import numpy as np


def time_host(fn: Callable[[], object], repeats: int) -> list[float]:
    """Milliseconds per call, after one warm-up call."""
    fn()
    out = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1e3)
    return out


class _KernelCalls:
    """The calls both subjects make the same way: their NTT, Poseidon and BLAKE3 modules share
    one signature (the CUDA launchers mirror the CPU kernels)."""

    def ntt(self, kind: str, a: np.ndarray, shift: int = 1) -> np.ndarray:
        fn = getattr(self._ntt, kind)
        return fn(a, shift) if kind.startswith("coset") else fn(a)

    def permute(self, states: np.ndarray) -> np.ndarray:
        return self._poseidon.permute_batch(states)

    def sponge(self, inputs: np.ndarray, t: int) -> np.ndarray:
        return self._poseidon.sponge_batch(inputs, t)

    def rows(self, buf: np.ndarray, offsets: np.ndarray, prefix: int | None) -> np.ndarray:
        return self._blake3.hash_rows(buf, offsets, prefix)


class CpuSubject(_KernelCalls):
    """The CPU backend standing in for the GPU (--cpu-only)."""

    name = "cpu"

    def __init__(self) -> None:
        from kernels.cpu import blake3, blake3_merkle, msm, ntt, poseidon
        from kernels.cpu.backend import CpuBackend

        self.backend = CpuBackend()
        self._ntt, self._poseidon, self._blake3, self._merkle = ntt, poseidon, blake3, blake3_merkle
        self.msm, self.msm_error = msm, None
        self.device = "CPU backend (dry run: no GPU is used)"

    def compile(self) -> dict[str, float]:
        return {}

    def fr(self, op: str, *arrays: np.ndarray) -> np.ndarray:
        from kernels.cpu import fr_vec

        return getattr(fr_vec, op)(*arrays)

    def parents(self, level: np.ndarray) -> np.ndarray:
        return self._merkle.parents(level)

    def gpu_prover(self, pk):
        """The resident-key prover's sequence over the CPU backend (its HostOps), or None."""
        try:
            from engine.groth16.prover_gpu import GpuProverContext, HostOps
        except ImportError:
            return None
        return GpuProverContext.build(pk, HostOps(self.backend))

    def runner_ntt(self, a: np.ndarray):
        return lambda: self._ntt.ntt(a)

    def runner_msm(self, points: np.ndarray, scalars: np.ndarray):
        return lambda: self.msm.msm_g1(points, scalars)

    def runner_permute(self, states: np.ndarray):
        return lambda: self._poseidon.permute_batch(states)

    def runner_sponge(self, inputs: np.ndarray, t: int):
        return lambda: self._poseidon.sponge_batch(inputs, t)

    def runner_rows(self, buf: np.ndarray, offsets: np.ndarray):
        return lambda: self._blake3.hash_rows(buf, offsets, 0)

    def time(self, fn: Callable[[], object], repeats: int) -> list[float]:
        return time_host(fn, repeats)

    def memory(self) -> dict[str, int]:
        return {}

    def release(self) -> None:
        return None


class GpuSubject(_KernelCalls):
    """The CUDA launchers of kernels/cuda on the current device."""

    name = "cuda"

    def __init__(self) -> None:
        from kernels.cuda import blake3, field_ops, module, ntt, poseidon

        self.cp = module.cupy()
        self._module, self._field_ops, self._ntt = module, field_ops, ntt
        self._poseidon, self._blake3 = poseidon, blake3
        self.device = f"{module.device_name()} ({module.device_arch()})"
        try:  # the MSM has its own author; the rest of the run goes on without it
            from kernels.cuda import msm

            self.msm, self.msm_error = msm, None
        except Exception as exc:
            self.msm, self.msm_error = None, f"{type(exc).__name__}: {exc}"

    @property
    def backend(self):
        from kernels.cuda.backend import CudaBackend

        return CudaBackend()

    def compile(self) -> dict[str, float]:
        """Seconds to compile (or load from CuPy's cache) each core module, by file."""
        from kernels.cuda.backend import CORE_SOURCES

        out = {}
        for source, expressions in CORE_SOURCES:
            if source.startswith("msm") and self.msm is None:
                continue
            t0 = time.perf_counter()
            self._module.load(source, expressions)
            out[source] = round(time.perf_counter() - t0, 2)
        return out

    def fr(self, op: str, *arrays: np.ndarray) -> np.ndarray:
        return getattr(self._field_ops, f"fr_{op}")(*arrays)

    def parents(self, level: np.ndarray) -> np.ndarray:
        return self._blake3.parents(level)

    def gpu_prover(self, pk):
        """The resident-key GPU prover for pk, or None where engine.groth16.prover_gpu is absent."""
        try:
            from engine.groth16.prover_gpu import GpuProverContext
        except ImportError:
            return None
        return GpuProverContext.build(pk)

    def runner_ntt(self, a: np.ndarray):
        d = self.cp.asarray(a)
        return lambda: self._ntt.transform_device(d, "ntt")

    def runner_msm(self, points: np.ndarray, scalars: np.ndarray):
        bases = self.msm.ResidentBases(points)
        d = self.cp.asarray(scalars)
        return lambda: bases.msm(d)

    def runner_permute(self, states: np.ndarray):
        d = self.cp.asarray(states)
        return lambda: self._poseidon.permute_device(d)

    def runner_sponge(self, inputs: np.ndarray, t: int):
        d = self.cp.asarray(inputs)
        return lambda: self._poseidon.sponge_device(d, t)

    def runner_rows(self, buf: np.ndarray, offsets: np.ndarray):
        d_buf, d_off = self.cp.asarray(buf), self.cp.asarray(offsets)
        return lambda: self._blake3.hash_rows_device(d_buf, d_off, 0)

    def time(self, fn: Callable[[], object], repeats: int) -> list[float]:
        """Milliseconds per call by CUDA events on the current stream, after a warm-up call; the
        end event is recorded when fn returns, so host work inside fn (an MSM's final combine)
        is counted too."""
        cp = self.cp
        fn()
        cp.cuda.get_current_stream().synchronize()
        out = []
        for _ in range(repeats):
            start, end = cp.cuda.Event(), cp.cuda.Event()
            start.record()
            fn()
            end.record()
            end.synchronize()
            out.append(float(cp.cuda.get_elapsed_time(start, end)))
        return out

    def memory(self) -> dict[str, int]:
        pool = self.cp.get_default_memory_pool()
        free, total = self.cp.cuda.runtime.memGetInfo()
        return {"pool_used_bytes": int(pool.used_bytes()), "pool_held_bytes": int(pool.total_bytes()),
                "device_free_bytes": int(free), "device_total_bytes": int(total)}

    def release(self) -> None:
        """Give cached device memory back between timing cases."""
        self._ntt.clear_caches()
        self.cp.get_default_memory_pool().free_all_blocks()


def summary(times_ms: list[float]) -> dict[str, float]:
    return {"median_ms": round(median(times_ms), 4), "min_ms": round(min(times_ms), 4),
            "repeats": len(times_ms)}
