"""The resident-key prover (engine/groth16/prover_gpu.py) gives the CPU prover's proofs.

Without a GPU the prover's sequence runs through HostOps over the CPU backend; the `gpu` test runs
it through CudaOps and compares bytes with the CPU prover for the same r, s.
"""

from __future__ import annotations

import secrets

import pytest

from engine.demo_circuits import range_sum
from engine.errors import InputError
from engine.formats.zcash import encode_proof
from engine.groth16.prover import ProverContext, public_signals
from engine.groth16.prover_gpu import QUERIES, GpuProverContext, HostOps
from engine.groth16.setup import dev_setup
from engine.groth16.verifier import verify
from kernels.cpu.backend import CpuBackend
from kernels.limbs import ints_to_limbs
from support.gpu import requires_gpu


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
