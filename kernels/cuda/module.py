"""The one place CUDA sources become loaded modules: cupy.RawModule (NVRTC), once per process.

Every launcher in kernels/cuda asks `load("ntt.cu")` (plus template name expressions where the
kernels are templates) and gets the same compiled module back on later calls. CuPy is imported
here lazily, so `import kernels` and the CPU backend never need it.

Options: C++17, the include path of this folder (the .cu files include the shared .cuh headers),
and --device-int128. The target architecture is the current device's: CuPy appends
`-arch=sm_XX` for it itself (a second -arch option would clash), `device_arch()` reports it.

Stale binaries: CuPy's on-disk cache keys a binary by the source text and options, not by the
headers an #include pulls in. The loader prepends a digest of every source file in this folder
to the text it compiles, so an edited header can never be served an old cubin.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from functools import cache
from pathlib import Path

from kernels.backend import BackendUnavailable

SOURCE_DIR = Path(__file__).resolve().parent
OPTIONS = ("-std=c++17", f"-I{SOURCE_DIR}", "--device-int128")
BLOCK = 256  # threads per block for the one-thread-per-item kernels


def cupy():
    """The cupy package, or BackendUnavailable when it is not installed."""
    try:
        import cupy as cp
    except ImportError as exc:
        raise BackendUnavailable(f"the cuda backend needs CuPy ({exc})") from exc
    return cp


@cache
def source_digest() -> str:
    """sha256 over the names and bytes of every .cu/.cuh file in kernels/cuda."""
    h = hashlib.sha256()
    for path in sorted(SOURCE_DIR.glob("*.cu*")):
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def source_text(name: str) -> str:
    """The text handed to NVRTC for kernels/cuda/<name>: the file, led by the source digest."""
    path = SOURCE_DIR / name
    if path.suffix != ".cu" or not path.is_file():
        raise FileNotFoundError(f"no CUDA source {name!r} in {SOURCE_DIR}")
    return f"// zkp-ledger kernels/cuda sources {source_digest()}\n" + path.read_text()


@cache
def _load(name: str, name_expressions: tuple[str, ...], device: int):
    cp = cupy()
    mod = cp.RawModule(code=source_text(name), options=OPTIONS, backend="nvrtc",
                       name_expressions=name_expressions or None)
    mod.compile()  # compile errors surface here, with the NVRTC log, not at a first launch
    return mod


@cache
def _function(name: str, kernel: str, name_expressions: tuple[str, ...], device: int):
    return _load(name, name_expressions, device).get_function(kernel)


def load(name: str, name_expressions: Sequence[str] = ()):
    """The compiled module of kernels/cuda/<name> for the current device (compiled on the first
    call, by CuPy's disk cache when the sources are unchanged; the same object afterwards).

    name_expressions: template instantiations to compile, e.g. ("poseidon_permute<3>",); get
    them with `module.get_function(expression)`."""
    cp = cupy()
    return _load(name, tuple(name_expressions), cp.cuda.Device().id)


def function(name: str, kernel: str, name_expressions: Sequence[str] = ()):
    """One kernel of a loaded module (a cupy.RawKernel, cached)."""
    return _function(name, kernel, tuple(name_expressions), cupy().cuda.Device().id)


def grid(n: int, block: int = BLOCK) -> tuple[int]:
    """Blocks needed for n items at `block` threads per block (at least one block)."""
    return (max(1, -(-n // block)),)


def device_arch() -> str:
    """The architecture CuPy compiles for on the current device, e.g. "sm_90"."""
    cp = cupy()
    return f"sm_{cp.cuda.Device().compute_capability}"


def device_name() -> str:
    cp = cupy()
    props = cp.cuda.runtime.getDeviceProperties(cp.cuda.Device().id)
    name = props["name"]
    return name.decode() if isinstance(name, bytes) else str(name)
