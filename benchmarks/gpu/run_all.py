"""Everything the CUDA backend needs checked on a GPU machine, in one run of under 8 minutes.

    python benchmarks/gpu/run_all.py --out DIR      (or set ZKP_GPU_OUT=DIR)

1. correctness of every CUDA kernel on fresh random inputs (never zeros; the seed is recorded):
   Fr element-wise ops, NTT/iNTT/coset NTTs at several sizes, Poseidon permutations and the
   commitment sponge, BLAKE3 rows and Merkle levels, MSM G1/G2 (single, batched, edge cases) and
   Groth16 proofs from the GPU equal to the CPU backend's byte for byte; against the CPU backend
   and independently against plain-Python definitions (benchmarks/gpu/checks.py);
2. timings with CUDA events after a warm-up, medians of repeats: MSM G1 and NTT 2^16..2^24,
   Poseidon batches, BLAKE3 over 1M rows, Groth16 proving, each beside the CPU backend on the
   same inputs where that is affordable, with the ratio (benchmarks/gpu/timings.py);
3. results.json and table.txt in the output folder, and the table on stdout.

The budget (default 480 s) is checked throughout: a size that would not fit is skipped and the
skip recorded. --cpu-only (alias --dry-run) puts the CPU backend in place of the GPU at small
sizes, so the whole script runs, and is tested, on a machine without one. Exit status: 0 all
checks passed, 1 a check failed, 2 the run could not start (no device, bad arguments).
Runs from a checkout without installing it (Python 3.11+, NumPy, CuPy for the GPU mode).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
import traceback
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from benchmarks.gpu import checks, msm_checks, report, timings, warm_cpu  # noqa: E402
from benchmarks.gpu.subjects import CpuSubject, GpuSubject  # noqa: E402

BUDGET_S = 480
TIMING_SHARE = 0.45  # checks stop starting once less than this share of the budget is left
WARM_SHARE = 0.4  # the CPU kernels' warm-up is waited for until this share of the budget is spent
REPORT_RESERVE_S = 10

# Check sizes per profile: "full" on a GPU, "dry" for --cpu-only.
CHECK_ARGS = {
    "full": {
        "fr": {"n": 1 << 16},
        "ntt": {"log_sizes": [10, 16, 20]},
        "poseidon": {"m": 2048, "sponge_shape": (64, 300)},
        "blake3": {"n_rows": 20_000},
        "msm": {"sizes": {"g1": [1 << 10, 1 << 16], "g2": [1 << 10, 1 << 14]}, "batch": 4},
        "prover": {"n_values": 16},
    },
    "dry": {
        "fr": {"n": 1024},
        "ntt": {"log_sizes": [3, 10]},
        "poseidon": {"m": 32, "sponge_shape": (4, 40)},
        "blake3": {"n_rows": 2000},
        "msm": {"sizes": {"g1": [256], "g2": [64]}, "batch": 2},
        "prover": {"n_values": 4},
    },
}


class Budget:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.start = time.perf_counter()

    def elapsed(self) -> float:
        return time.perf_counter() - self.start

    def left(self) -> float:
        return self.seconds - self.elapsed()


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version(), "numpy": np.__version__,
           "platform": platform.platform(), "cpu_count": str(os.cpu_count())}
    for name in ("cupy", "numba"):
        try:
            out[name] = __import__(name).__version__
        except Exception as exc:
            out[name] = f"unavailable ({type(exc).__name__})"
    return out


def _run_checks(results: dict, subject, cpu, rng, profile: str, budget: Budget) -> None:
    registry = {**checks.CHECKS, **msm_checks.CHECKS}
    for name, kwargs in {**CHECK_ARGS[profile], **msm_checks.CHECK_ARGS[profile]}.items():
        if budget.left() < budget.seconds * TIMING_SHARE:
            results["checks"].append({"name": name, "ok": None, "seconds": 0.0,
                                      "detail": f"skipped: {budget.left():.0f} s left for timings"})
            continue
        try:
            for record in registry[name](subject, cpu, rng, **kwargs):
                results["checks"].append(record)
                print(f"  {report._status(record['ok']):4} {record['name']}: {record['detail']}",
                      flush=True)
        except Exception as exc:  # a crash is a failed check, and the run goes on
            results["checks"].append({"name": name, "ok": False, "seconds": 0.0,
                                      "detail": f"raised {type(exc).__name__}: {exc}",
                                      "traceback": traceback.format_exc(limit=8)})
            print(f"  FAIL {name}: raised {type(exc).__name__}: {exc}", flush=True)


def _run_timings(results: dict, subject, cpu, rng, profile: str, budget: Budget) -> None:
    for case in timings.cases(profile) + msm_checks.cases(profile):
        if budget.left() < REPORT_RESERVE_S + 5:
            results["timings"].append({"case": case.name, "size": case.sizes[0], "subject": None,
                                       "cpu": None, "ratio": None, "skipped": "budget spent"})
            continue
        for record in timings.run_case(case, subject, cpu, rng, budget, REPORT_RESERVE_S):
            results["timings"].append(record)
            times = [f"{who} {record[who]['median_ms']:.3f} ms" for who in ("subject", "cpu")
                     if record[who]]
            print(f"  {record['case']} {record['size']}: {', '.join(times)} "
                  f"{record.get('skipped') or record.get('error') or ''}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", help="output folder (default: $ZKP_GPU_OUT)")
    parser.add_argument("--budget", type=float, default=BUDGET_S, help="seconds for the whole run")
    parser.add_argument("--seed", type=int, help="reproduce a run (default: fresh from os.urandom)")
    parser.add_argument("--cpu-only", "--dry-run", dest="cpu_only", action="store_true",
                        help="CPU backend in place of the GPU, small sizes (tests the plumbing)")
    args = parser.parse_args(argv)
    out = args.out or os.environ.get("ZKP_GPU_OUT")
    if not out:
        parser.error("give --out DIR or set ZKP_GPU_OUT")
    budget = Budget(args.budget)
    seed = args.seed if args.seed is not None else int.from_bytes(os.urandom(8), "little")
    rng = np.random.default_rng(seed)
    profile = "dry" if args.cpu_only else "full"
    results = {"started": datetime.now(timezone.utc).isoformat(timespec="seconds"), "seed": seed,
               "mode": "cpu-only" if args.cpu_only else "gpu", "budget_s": args.budget,
               "machine": _versions(), "compile_s": {}, "checks": [], "timings": []}
    try:
        subject = CpuSubject() if args.cpu_only else GpuSubject()
    except Exception as exc:
        print(f"cannot start: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
    warm_pool, warming = warm_cpu.start()  # Numba compiles in parallel with NVRTC
    results["compile_s"] = subject.compile()
    print(f"{subject.device}; compiled {results['compile_s']}", flush=True)
    results["cpu_warmup"] = warm_cpu.finish(warm_pool, warming,
                                            budget.seconds * WARM_SHARE - budget.elapsed())
    cpu = checks.Cpu()
    results.update(subject=subject.name, device=subject.device,
                   cpu_backend="ok" if cpu.ok else f"unavailable: {cpu.error}")
    print(f"CPU backend {results['cpu_backend']}, warm-up {results['cpu_warmup']}; seed {seed}",
          flush=True)
    print("checks", flush=True)
    _run_checks(results, subject, cpu, rng, profile, budget)
    print("timings", flush=True)
    _run_timings(results, subject, cpu, rng, profile, budget)
    results["memory"] = subject.memory()
    results["elapsed_s"] = round(budget.elapsed(), 1)
    print(report.write(Path(out), results), end="")
    return 1 if any(c["ok"] is False for c in results["checks"]) else 0


if __name__ == "__main__":
    sys.exit(main())
