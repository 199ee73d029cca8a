"""Groth16 proving with the proving key resident on the GPU; the same proofs as prover.py.

A job proves many shards with one key, so `GpuProverContext.build` uploads the key once: the five
point queries (A, B1, B2, C, H) as kernels.cuda.msm.ResidentBases and the QAP rows in CSR form.
Per proof only the witness goes up (32 bytes per wire) and five affine points come back:
- stream 0: the A, B1, B2 and C MSMs, whose scalars are the witness itself;
- stream 1: witness to Montgomery form, A and B evaluations (CSR products), C = A B, inverse NTT
  and coset NTT of each, P = A B - C on the coset (prover.ProverContext.quotient_evaluations,
  run on device arrays), then the H MSM over P without P leaving the device;
- the host finishes each MSM (Horner over its window sums, kernels/cuda/msm_combine.py) while
  the device still works through the ones queued after it, then blinds the proof exactly as
  prover.assemble does for the CPU prover, so for fixed r, s both provers return the same bytes.

`DeviceOps` is the seam between this sequence and the hardware: `CudaOps` keeps arrays on the GPU,
`HostOps` runs the same sequence on any kernels Backend with host arrays (the CPU backend in CI),
which is how the sequence is tested on a machine without a GPU.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ContextManager, Protocol

import numpy as np

from engine.groth16.keys import Proof, ProvingKey
from engine.groth16.prover import ProverContext, assemble, check_witness
from kernels.backend import Backend
from kernels.cpu.backend import CpuBackend

QUERIES = ("a", "b1", "b2", "c", "h")


class Pending(Protocol):
    def result(self) -> np.ndarray: ...


class Bases(Protocol):
    nbytes: int

    def msm_async(self, scalars: Any) -> Pending: ...


class DeviceOps(Protocol):
    """Where a proof's arrays live. Besides the methods below, the Backend methods that
    ProverContext.quotient_evaluations calls (fr_to_mont, fr_from_mont, fr_mul, fr_sub, intt,
    coset_ntt, sparse_matvec), taking and returning this ops' arrays."""

    def upload(self, a: np.ndarray) -> Any: ...
    def resident(self, points: np.ndarray) -> Bases: ...
    def stream(self, index: int) -> ContextManager: ...
    def memory(self) -> dict[str, int]: ...


class CudaOps:
    """DeviceOps on the current CUDA device (CuPy arrays), two streams."""

    def __init__(self) -> None:
        from kernels.cuda import field_ops, module, msm, ntt

        self._cp, self._msm, self._ntt = module.cupy(), msm, ntt
        self._streams = [self._cp.cuda.Stream(non_blocking=True) for _ in range(2)]
        self.fr_to_mont = field_ops.fr_to_mont_device
        self.fr_from_mont = field_ops.fr_from_mont_device
        self.fr_mul = field_ops.fr_mul_device
        self.fr_sub = field_ops.fr_sub_device
        self.sparse_matvec = field_ops.sparse_matvec_device

    def intt(self, a):
        return self._ntt.transform_device(a, "intt")

    def coset_ntt(self, a, shift: int):
        return self._ntt.transform_device(a, "coset_ntt", shift)

    def upload(self, a: np.ndarray):
        """A device copy, complete before any stream reads it (the streams do not wait for the
        stream the copy ran on)."""
        out = self._cp.asarray(np.ascontiguousarray(a))
        self._cp.cuda.get_current_stream().synchronize()
        return out

    def resident(self, points: np.ndarray):
        bases = self._msm.ResidentBases(points)
        self._cp.cuda.get_current_stream().synchronize()
        return bases

    def stream(self, index: int):
        return self._streams[index]

    def memory(self) -> dict[str, int]:
        return self._msm.pool_stats()


@dataclass
class _Ready:
    value: np.ndarray

    def result(self) -> np.ndarray:
        return self.value


class _HostBases:
    def __init__(self, points: np.ndarray, msm: Callable[[np.ndarray, np.ndarray], np.ndarray]):
        self.points, self._msm = points, msm
        self.nbytes = int(points.nbytes)

    def msm_async(self, scalars: np.ndarray) -> _Ready:
        return _Ready(self._msm(self.points, np.ascontiguousarray(scalars)))


class HostOps:
    """DeviceOps over a kernels Backend with host arrays (no streams, MSMs run when queued)."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        for name in ("fr_to_mont", "fr_from_mont", "fr_mul", "fr_sub", "intt", "coset_ntt",
                     "sparse_matvec"):
            setattr(self, name, getattr(backend, name))

    def upload(self, a: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(a)

    def resident(self, points: np.ndarray) -> _HostBases:
        return _HostBases(points, self.backend.msm_g2 if points.ndim == 4 else self.backend.msm_g1)

    def stream(self, index: int) -> ContextManager:
        return contextlib.nullcontext()

    def memory(self) -> dict[str, int]:
        return {}


@dataclass
class GpuProverContext:
    pk: ProvingKey
    ops: DeviceOps
    qap: ProverContext  # the CSR rows on the device; its `backend` is `ops`
    bases: dict[str, Bases]  # QUERIES -> the resident points
    backend: Backend  # host point arithmetic for the blinding step

    @classmethod
    def build(cls, pk: ProvingKey, ops: DeviceOps | None = None,
              backend: Backend | None = None) -> "GpuProverContext":
        """Upload the key once; ops defaults to CudaOps (BackendUnavailable without CuPy)."""
        ops = ops or CudaOps()
        backend = backend or CpuBackend()
        host = ProverContext.build(pk, backend)  # CSR layout and coset shift, computed once per key
        rows = [tuple(ops.upload(x) for x in layout) for layout in (host.a_rows, host.b_rows)]
        qap = ProverContext(pk=pk, backend=ops, a_rows=rows[0], b_rows=rows[1],  # type: ignore[arg-type]
                            coset_shift=host.coset_shift)
        bases = {name: ops.resident(getattr(pk, name)) for name in QUERIES}
        return cls(pk=pk, ops=ops, qap=qap, bases=bases, backend=backend)

    def prove(self, witness: np.ndarray, r: int | None = None, s: int | None = None) -> Proof:
        """One proof; r, s as in ProverContext.prove (drawn when None)."""
        pk, ops, bases = self.pk, self.ops, self.bases
        check_witness(pk, witness)
        w = ops.upload(witness)
        with ops.stream(0):
            pending = [bases["a"].msm_async(w), bases["b1"].msm_async(w), bases["b2"].msm_async(w),
                       bases["c"].msm_async(w[pk.n_public + 1 :])]
        with ops.stream(1):
            h_scalars = self.qap.quotient_evaluations(ops.fr_to_mont(w))
            pending.append(bases["h"].msm_async(h_scalars))
        return assemble(pk, self.backend, tuple(p.result() for p in pending), r, s)

    def memory(self) -> dict[str, int]:
        """Bytes of the resident key (points and CSR rows) and the device pool's state."""
        rows = sum(int(x.nbytes) for layout in (self.qap.a_rows, self.qap.b_rows) for x in layout)
        points = sum(b.nbytes for b in self.bases.values())
        return {"resident_points_bytes": points, "resident_rows_bytes": rows, **self.ops.memory()}
