"""The resident-key prover (engine/groth16/prover_gpu.py) gives the CPU prover's proofs.

Without a GPU the prover's sequence runs through HostOps over the CPU backend, and through CudaOps
with NumPy standing in for CuPy and the host test libraries for the kernels (tests/support/
host_device.py); the `gpu` test runs CudaOps on a device. Each compares proof bytes with the CPU
prover for the same r, s.
"""

from __future__ import annotations

import contextlib
import secrets

import numpy as np
import pytest

from engine.demo_circuits import range_sum
from engine.errors import InputError
from engine.formats.zcash import encode_proof
from engine.groth16.prover import ProverContext, public_signals
from engine.groth16.prover_gpu import QUERIES, CudaOps, GpuProverContext, HostOps
from engine.groth16.setup import dev_setup
from engine.groth16.verifier import verify
from kernels.cpu.backend import CpuBackend
from kernels.limbs import ints_to_limbs
from support.cuda_host import host_library
from support.gpu import requires_gpu
from support.host_device import launcher, use_host_device


@pytest.fixture(scope="module")
def key():
    circuit = range_sum(20, bits=8)
    pk = dev_setup(circuit.r1cs, CpuBackend())
    return circuit, pk, ProverContext.build(pk, CpuBackend())


class CountingOps(HostOps):
    """HostOps that records which queries' MSMs ran, to check every query goes through its bases."""

    def __init__(self, backend):
        super().__init__(backend)
        self.uploaded: list[int] = []

    def resident(self, points):
        self.uploaded.append(points.shape[0])
        return super().resident(points)


def test_host_ops_prover_gives_the_cpu_proof(key):
    circuit, pk, cpu = key
    ops = CountingOps(CpuBackend())
    ctx = GpuProverContext.build(pk, ops)
    assert ops.uploaded == [getattr(pk, q).shape[0] for q in QUERIES]
    for seed in range(2):
        values = [secrets.randbelow(256) for _ in range(20)]
        w = circuit.witness({"values": values})
        r, s = secrets.randbelow(1 << 255), secrets.randbelow(1 << 255) + seed
        proof = ctx.prove(w, r=r, s=s)
        assert encode_proof(proof) == encode_proof(cpu.prove(w, r=r, s=s))
        assert verify(pk.vk, public_signals(pk, w), proof)
    assert ctx.memory()["resident_points_bytes"] == sum(getattr(pk, q).nbytes for q in QUERIES)


def test_host_ops_prover_checks_the_witness(key):
    circuit, pk, _ = key
    ctx = GpuProverContext.build(pk, HostOps(CpuBackend()))
    w = circuit.witness({"values": [1] * 20})
    with pytest.raises(InputError, match="expects"):
        ctx.prove(w[:-1])
    bad = w.copy()
    bad[0] = ints_to_limbs([2], 4)[0]
    with pytest.raises(InputError, match="constant wire"):
        ctx.prove(bad)
    bad = w.copy()
    bad[5] = ints_to_limbs([(1 << 256) - 1], 4)[0]
    with pytest.raises(InputError, match=r"witness\[5\] is not below"):
        ctx.prove(bad)


@pytest.fixture
def host_cuda(monkeypatch):
    """CudaOps' launchers with NumPy for CuPy and the host test libraries for the kernels."""
    from kernels.cuda import module, ntt

    arith = host_library(["host_arith.cpp"], "arith")
    sparse = host_library(["sparse_host.cpp"], "sparse")
    ntt_lib = host_library(["ntt_host.cpp"], "ntt")
    msm_lib = host_library(["msm_host.cpp"], "msm")
    kernels = {f"fr_{op}_batch": launcher(getattr(arith, f"h_fr_{op}"))
               for op in ("sub", "mul", "to_mont", "from_mont")}
    kernels["sparse_matvec"] = launcher(sparse.h_sparse_matvec)
    kernels["ntt_powers"] = launcher(ntt_lib.h_ntt_powers)
    kernels["ntt_pass"] = launcher(ntt_lib.h_ntt_pass)
    for name in ["msm_count", "msm_scatter"] + [f"msm_{g}_{k}" for g in ("g1", "g2")
                                                for k in ("sum_points", "sum_segment", "lane_sum")]:
        kernels[name] = launcher(getattr(msm_lib, f"h_{name}"))
    ntt.clear_caches()
    use_host_device(monkeypatch, kernels)
    cp = module.cupy()
    cp.cumsum = lambda a, dtype=None: np.cumsum(a, dtype=dtype).view(type(a))
    cp.arange = lambda *args, dtype=None: cp.asarray(np.arange(*args, dtype=dtype))
    cp.cuda.Stream = lambda non_blocking=False: contextlib.nullcontext()
    yield
    ntt.clear_caches()


def test_cuda_ops_over_host_kernels_give_the_cpu_proof(key, host_cuda):
    circuit, pk, cpu = key
    ctx = GpuProverContext.build(pk, CudaOps())
    w = circuit.witness({"values": [secrets.randbelow(256) for _ in range(20)]})
    r, s = secrets.randbelow(1 << 255), secrets.randbelow(1 << 255)
    assert encode_proof(ctx.prove(w, r=r, s=s)) == encode_proof(cpu.prove(w, r=r, s=s))


@pytest.mark.gpu
@requires_gpu
def test_cuda_prover_gives_the_cpu_proof(key):
    circuit, pk, cpu = key
    ctx = GpuProverContext.build(pk)
    for _ in range(2):  # the key stays resident across proofs
        w = circuit.witness({"values": [secrets.randbelow(256) for _ in range(20)]})
        r, s = secrets.randbelow(1 << 255), secrets.randbelow(1 << 255)
        assert encode_proof(ctx.prove(w, r=r, s=s)) == encode_proof(cpu.prove(w, r=r, s=s))
    mem = ctx.memory()
    assert mem["resident_points_bytes"] > 0 and mem["pool_used_bytes"] >= mem["resident_points_bytes"]
