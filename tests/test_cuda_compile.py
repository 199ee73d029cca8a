"""Every kernels/cuda/*.cu compiles with nvcc for sm_80 and sm_90 (warnings are errors).

CI has no GPU but has nvcc: this catches syntax, type and host/device errors in the device pass
that the g++ host tests cannot see (PTX asm, __global__ code). The .cu files are found at
collection time, so a new kernel is covered without editing this file. Without nvcc the tests
skip visibly; under CI=true that is an error instead.
"""

from __future__ import annotations

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
