"""benchmarks/gpu/run_all.py without a GPU: the --cpu-only mode runs every check and timing case
through the same plumbing (budget, records, table, JSON); the checks catch a wrong result; the
plain-Python curve reference that makes MSM answers agrees with py_ecc and the CPU backend."""

from __future__ import annotations

import json

import numpy as np
import pytest
from py_ecc.optimized_bls12_381 import G1, G2, multiply, normalize

from benchmarks.gpu import checks, ec_ref, inputs, msm_checks, timings, warm_cpu
from benchmarks.gpu.run_all import main
from benchmarks.gpu.subjects import CpuSubject
from kernels.constants import R
from kernels.cpu import msm


def test_cpu_only_run_checks_everything_and_writes_the_report(tmp_path, capsys):
    assert main(["--cpu-only", "--out", str(tmp_path), "--seed", "7"]) == 0
    results = json.loads((tmp_path / "results.json").read_text())
    assert results["mode"] == "cpu-only" and results["seed"] == 7 and results["cpu_backend"] == "ok"
    names = [c["name"] for c in results["checks"]]
    for family in ("fr_mul", "intt 2^10", "coset_intt 2^10 (prover coset)", "poseidon sponge",
                   "blake3 merkle levels", "msm g1 256", "msm g2 edge cases", "msm g1 batch",
                   "groth16 prove", "msm g1 256 witness-like", "msm g2 batch 3x512"):
        assert any(n.startswith(family) for n in names), family
    assert all(c["ok"] is not False for c in results["checks"])
    assert sum(c["ok"] is True for c in results["checks"]) >= 50
    cases = {t["case"] for t in results["timings"]}
    assert cases == {c.name for c in timings.cases("dry") + msm_checks.cases("dry")}
    for t in results["timings"]:
        assert t["subject"]["median_ms"] > 0 and t["cpu"]["median_ms"] > 0 and t["ratio"] > 0
    assert set(results["cpu_warmup"]) == set(warm_cpu.FAMILIES)
    # with a cold Numba cache a family may outlast the wait (the run then compiles it itself)
    assert all(v.startswith(("ok in", "not finished")) for v in results["cpu_warmup"].values())
    table = (tmp_path / "table.txt").read_text()
    assert "checks: " in table and "msm_g1" in table and table in capsys.readouterr().out


def test_a_spent_budget_skips_and_still_reports(tmp_path, monkeypatch):
    monkeypatch.setenv("ZKP_GPU_OUT", str(tmp_path))
    assert main(["--cpu-only", "--budget", "0"]) == 0
    results = json.loads((tmp_path / "results.json").read_text())
    assert results["checks"] and all(c["ok"] is None and "left for timings" in c["detail"]
                                     for c in results["checks"])
    assert all(t["skipped"] == "budget spent" for t in results["timings"])


def test_the_output_folder_is_required(monkeypatch):
    monkeypatch.delenv("ZKP_GPU_OUT", raising=False)
    with pytest.raises(SystemExit) as exc:
        main(["--cpu-only"])
    assert exc.value.code == 2


class WrongNtt(CpuSubject):
    def ntt(self, kind, a, shift=1):
        out = super().ntt(kind, a, shift).copy()
        out[3, 0] ^= np.uint64(1)
        return out


def test_checks_report_a_wrong_kernel():
    records = list(checks.check_ntt(WrongNtt(), checks.Cpu(), np.random.default_rng(1), [4]))
    failed = [r for r in records if r["ok"] is False]
    assert failed and "1 of 16 differ from CPU backend, first at 3" in failed[0]["detail"]
    assert any(r["name"] == "ntt 2^6 (definition)" and r["ok"] is False for r in records)


def test_timing_sizes_that_would_not_fit_are_skipped():
    class Slow(CpuSubject):
        def time(self, fn, repeats):
            return [10_000.0]  # 10 s per call

    class Budget:
        def left(self):
            return 60.0

    case = timings.Case("ntt", [16, 64, 256], 0, lambda rng, n: (inputs.fr_array(rng, n),),
                        lambda s, a: s.runner_ntt(*a), None)
    recs = timings.run_case(case, Slow(), None, np.random.default_rng(0), Budget(), 5.0)
    assert recs[0]["subject"]["median_ms"] == 10_000.0 and recs[0]["skipped"] is None
    assert recs[1]["skipped"].startswith("estimated 24") and recs[2]["skipped"]


def test_curve_reference_agrees_with_py_ecc():
    k = 0x1234567890ABCDEF1234567890ABCDEF
    x, y = normalize(multiply(G1, k))
    assert ec_ref.mul(ec_ref.G1[0], k, ec_ref.Fp) == (int(x), int(y))
    x2, y2 = normalize(multiply(G2, k))
    want = ((int(x2.coeffs[0]), int(x2.coeffs[1])), (int(y2.coeffs[0]), int(y2.coeffs[1])))
    assert ec_ref.mul(ec_ref.G2[0], k, ec_ref.Fp2) == want
    assert ec_ref.mul(ec_ref.G1[0], R, ec_ref.Fp) is None
    p = ec_ref.G1[0]
    assert ec_ref.add(p, ec_ref.neg(p, ec_ref.Fp), ec_ref.Fp) is None
    assert ec_ref.from_limbs(ec_ref.to_limbs([p, None], ec_ref.Fp)[0], ec_ref.Fp) == p


def test_msm_points_have_known_answers():
    rng = np.random.default_rng(2)
    mp = inputs.msm_points(rng, "g1", 300, 64)  # tiled: every point repeats
    scalars = inputs.fr_array(rng, 300)
    assert np.array_equal(mp.answer(scalars), msm.msm_g1(mp.points, scalars))
    a = inputs.fr_array(rng, 1000)
    assert a.any(axis=1).all() and (a[:, 3] < np.uint64(0x73EDA753299D7D48)).all()


@pytest.fixture
def host_gpu_subject(monkeypatch):
    """GpuSubject over the host kernels (tests/support/host_device.py), MSM left out."""
    from benchmarks.gpu.subjects import GpuSubject
    from kernels.cuda import ntt, poseidon
    from support.cuda_host import host_library
    from support.host_device import launcher, use_host_device

    libs = {name: host_library([f"{name}_host.cpp"], name) for name in ("ntt", "blake3", "poseidon")}
    arith = host_library(["host_arith.cpp"], "arith")
    kernels = {f"fr_{op}_batch": launcher(getattr(arith, f"h_fr_{op}"))
               for op in ("add", "sub", "mul", "to_mont", "from_mont")}
    kernels.update(ntt_powers=launcher(libs["ntt"].h_ntt_powers), ntt_pass=launcher(libs["ntt"].h_ntt_pass),
                   blake3_rows=launcher(libs["blake3"].h_b3_rows),
                   blake3_parents=launcher(libs["blake3"].h_b3_parents))
    for t in (3, 5, 17):
        permute, sponge = poseidon.kernel_names(t)
        kernels[permute] = launcher(libs["poseidon"].h_poseidon_permute, t)
        kernels[sponge] = launcher(libs["poseidon"].h_poseidon_sponge, t)
    ntt.clear_caches()
    poseidon._device_tables.cache_clear()
    use_host_device(monkeypatch, kernels)
    subject = GpuSubject()
    subject.msm, subject.msm_error = None, "left out of this test"
    yield subject
    ntt.clear_caches()
    poseidon._device_tables.cache_clear()


def test_gpu_mode_plumbing_over_the_host_kernels(host_gpu_subject):
    subject, cpu, rng = host_gpu_subject, checks.Cpu(), np.random.default_rng(3)
    assert subject.device == "host stand-in (sm_00)"
    records = [r for name, kwargs in [("fr", {"n": 256}), ("ntt", {"log_sizes": [3, 11]}),
                                      ("poseidon", {"m": 8, "sponge_shape": (3, 20)}),
                                      ("blake3", {"n_rows": 300}), ("msm", {"sizes": {}, "batch": 1})]
               for r in checks.CHECKS[name](subject, cpu, rng, **kwargs)]
    assert [r for r in records if r["ok"] is False] == []
    assert records[-1]["ok"] is None and "left out" in records[-1]["detail"]
    for case in timings.cases("dry"):
        if case.name in ("ntt", "poseidon_permute_t3", "blake3_rows"):
            for rec in timings.run_case(case, subject, cpu, rng, type("B", (), {"left": lambda s: 60})(), 5):
                assert rec["subject"]["median_ms"] > 0 and rec["ratio"] > 0, rec
