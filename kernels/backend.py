"""Backend selection: one interface (MSM, NTT, Fr vectors, point helpers), two implementations.

`get_backend(name)` with name "cpu", "cuda" or "auto" (default: $ZKP_BACKEND, else "auto").
"auto" picks cuda when CuPy sees a device, else cpu. Asking for "cuda" where there is none raises
BackendUnavailable with the reason. Results are identical across backends (tests compare bits).
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


def cuda_available() -> tuple[bool, str]:
    """(usable, reason) for the CUDA backend."""
    try:
        import cupy  # noqa: F401
    except ImportError:
        return False, "CuPy is not installed"
    try:
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception as exc:  # CUDA driver missing or broken
        return False, f"no usable CUDA device ({exc})"
    if count == 0:
        return False, "no CUDA device"
    return False, "the cuda kernels are not built yet (CPU backend only in this release)"


@cache
def get_backend(name: str | None = None) -> Backend:
    choice = (name or os.environ.get("ZKP_BACKEND") or "auto").lower()
    if choice not in BACKENDS:
        raise BackendUnavailable(f"unknown backend {choice!r}; choose one of {', '.join(BACKENDS)}")
    if choice in ("cuda", "auto"):
        ok, reason = cuda_available()
        if ok:  # pragma: no cover - needs a GPU
            raise BackendUnavailable("cuda backend not implemented")
        if choice == "cuda":
            raise BackendUnavailable(f"backend 'cuda' requested but unavailable: {reason}")
    from kernels.cpu.backend import CpuBackend

    return CpuBackend()
