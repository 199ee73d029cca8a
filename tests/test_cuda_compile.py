"""Every kernels/cuda/*.cu compiles with nvcc for sm_80 and sm_90 (warnings are errors), and with NVRTC.

CI has no GPU but has nvcc: this catches syntax, type and host/device errors in the device pass
that the g++ host tests cannot see (PTX asm, __global__ code). The .cu files are found at
collection time, so a new kernel is covered without editing this file. Without nvcc the tests
skip visibly; under CI=true that is an error instead.

NVRTC (what cupy.RawModule uses at run time) has no system headers, so a stray #include that
nvcc accepts fails there. Its test runs where libnvrtc can be loaded: $ZKP_NVRTC_LIB, the pip
package nvidia-cuda-nvrtc (cu13) in this environment, or the system library; otherwise it skips.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import importlib.util
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from kernels.cuda import SOURCE_DIR

ARCHS = ("sm_80", "sm_90")
TIMEOUT_S = 900
NVCC = shutil.which("nvcc") or next(
    (p for p in ("/usr/local/cuda/bin/nvcc",) if Path(p).is_file()), None)
if NVCC is None and os.environ.get("CI"):
    raise RuntimeError("nvcc not found but CI=true: the CUDA compile tests need the CUDA toolkit")

SOURCES = sorted(SOURCE_DIR.glob("*.cu"))


def test_there_are_kernels_to_compile():
    assert SOURCES, f"no .cu files in {SOURCE_DIR}"


@pytest.mark.skipif(NVCC is None, reason="nvcc not found: install the CUDA toolkit to compile the kernels")
@pytest.mark.parametrize("source", SOURCES, ids=[p.name for p in SOURCES])
def test_compiles_for_sm80_and_sm90(source, tmp_path):
    # one nvcc per architecture, both at once (at most two processes: the CI machine has 2 cores)
    procs = {
        arch: subprocess.Popen(
            [NVCC, "-std=c++17", f"-arch={arch}", "-Werror", "all-warnings", "-I", str(SOURCE_DIR),
             "-c", "-o", str(tmp_path / f"{source.stem}.{arch}.o"), str(source)],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for arch in ARCHS
    }
    failures = []
    try:
        for arch, proc in procs.items():
            out, _ = proc.communicate(timeout=TIMEOUT_S)
            if proc.returncode != 0:
                failures.append(f"--- {arch} ---\n{out}")
    except subprocess.TimeoutExpired:
        failures.append(f"nvcc took over {TIMEOUT_S} s (code size: check what is force-inlined)")
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    assert not failures, f"nvcc failed on {source.name}:\n" + "\n".join(failures)


def _nvrtc_candidates() -> list[str]:
    found = [os.environ.get("ZKP_NVRTC_LIB")]
    try:
        spec = importlib.util.find_spec("nvidia.cu13")
    except ModuleNotFoundError:
        spec = None
    if spec is not None and spec.submodule_search_locations:
        found.append(str(Path(next(iter(spec.submodule_search_locations))) / "lib" / "libnvrtc.so.13"))
    found.append(ctypes.util.find_library("nvrtc"))
    return [p for p in found if p]


def _load_nvrtc() -> ctypes.CDLL | None:
    for path in _nvrtc_candidates():
        # NVRTC dlopens libnvrtc-builtins by soname: preload a copy that sits beside it
        for builtins in sorted(Path(path).parent.glob("libnvrtc-builtins.so.*")):
            if ".alt." not in builtins.name:
                ctypes.CDLL(str(builtins), mode=ctypes.RTLD_GLOBAL)
        try:
            return ctypes.CDLL(path)
        except OSError:
            continue
    return None


NVRTC = _load_nvrtc()
NVRTC_OPTIONS = ("-std=c++17", f"-I{SOURCE_DIR}", "--device-int128", "-arch=compute_90")


def _nvrtc_compile(source: Path) -> tuple[int, str]:
    """(nvrtcResult, log) of compiling `source` to PTX with the run-time loader's options."""
    prog = ctypes.c_void_p()
    rc = NVRTC.nvrtcCreateProgram(ctypes.byref(prog), source.read_bytes(), source.name.encode(), 0, None, None)
    assert rc == 0, f"nvrtcCreateProgram returned {rc}"
    try:
        opts = [o.encode() for o in NVRTC_OPTIONS]
        rc = NVRTC.nvrtcCompileProgram(prog, len(opts), (ctypes.c_char_p * len(opts))(*opts))
        size = ctypes.c_size_t()
        NVRTC.nvrtcGetProgramLogSize(prog, ctypes.byref(size))
        log = ctypes.create_string_buffer(size.value)
        NVRTC.nvrtcGetProgramLog(prog, log)
        return rc, log.value.decode(errors="replace")
    finally:
        NVRTC.nvrtcDestroyProgram(ctypes.byref(prog))


@pytest.mark.skipif(NVRTC is None, reason="libnvrtc not found: pip install nvidia-cuda-nvrtc==13.0.* "
                    "or set ZKP_NVRTC_LIB to check NVRTC compilation")
@pytest.mark.parametrize("source", SOURCES, ids=[p.name for p in SOURCES])
def test_compiles_with_nvrtc(source):
    rc, log = _nvrtc_compile(source)
    assert rc == 0, f"NVRTC failed on {source.name} (options {' '.join(NVRTC_OPTIONS)}):\n{log}"
