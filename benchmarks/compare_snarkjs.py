"""Side-by-side Groth16 timings: `zkp-ledger snark prove/verify` vs `snarkjs groth16 prove/verify`.

Same R1CS (range-sum demo circuit filling a 2^k domain), same witness, same `.zkey` (our dev setup;
snarkjs proves with it directly) on the same machine in one run. Whole commands are timed as a user
runs them (process start, file reads, JIT cache load); in-process prove and verify are timed too.

    python benchmarks/compare_snarkjs.py --powers 12 14 16 --out bench-out/
"""

from __future__ import annotations

import argparse
import json
import platform
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SNARKJS = ROOT / "node_modules" / ".bin" / "snarkjs"


def timed(cmd: list[str]) -> float:
    t = time.perf_counter()
    res = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    elapsed = time.perf_counter() - t
    if res.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{res.stdout}\n{res.stderr}")
    return elapsed


def best(cmd: list[str], repeats: int) -> float:
    return min(timed(cmd) for _ in range(repeats))


def run_power(power: int, folder: Path, repeats: int) -> dict:
    from engine import snark
    from engine.demo_circuits import range_sum_for_power
    from engine.formats.r1cs_file import write_r1cs
    from engine.formats.snarkjs_json import read_proof, read_public, read_vkey
    from engine.formats.wtns_file import read_wtns, write_wtns
    from engine.groth16.prover import ProverContext
    from engine.groth16.verifier import prepare, verify

    circuit = range_sum_for_power(power)
    values = [secrets.randbelow(1 << 32) for _ in range(circuit.r1cs.n_prv_in)]
    f = {k: folder / f"p{power}.{k}" for k in ("r1cs", "wtns", "zkey")}
    write_r1cs(f["r1cs"], circuit.r1cs)
    write_wtns(f["wtns"], circuit.witness({"values": values}))
    t = time.perf_counter()
    snark.setup(f["r1cs"], f["zkey"])
    setup_s = time.perf_counter() - t
    vk = folder / f"p{power}.vk.json"
    snark.export_vkey(f["zkey"], vk)
    ours = [sys.executable, "-m", "ledger", "snark"]
    out = {k: folder / f"p{power}.{k}" for k in ("proof.json", "public.json", "sj_proof.json", "sj_public.json")}
    ours_prove = best(ours + ["prove", str(f["zkey"]), str(f["wtns"]), str(out["proof.json"]), str(out["public.json"])], repeats)
    sj_prove = best([str(SNARKJS), "groth16", "prove", str(f["zkey"]), str(f["wtns"]), str(out["sj_proof.json"]), str(out["sj_public.json"])], repeats)
    ours_verify = best(ours + ["verify", str(vk), str(out["public.json"]), str(out["proof.json"])], repeats)
    sj_verify = best([str(SNARKJS), "groth16", "verify", str(vk), str(out["public.json"]), str(out["proof.json"])], repeats)

    pk = snark.load_proving_key(f["zkey"])
    ctx = ProverContext.build(pk)
    w = read_wtns(f["wtns"])
    ctx.prove(w)
    in_proc = []
    for _ in range(repeats):
        t = time.perf_counter()
        ctx.prove(w)
        in_proc.append(time.perf_counter() - t)
    pvk = prepare(read_vkey(vk))
    proof, public = read_proof(out["proof.json"]), read_public(out["public.json"])
    ver = []
    for _ in range(50):
        t = time.perf_counter()
        assert verify(pvk, public, proof)
        ver.append(time.perf_counter() - t)
    return {
        "power": power, "constraints": circuit.r1cs.n_constraints, "dev_setup_s": round(setup_s, 3),
        "prove_cmd_ours_s": round(ours_prove, 3), "prove_cmd_snarkjs_s": round(sj_prove, 3),
        "prove_cmd_speedup": round(sj_prove / ours_prove, 2),
        "prove_in_process_s": round(min(in_proc), 3),
        "verify_cmd_ours_s": round(ours_verify, 3), "verify_cmd_snarkjs_s": round(sj_verify, 3),
        "verify_in_process_ms": round(statistics.median(ver) * 1e3, 3),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--powers", type=int, nargs="+", default=[12, 14, 16])
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--out", type=Path, default=None, help="write results.json here")
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for power in args.powers:
            rows.append(run_power(power, Path(tmp), args.repeats))
            print(json.dumps(rows[-1]), flush=True)
    report = {"machine": f"{platform.node()} {platform.processor() or platform.machine()}",
              "cpus": __import__("os").cpu_count(), "rows": rows}
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "compare_snarkjs.json").write_text(json.dumps(report, indent=2))
    print(f"{'k':>3} {'constraints':>11} {'ours prove':>10} {'snarkjs':>8} {'x':>5} {'ours verify':>11} {'snarkjs':>8} {'in-proc verify ms':>17}")
    for r in rows:
        print(f"{r['power']:>3} {r['constraints']:>11} {r['prove_cmd_ours_s']:>10} {r['prove_cmd_snarkjs_s']:>8} "
              f"{r['prove_cmd_speedup']:>5} {r['verify_cmd_ours_s']:>11} {r['verify_cmd_snarkjs_s']:>8} {r['verify_in_process_ms']:>17}")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
