"""Build and load host test libraries over the CUDA headers (kernels/cuda/*.cuh) with g++.

The field, curve and per-thread kernel bodies are `__host__ __device__`; compiled by the host C++
compiler they run on the CPU, so CI checks them against Python references without a GPU. Each
test library is a list of .cpp sources (tests/cuda/) built into one shared object, cached under
$ZKP_CUDA_HOST_CACHE (default: <tmp>/zkp-cuda-host-<uid>) and named by a hash of the sources, every
header in kernels/cuda, the flags and the compiler version, so an edit anywhere rebuilds it.

Outside CI a missing g++ skips the tests that need it with a visible reason; under CI=true it is
an error. Typical use in a test module:

    lib = host_library(["host_arith.cpp"], "arith")
    call(lib.h_fp_mul, a, b, out, n)      # numpy arrays become pointers, ints size_t
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
CUDA_DIR = ROOT / "kernels" / "cuda"
SOURCE_DIR = ROOT / "tests" / "cuda"
CXX = os.environ.get("CXX", "g++")
FLAGS = ("-O2", "-std=c++17", "-shared", "-fPIC", "-Wall", "-Wextra", "-Werror")


class HostBuildError(RuntimeError):
    """The host compiler is missing or rejected the sources."""


def _cache_dir() -> Path:
    default = Path(tempfile.gettempdir()) / f"zkp-cuda-host-{os.getuid()}"
    path = Path(os.environ.get("ZKP_CUDA_HOST_CACHE", default))
    path.mkdir(parents=True, exist_ok=True)
    return path


def _resolve(sources: Sequence[str | Path]) -> list[Path]:
    out = []
    for src in sources:
        path = Path(src)
        path = path if path.is_absolute() else SOURCE_DIR / path
        if not path.is_file():
            raise HostBuildError(f"host test source not found: {path}")
        out.append(path)
    return out


def _compiler_version(cxx: str) -> bytes:
    return subprocess.run([cxx, "--version"], capture_output=True, check=True).stdout


def build(sources: Sequence[str | Path], name: str, defines: Sequence[str] = ()) -> Path:
    """Compile `sources` (relative paths are under tests/cuda/) into lib<name>-<hash>.so; return it.

    `defines` are preprocessor definitions ("NAME" or "NAME=VALUE") passed as -D flags.
    """
    cxx = shutil.which(CXX)
    if cxx is None:
        raise HostBuildError(f"C++ compiler {CXX!r} not found: the CUDA host tests need g++ (apt install g++)")
    paths = _resolve(sources)
    flags = [*FLAGS, *(f"-D{d}" for d in defines), f"-I{CUDA_DIR}"]
    digest = hashlib.sha256()
    digest.update(_compiler_version(cxx))
    digest.update("\0".join(flags).encode())
    for path in [*paths, *sorted(CUDA_DIR.glob("*.cuh"))]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    target = _cache_dir() / f"lib{name}-{digest.hexdigest()[:16]}.so"
    if target.exists():
        return target
    fd, tmp = tempfile.mkstemp(suffix=".so", dir=target.parent)
    os.close(fd)
    res = subprocess.run([cxx, *flags, *map(str, paths), "-o", tmp], capture_output=True, text=True)
    if res.returncode != 0:
        os.unlink(tmp)
        raise HostBuildError(f"{CXX} failed on {', '.join(p.name for p in paths)}:\n{res.stderr}")
    os.replace(tmp, target)  # atomic: concurrent builders of the same key both succeed
    return target


@cache
def load(sources: tuple[str, ...], name: str, defines: tuple[str, ...] = ()) -> ctypes.CDLL:
    """build() then ctypes-load, once per process per argument set."""
    return ctypes.CDLL(str(build(sources, name, defines)))


def host_library(sources: Sequence[str], name: str, defines: Sequence[str] = ()) -> ctypes.CDLL:
    """load() for tests: skip with the reason when g++ is missing (an error under CI=true)."""
    if shutil.which(CXX) is None and not os.environ.get("CI"):
        pytest.skip(f"{CXX} not found: the CUDA host tests need a C++17 compiler")
    return load(tuple(map(str, sources)), name, tuple(defines))


def _arg(x):
    if isinstance(x, np.ndarray):
        if not x.flags.c_contiguous:
            raise ValueError("host library arrays must be C-contiguous")
        return ctypes.c_void_p(x.ctypes.data)
    if isinstance(x, (int, np.integer)):
        return ctypes.c_size_t(int(x))
    raise TypeError(f"unsupported host library argument {type(x).__name__}")


def call(fn, *args) -> None:
    """Call a library function: numpy arrays pass as data pointers, ints as size_t."""
    fn.restype = None
    fn(*map(_arg, args))
