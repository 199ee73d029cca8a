"""Backend selection and the CudaBackend wiring; with a device, CudaBackend against CpuBackend bit
for bit (the `gpu` tests, skipped with the reason elsewhere; benchmarks/gpu/run_all.py repeats
them on fresh inputs).

Selection is checked on every machine by standing in for CuPy: missing, no device, a broken
driver, kernels that fail to compile, and a working device.
"""

from __future__ import annotations

import random
import sys
from types import SimpleNamespace

import numpy as np
import pytest

from kernels import backend as selection
from kernels.backend import Backend, BackendUnavailable, get_backend
from kernels.constants import FR_LIMBS, R
from kernels.cpu import fr_vec, points
from kernels.cpu.backend import CpuBackend
from kernels.cpu.sparse import csr_row_ptr
from kernels.cpu.sparse import sparse_matvec as cpu_sparse_matvec
from kernels.cuda import backend as cuda_backend
from kernels.cuda.backend import CudaBackend
from kernels.limbs import ints_to_limbs
from support.cuda_host import call, host_library
from support.gpu import requires_gpu
from support.host_device import launcher, use_host_device

PROTOCOL = [n for n in vars(Backend) if not n.startswith("_") and callable(vars(Backend)[n])]


@pytest.fixture
def fresh_selection(monkeypatch):
    """Clear the per-process caches around a test that fakes the environment."""
    monkeypatch.delenv("ZKP_BACKEND", raising=False)
    selection.get_backend.cache_clear()
    selection.cuda_available.cache_clear()
    yield monkeypatch
    selection.get_backend.cache_clear()
    selection.cuda_available.cache_clear()


def fake_cupy(count=1, error: Exception | None = None):
    def device_count():
        if error is not None:
            raise error
        return count

    return SimpleNamespace(cuda=SimpleNamespace(runtime=SimpleNamespace(getDeviceCount=device_count)))


def test_cuda_backend_implements_the_whole_protocol():
    assert PROTOCOL and "msm_g1" in PROTOCOL and "coset_ntt" in PROTOCOL
    missing = [n for n in PROTOCOL if not callable(getattr(CudaBackend, n, None))]
    assert not missing
    assert CudaBackend.name == "cuda"


def test_without_cupy_cuda_is_a_clear_error_and_auto_is_cpu(fresh_selection):
    fresh_selection.setitem(sys.modules, "cupy", None)  # import cupy -> ImportError
    with pytest.raises(BackendUnavailable, match="backend 'cuda' requested but unavailable: "
                                                 "CuPy is not installed"):
        get_backend("cuda")
    assert get_backend("auto").name == "cpu"
    fresh_selection.setenv("ZKP_BACKEND", "cuda")
    selection.get_backend.cache_clear()
    with pytest.raises(BackendUnavailable, match="CuPy is not installed"):
        get_backend()


@pytest.mark.parametrize("cupy, reason", [
    (fake_cupy(count=0), "no CUDA device"),
    (fake_cupy(error=RuntimeError("cudaErrorInsufficientDriver")),
     r"no usable CUDA device \(cudaErrorInsufficientDriver\)"),
])
def test_no_device_is_reported(fresh_selection, cupy, reason):
    fresh_selection.setitem(sys.modules, "cupy", cupy)
    with pytest.raises(BackendUnavailable, match=reason):
        get_backend("cuda")
    assert get_backend("auto").name == "cpu"


def test_kernels_that_do_not_compile_make_cuda_unavailable(fresh_selection):
    fresh_selection.setitem(sys.modules, "cupy", fake_cupy())

    def broken():
        raise RuntimeError("ntt.cu(12): error: identifier \"fr_t\" is undefined")

    fresh_selection.setattr(cuda_backend, "compile_kernels", broken)
    with pytest.raises(BackendUnavailable, match="do not compile on this device: ntt.cu\\(12\\)"):
        get_backend("cuda")
    assert get_backend("auto").name == "cpu"


def test_a_working_device_selects_cuda_for_auto(fresh_selection):
    fresh_selection.setitem(sys.modules, "cupy", fake_cupy(count=2))
    compiled = []
    fresh_selection.setattr(cuda_backend, "compile_kernels", lambda: compiled.append(True))
    assert isinstance(get_backend("auto"), CudaBackend)
    assert isinstance(get_backend("cuda"), CudaBackend)
    assert get_backend("cpu").name == "cpu"
    assert compiled == [True]  # compiled once per process
    assert selection.cuda_available() == (True, "2 CUDA device(s)")


def test_core_sources_exist_and_name_every_launcher_module():
    names = {source for source, _ in cuda_backend.CORE_SOURCES}
    assert names == {"field_ops.cu", "sparse.cu", "ntt.cu", "blake3.cu", "poseidon.cu", "msm.cu"}
    for source in names:
        assert (cuda_backend.module.SOURCE_DIR / source).is_file()


def test_module_source_text_carries_the_digest_of_all_sources():
    from kernels.cuda import module

    text = module.source_text("ntt.cu")
    assert text.startswith(f"// zkp-ledger kernels/cuda sources {module.source_digest()}\n")
    assert '#include "ntt.cuh"' in text
    with pytest.raises(FileNotFoundError):
        module.source_text("ntt.cuh")


# ---- the CSR kernel body on the host ------------------------------------------------------------

def test_sparse_rows_on_the_host_equal_the_cpu_kernel():
    lib = host_library(["sparse_host.cpp"], "sparse")
    rng = random.Random(3)
    n_rows, n_cols, nnz = 50, 30, 200
    rows = np.sort(np.array([rng.randrange(n_rows) for _ in range(nnz)], dtype=np.int64))
    rows[rows == 7] = 8  # an empty row
    cols = np.array([rng.randrange(n_cols) for _ in range(nnz)], dtype=np.int64)
    vals = fr_vec.ints_to_mont([rng.randrange(R) for _ in range(nnz)])
    w = fr_vec.ints_to_mont([rng.randrange(R) for _ in range(n_cols)])
    ptr = csr_row_ptr(rows, n_rows)
    got = np.zeros((n_rows, FR_LIMBS), dtype=np.uint64)
    call(lib.h_sparse_matvec, ptr, cols, vals, w, got, n_rows)
    want = np.empty_like(got)
    cpu_sparse_matvec(ptr, cols, vals, w, want)
    assert np.array_equal(got, want)
    assert not got[7].any()


# ---- CudaBackend's GPU methods through their launchers, over the host kernels ------------------

@pytest.fixture
def host_gpu(monkeypatch):
    from kernels.cuda import ntt

    arith = host_library(["host_arith.cpp"], "arith")
    sparse = host_library(["sparse_host.cpp"], "sparse")
    ntt_lib = host_library(["ntt_host.cpp"], "ntt")
    kernels = {f"fr_{op}_batch": launcher(getattr(arith, f"h_fr_{op}"))
               for op in ("add", "sub", "mul", "to_mont", "from_mont")}
    kernels["sparse_matvec"] = launcher(sparse.h_sparse_matvec)
    kernels["ntt_powers"] = launcher(ntt_lib.h_ntt_powers)
    kernels["ntt_pass"] = launcher(ntt_lib.h_ntt_pass)
    ntt.clear_caches()
    use_host_device(monkeypatch, kernels)
    yield
    ntt.clear_caches()


def test_backend_methods_through_the_launchers_equal_the_cpu_backend(host_gpu):
    gpu, cpu = CudaBackend(), CpuBackend()
    a, b = _fr(500, 1), _fr(500, 2)
    assert np.array_equal(gpu.fr_to_mont(a), cpu.fr_to_mont(a))
    assert np.array_equal(gpu.fr_from_mont(a), cpu.fr_from_mont(a))
    assert np.array_equal(gpu.fr_mul(a, b), cpu.fr_mul(a, b))
    assert np.array_equal(gpu.fr_sub(a, b), cpu.fr_sub(a, b))
    assert np.array_equal(gpu.fr_add(a, b), fr_vec.add(a, b))
    with pytest.raises(ValueError, match="shapes differ"):
        gpu.fr_mul(a, b[:10])
    x = cpu.fr_to_mont(_fr(1 << 12, 3))
    assert np.array_equal(gpu.ntt(x), cpu.ntt(x))
    assert np.array_equal(gpu.coset_ntt(gpu.intt(x), 7), cpu.coset_ntt(cpu.intt(x), 7))
    rows = np.sort(np.array([random.Random(4).randrange(64) for _ in range(300)], dtype=np.int64))
    cols = np.arange(300, dtype=np.int64) % 40
    vals, w = _fr(300, 5), _fr(40, 6)
    ptr = gpu.csr_row_ptr(rows, 64)
    assert np.array_equal(gpu.sparse_matvec(ptr, cols, vals, w, 64),
                          cpu.sparse_matvec(ptr, cols, vals, w, 64))


# ---- on a device: CudaBackend == CpuBackend -----------------------------------------------------

def _fr(n: int, seed: int) -> np.ndarray:
    rng = random.Random(seed)
    return ints_to_limbs([rng.randrange(1, R) for _ in range(n)], FR_LIMBS)


@pytest.mark.gpu
@requires_gpu
def test_device_fr_ops_and_ntts_equal_the_cpu_backend():
    gpu, cpu = CudaBackend(), CpuBackend()
    a, b = _fr(1000, 1), _fr(1000, 2)
    for op in ("fr_to_mont", "fr_from_mont"):
        assert np.array_equal(getattr(gpu, op)(a), getattr(cpu, op)(a))
    assert np.array_equal(gpu.fr_mul(a, b), cpu.fr_mul(a, b))
    assert np.array_equal(gpu.fr_sub(a, b), cpu.fr_sub(a, b))
    for log_n in (1, 10, 13, 17):
        x = cpu.fr_to_mont(_fr(1 << log_n, log_n))
        assert np.array_equal(gpu.ntt(x), cpu.ntt(x))
        assert np.array_equal(gpu.intt(x), cpu.intt(x))
        assert np.array_equal(gpu.coset_ntt(x, 7), cpu.coset_ntt(x, 7))


@pytest.mark.gpu
@requires_gpu
def test_device_msm_and_prover_equal_the_cpu_backend():
    from engine.demo_circuits import range_sum
    from engine.formats.zcash import encode_proof
    from engine.groth16.prover import ProverContext
    from engine.groth16.setup import dev_setup

    gpu, cpu = CudaBackend(), CpuBackend()
    rng = random.Random(5)
    g1 = points.g1_mul(cpu.g1_generator(), rng.randrange(1, R))
    pts = cpu.fixed_base_g1(g1, _fr(300, 6))
    scalars = _fr(300, 7)
    assert np.array_equal(gpu.msm_g1(pts, scalars), cpu.msm_g1(pts, scalars))
    circuit = range_sum(12, bits=8)
    pk = dev_setup(circuit.r1cs, cpu)
    w = circuit.witness({"values": [rng.randrange(256) for _ in range(12)]})
    proofs = [ProverContext.build(pk, be).prove(w, r=11, s=13) for be in (gpu, cpu)]
    assert encode_proof(proofs[0]) == encode_proof(proofs[1])
