"""Timed cases for run_all: each kernel at growing sizes on the subject, and on the CPU backend
(same inputs) while that stays affordable, with the ratio.

Sizes run smallest first. Before each size the cost is estimated from the previous one (time x
work ratio x calls); a size that would not fit the remaining budget is skipped along with every
larger one, and the skip is recorded with its reason. Timings are medians after a warm-up call.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from benchmarks.gpu import inputs
from benchmarks.gpu.subjects import summary, time_host


@dataclass(frozen=True)
class Case:
    name: str
    sizes: list[int]  # work units (points, elements, states, rows, domain size)
    cpu_limit: int  # largest size also timed on the CPU backend
    make: Callable[[np.random.Generator, int], tuple]  # host inputs for a size
    subject: Callable[[object, tuple], Callable[[], object]]  # subject runner over the inputs
    cpu: Callable[[object, tuple], Callable[[], object]] | None  # CPU runner (cpu: checks.Cpu)


def _msm_inputs(rng, m):
    return inputs.msm_points(rng, "g1", m, 4096).points, inputs.fr_array(rng, m)


def _rows_inputs(rng, n):
    return inputs.rows(rng, n, 100)  # tabular rows: 0..100 bytes


def _prove_inputs(rng, n):
    """(pk, witness) of a range_sum circuit on a domain of n points (CPU dev setup)."""
    from engine.demo_circuits import range_sum, range_sum_values_for_power
    from engine.groth16.setup import dev_setup
    from kernels.cpu.backend import CpuBackend

    values = range_sum_values_for_power(n.bit_length() - 1, bits=8)
    circuit = range_sum(values, bits=8)
    pk = dev_setup(circuit.r1cs, CpuBackend())
    return pk, circuit.witness({"values": [int(v) for v in rng.integers(0, 256, size=values)]})


def _gpu_prove(subject, args):
    pk, w = args
    prover = subject.gpu_prover(pk)
    if prover is None:
        from engine.groth16.prover import ProverContext

        prover = ProverContext.build(pk, subject.backend)
    return lambda: prover.prove(w, r=3, s=5)


def _cpu_prove(cpu, args):
    from engine.groth16.prover import ProverContext
    from kernels.cpu.backend import CpuBackend

    pk, w = args
    ctx = ProverContext.build(pk, CpuBackend())
    return lambda: ctx.prove(w, r=3, s=5)


def cases(profile: str) -> list[Case]:
    full = profile == "full"
    pow2 = (lambda *logs: [1 << k for k in logs])
    return [
        Case("msm_g1", pow2(16, 18, 20, 22, 24) if full else pow2(8, 10), 1 << 16 if full else 1 << 10,
             _msm_inputs, lambda s, a: s.runner_msm(*a), lambda c, a: lambda: c.msm.msm_g1(*a)),
        Case("ntt", pow2(16, 18, 20, 22, 24) if full else pow2(8, 10), 1 << 20 if full else 1 << 10,
             lambda rng, n: (inputs.fr_array(rng, n),), lambda s, a: s.runner_ntt(*a),
             lambda c, a: lambda: c.ntt.ntt(*a)),
        Case("poseidon_permute_t3", pow2(16, 20) if full else [256], 1 << 16 if full else 256,
             lambda rng, m: (inputs.fr_states(rng, m, 3),), lambda s, a: s.runner_permute(*a),
             lambda c, a: lambda: c.poseidon.permute_batch(*a)),
        Case("poseidon_sponge_t17_1024_inputs", [1024] if full else [16], 1024 if full else 16,
             lambda rng, m: (inputs.fr_states(rng, m, 1024 if full else 64),),
             lambda s, a: s.runner_sponge(a[0], 17), lambda c, a: lambda: c.poseidon.sponge_batch(a[0], 17)),
        Case("blake3_rows", [1 << 20] if full else [10_000], 1 << 20 if full else 10_000, _rows_inputs,
             lambda s, a: s.runner_rows(*a), lambda c, a: lambda: c.blake3.hash_rows(*a, 0)),
        Case("groth16_prove_domain", pow2(12, 16) if full else pow2(8), 1 << 16 if full else 1 << 8,
             _prove_inputs, _gpu_prove, _cpu_prove),
    ]


def _repeats(estimate_s: float) -> int:
    return 5 if estimate_s < 0.5 else 3


def run_case(case: Case, subject, cpu, rng, budget, reserve_s: float) -> list[dict]:
    """Time every size of a case that fits the budget; one record per size."""
    records = []
    prev = None  # (size, set-up seconds, subject seconds per call, CPU seconds per call or None)
    for size in case.sizes:
        rec = {"case": case.name, "size": size, "subject": None, "cpu": None, "ratio": None,
               "skipped": None}
        records.append(rec)
        scale = size / prev[0] if prev else 1.0
        if prev is not None:
            est = (prev[1] + prev[2] * 6) * scale  # set-up, up to 5 repeats and a warm-up
            if est > budget.left() - reserve_s:
                rec["skipped"] = f"estimated {est:.0f} s, {budget.left():.0f} s left"
                continue
        try:
            t0 = time.perf_counter()
            args = case.make(rng, size)
            fn = case.subject(subject, args)
            setup_s = time.perf_counter() - t0
            rec["setup_s"] = round(setup_s, 2)
            rec["subject"] = summary(subject.time(fn, _repeats(prev[2] * scale if prev else 0.0)))
            cpu_per_call = None
            if cpu is not None and cpu.ok and case.cpu is not None and size <= case.cpu_limit:
                cpu_est = prev[3] * scale * 6 if prev and prev[3] else 0.0
                if cpu_est < budget.left() - reserve_s:
                    rec["cpu"] = summary(time_host(case.cpu(cpu, args), _repeats(cpu_est / 6)))
                    cpu_per_call = rec["cpu"]["median_ms"] / 1e3
                    rec["ratio"] = round(rec["cpu"]["median_ms"] / max(rec["subject"]["median_ms"], 1e-9), 2)
                else:
                    rec["cpu_skipped"] = f"CPU estimated {cpu_est:.0f} s, {budget.left():.0f} s left"
            prev = (size, setup_s, rec["subject"]["median_ms"] / 1e3, cpu_per_call)
        except Exception as exc:  # one failing case must not lose the rest of the run
            rec["error"] = f"{type(exc).__name__}: {exc}"
            break
        finally:
            subject.release()
    return records
