"""A CPU stand-in for CuPy and the compiled kernels, so the launchers of kernels/cuda run in CI.

`use_host_device(monkeypatch, kernels)` swaps kernels.cuda.module's CuPy for NumPy (arrays gain
CuPy's `.get()`) and its kernel lookup for `kernels[name]`: functions of the host test libraries
(tests/cuda/*_host.cpp) whose argument lists equal the CUDA kernels', each running the whole grid
of one launch. What this checks is everything a launcher decides: argument order and types, the
sequence of launches, buffer shapes and the host/device copies. Launch geometry and shared-memory
sizes are not exercised; the `gpu` tests and benchmarks/gpu/run_all.py cover those.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from types import SimpleNamespace

import numpy as np

from support.cuda_host import call


class DeviceArray(np.ndarray):
    """A NumPy array standing in for a CuPy one."""

    def get(self, stream=None) -> np.ndarray:
        return np.array(self)

    def copy(self, order="C") -> "DeviceArray":
        return np.array(self, order=order).view(DeviceArray)

    @property
    def __cuda_array_interface__(self) -> dict:
        return {"data": (self.ctypes.data, False), "shape": self.shape, "typestr": self.dtype.str,
                "version": 3}


def _dev(a: np.ndarray) -> DeviceArray:
    return a.view(DeviceArray)


class _Event:
    """CUDA event stand-in: the host time at record()."""

    def record(self, stream=None) -> None:
        self.t = time.perf_counter()

    def synchronize(self) -> None:
        return None


def fake_cupy() -> SimpleNamespace:
    idle = SimpleNamespace(synchronize=lambda: None)
    pool = SimpleNamespace(used_bytes=lambda: 0, total_bytes=lambda: 0, free_all_blocks=lambda: None)
    runtime = SimpleNamespace(getDeviceProperties=lambda i: {"name": b"host stand-in"},
                              memGetInfo=lambda: (0, 0))
    return SimpleNamespace(
        ndarray=DeviceArray,
        uint8=np.uint8, uint32=np.uint32, uint64=np.uint64, int64=np.int64,
        asarray=lambda a, dtype=None: _dev(np.array(a, dtype=dtype, copy=True)),
        ascontiguousarray=lambda a, dtype=None: _dev(np.ascontiguousarray(a, dtype=dtype)),
        empty=lambda shape, dtype=np.float64: _dev(np.empty(shape, dtype=dtype)),
        empty_like=lambda a: _dev(np.empty_like(np.asarray(a))),
        zeros=lambda shape, dtype=np.float64: _dev(np.zeros(shape, dtype=dtype)),
        get_default_memory_pool=lambda: pool,
        cuda=SimpleNamespace(Device=lambda: SimpleNamespace(id=0, compute_capability="00"),
                             get_current_stream=lambda: idle, runtime=runtime, Event=_Event,
                             get_elapsed_time=lambda a, b: (b.t - a.t) * 1e3),
    )


def launcher(fn, *bound) -> Callable:
    """A kernel stand-in: kernel(grid, block, args, shared_mem=0) -> fn(*bound, *args)."""

    def launch(grid, block, args, shared_mem=0):
        call(fn, *bound, *args)

    return launch


def use_host_device(monkeypatch, kernels: Mapping[str, Callable]) -> None:
    from kernels.cuda import module

    cp = fake_cupy()
    monkeypatch.setattr(module, "cupy", lambda: cp)

    def function(source, kernel, name_expressions=()):
        if kernel not in kernels:
            raise KeyError(f"no host stand-in for kernel {kernel!r} of {source}")
        return kernels[kernel]

    monkeypatch.setattr(module, "function", function)
