"""Groth16 on the CPU backend: in-process prove (key resident) at 2^12/2^14/2^16 domains, verify,
and batch verification of 32 proofs. Whole-command timings against snarkjs live in
benchmarks/compare_snarkjs.py.

Run: `pytest benchmarks/bench_groth16.py --benchmark-only`.
"""

from __future__ import annotations

import secrets

import pytest

from engine.demo_circuits import range_sum_for_power
from engine.groth16.prover import ProverContext, public_signals
from engine.groth16.setup import dev_setup
from engine.groth16.verifier import batch_verify, prepare, verify


def _instance(power: int):
    circuit = range_sum_for_power(power)
    pk = dev_setup(circuit.r1cs)
    w = circuit.witness({"values": [secrets.randbelow(1 << 32) for _ in range(circuit.r1cs.n_prv_in)]})
    return pk, ProverContext.build(pk), w


@pytest.mark.parametrize("power", [12, 14, 16], ids=lambda k: f"2^{k}")
def test_prove(benchmark, power):
    pk, ctx, w = _instance(power)
    ctx.prove(w)
    proof = benchmark.pedantic(ctx.prove, args=(w,), rounds=3, iterations=1)
    assert verify(pk.vk, public_signals(pk, w), proof)


@pytest.fixture(scope="module")
def proved():
    pk, ctx, w = _instance(10)
    public = public_signals(pk, w)
    return pk, [(public, ctx.prove(w)) for _ in range(32)]


def test_verify(benchmark, proved):
    pk, items = proved
    pvk = prepare(pk.vk)
    assert benchmark(verify, pvk, *items[0])


def test_batch_verify_32(benchmark, proved):
    pk, items = proved
    pvk = prepare(pk.vk)
    assert benchmark(batch_verify, pvk, items)
