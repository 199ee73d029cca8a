"""G1 MSM and Fr NTT: our CPU kernels vs ffjavascript (snarkjs's wasm engine), same inputs, one run.

Each size runs both implementations on identical bytes, checks the results agree (an independent
cross-check), and reports seconds and the ratio. The node side runs as its own process; its time is
measured inside node around the kernel call only (best of 2 after a warm-up), as is ours.

    python benchmarks/compare_kernels.py --msm 16 18 20 --ntt 16 18 20 22 --out bench-out/
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
NODE_SCRIPT = ROOT / "benchmarks" / "ffjs_baseline.mjs"


def _best(fn, repeats: int = 2) -> tuple[float, object]:
    out = fn()
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out


def _node(*args: str) -> dict:
    res = subprocess.run(["node", str(NODE_SCRIPT), *args], capture_output=True, text=True, cwd=ROOT)
    if res.returncode != 0:
        raise SystemExit(f"node baseline failed: {res.stderr}")
    return json.loads(res.stdout.strip().splitlines()[-1])


def random_scalars(m: int, rng: np.random.Generator) -> np.ndarray:
    s = rng.integers(0, np.iinfo(np.uint64).max, size=(m, 4), dtype=np.uint64, endpoint=True)
    s[:, 3] >>= np.uint64(2)  # below 2^254 < r: canonical
    return s


def msm_row(log_m: int, folder: Path, rng: np.random.Generator) -> dict:
    from kernels.cpu import msm, points

    m = 1 << log_m
    bases = msm.fixed_base_g1(points.G1_GENERATOR, random_scalars(m, rng))
    scalars = random_scalars(m, rng)
    (folder / "bases.bin").write_bytes(bases.astype("<u8").tobytes())
    (folder / "scalars.bin").write_bytes(scalars.astype("<u8").tobytes())
    ours_s, ours = _best(lambda: msm.msm_g1(bases, scalars))
    theirs = _node("msm", str(folder / "bases.bin"), str(folder / "scalars.bin"))
    ((x, y),) = points.g1_to_ints(ours[None])
    agree = (str(x), str(y)) == (theirs["x"], theirs["y"])
    return {"kernel": f"G1 MSM 2^{log_m}", "ours_s": round(ours_s, 4), "ffjavascript_s": round(theirs["seconds"], 4),
            "speedup": round(theirs["seconds"] / ours_s, 2), "results_agree": agree}


def ntt_row(log_n: int, folder: Path, rng: np.random.Generator) -> dict:
    from kernels.cpu import ntt

    values = random_scalars(1 << log_n, rng)  # any canonical limbs are valid Montgomery forms
    (folder / "fr.bin").write_bytes(values.astype("<u8").tobytes())
    ours_s, ours = _best(lambda: ntt.ntt(values))
    theirs = _node("fft", str(folder / "fr.bin"), str(folder / "fr_out.bin"))
    agree = (folder / "fr_out.bin").read_bytes() == ours.astype("<u8").tobytes()
    return {"kernel": f"Fr NTT 2^{log_n}", "ours_s": round(ours_s, 4), "ffjavascript_s": round(theirs["seconds"], 4),
            "speedup": round(theirs["seconds"] / ours_s, 2), "results_agree": agree}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--msm", type=int, nargs="*", default=[16, 18, 20])
    ap.add_argument("--ntt", type=int, nargs="*", default=[16, 18, 20, 22])
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    rng = np.random.default_rng(int.from_bytes(os.urandom(8), "little"))
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for k in args.msm:
            rows.append(msm_row(k, Path(tmp), rng))
            print(json.dumps(rows[-1]), flush=True)
        for k in args.ntt:
            rows.append(ntt_row(k, Path(tmp), rng))
            print(json.dumps(rows[-1]), flush=True)
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "compare_kernels.json").write_text(json.dumps(
            {"machine": platform.platform(), "cpus": os.cpu_count(), "rows": rows}, indent=2))
    if not all(r["results_agree"] for r in rows):
        raise SystemExit("results differ from ffjavascript")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
