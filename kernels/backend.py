"""Backend selection: one interface (MSM, NTT, Fr vectors, point helpers), two implementations.

`get_backend(name)` with name "cpu", "cuda" or "auto" (default: $ZKP_BACKEND, else "auto").
"auto" picks cuda when CuPy sees a device and the kernels compile there, else cpu. Asking for
"cuda" where that fails raises BackendUnavailable with the reason. Results are identical across
backends (tests compare bits).
"""

from __future__ import annotations

import os
from functools import cache
from typing import Protocol

import numpy as np

BACKENDS = ("auto", "cpu", "cuda")


class BackendUnavailable(RuntimeError):
    """The requested backend cannot run on this machine."""


class Backend(Protocol):
    name: str

    def fr_to_mont(self, a: np.ndarray) -> np.ndarray: ...
    def fr_from_mont(self, a: np.ndarray) -> np.ndarray: ...
    def fr_mul(self, a: np.ndarray, b: np.ndarray) -> np.ndarray: ...
    def fr_sub(self, a: np.ndarray, b: np.ndarray) -> np.ndarray: ...
    def ntt(self, a: np.ndarray) -> np.ndarray: ...
    def intt(self, a: np.ndarray) -> np.ndarray: ...
    def coset_ntt(self, a: np.ndarray, shift: int) -> np.ndarray: ...
    def csr_row_ptr(self, rows: np.ndarray, n_rows: int) -> np.ndarray: ...
    def sparse_matvec(self, row_ptr, cols, vals, w, n_rows: int) -> np.ndarray: ...
    def msm_g1(self, points: np.ndarray, scalars: np.ndarray) -> np.ndarray: ...
    def msm_g2(self, points: np.ndarray, scalars: np.ndarray) -> np.ndarray: ...
    def msm_g1_batch(self, points: np.ndarray, scalars: np.ndarray) -> np.ndarray: ...
    def fixed_base_g1(self, base: np.ndarray, scalars: np.ndarray) -> np.ndarray: ...
    def fixed_base_g2(self, base: np.ndarray, scalars: np.ndarray) -> np.ndarray: ...
    def g1_generator(self) -> np.ndarray: ...
    def g2_generator(self) -> np.ndarray: ...
    def g1_add_many(self, points: list[np.ndarray]) -> np.ndarray: ...
    def g2_add_many(self, points: list[np.ndarray]) -> np.ndarray: ...
    def g1_mul(self, p: np.ndarray, k: int) -> np.ndarray: ...
    def g2_mul(self, p: np.ndarray, k: int) -> np.ndarray: ...


@cache
def cuda_available() -> tuple[bool, str]:
    """(usable, reason) for the CUDA backend: CuPy imports, sees a device, and the core kernels
    compile there (NVRTC; cached on disk by CuPy after the first time). Cached per process."""
    try:
        import cupy
    except ImportError:
        return False, "CuPy is not installed"
    try:
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception as exc:  # CUDA driver missing or broken
        return False, f"no usable CUDA device ({exc})"
    if count == 0:
        return False, "no CUDA device"
    try:
        from kernels.cuda.backend import compile_kernels

        compile_kernels()
    except Exception as exc:  # an NVRTC error names the file and line; keep its first lines
        detail = "\n".join(str(exc).strip().splitlines()[:20])
        return False, f"the CUDA kernels do not compile on this device: {detail}"
    return True, f"{count} CUDA device(s)"


@cache
def get_backend(name: str | None = None) -> Backend:
    choice = (name or os.environ.get("ZKP_BACKEND") or "auto").lower()
    if choice not in BACKENDS:
        raise BackendUnavailable(f"unknown backend {choice!r}; choose one of {', '.join(BACKENDS)}")
    if choice in ("cuda", "auto"):
        ok, reason = cuda_available()
        if ok:
            from kernels.cuda.backend import CudaBackend

            return CudaBackend()
        if choice == "cuda":
            raise BackendUnavailable(f"backend 'cuda' requested but unavailable: {reason}")
    from kernels.cpu.backend import CpuBackend

    return CpuBackend()
