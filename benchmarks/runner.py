"""End-to-end notarization benchmark: every stage of issue 3 timed on one generated dataset.

`python -m benchmarks.runner --profile smoke|quick|full [--out DIR] [--workers N] [--json]`

Profiles (rows, shard size, statement) are in configs/benchmarks.toml. The runner writes the
Parquet file (benchmarks/datasets.py, from a child process), then:
1. warms up on the first shards (Numba compiles, shard key made or loaded, worker processes
   started), so that compile time is reported apart and not charged to any stage;
2. times the driver's ingest stages in one streaming pass of its own, with the library's
   functions: read, field encode, row encode, BLAKE3 leaves + Merkle root, Poseidon shard
   commitments. The root and commitments must equal the notarization's (a cross-check);
3. runs `notarize` with its per-stage `timings` (scan, key, shards; the workers' summed
   witness and prove seconds; batch proof verification), with a progress bar over shards;
4. times `verify_notarization` with the data and the secret (proofs, row root, sums and
   commitments recomputed), which must pass.
Memory (getrusage peaks): the driver's RSS; with --workers > 1, the largest worker's RSS (the
largest child: a spawned worker starts out counting the driver's RSS at the fork); Arrow's
memory pool peak in the driver. Writes
results.json and results.txt (a table) to --out, or to a temporary folder.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from pathlib import Path
from typing import TypeVar

import numba
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from pydantic import BaseModel, ConfigDict, Field

from engine import merkle
from engine.dataset import (StatementOptions, StatementSpec, encode_batch, encode_rows,
                            open_dataset, resolve_statement)
from engine.dataset_scan import SCAN_BATCH_ROWS
from engine.errors import VerificationError
from engine.executor import Executor, InProcessExecutor, LocalExecutor
from engine.notarization import DatasetNotarization, verify_notarization
from engine.notarize import notarize
from engine.proving_keys import ensure_key
from engine.salt import shard_salt
from engine.shard_circuit import ShardShape, shard_circuit

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "configs" / "benchmarks.toml"
SECRET = b"benchmark notarizer secret (32+ bytes)"
INGEST_STAGES = ("read", "field_encode", "row_encode", "blake3_merkle", "poseidon_commitments")
STAGES = (*INGEST_STAGES, "witness", "prove", "verify")

J = TypeVar("J")
T = TypeVar("T")


class Profile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    rows: int = Field(ge=1)
    shard_rows: int = 1 << 10
    seed: int = 1


class BenchConfig(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    statement: StatementOptions
    profiles: dict[str, Profile]

    def options(self, profile: Profile) -> StatementOptions:
        return self.statement.model_copy(update={"shard_rows": profile.shard_rows})


def load_config(path: Path = CONFIG) -> BenchConfig:
    with open(path, "rb") as fh:
        return BenchConfig.model_validate(tomllib.load(fh))


class ProgressExecutor:
    """Runs the jobs through `inner` a chunk at a time and reports shards done after each."""

    def __init__(self, inner: Executor, chunk: int, advance: Callable[[int], None]):
        self.inner, self.chunk, self.advance = inner, max(1, chunk), advance

    def map(self, fn: Callable[[J], T], jobs: Sequence[J]) -> list[T]:
        out: list[T] = []
        for start in range(0, len(jobs), self.chunk):
            out += self.inner.map(fn, jobs[start:start + self.chunk])
            self.advance(len(out))
        return out


def time_ingest(path: Path, statement: StatementSpec, secret: bytes
                ) -> tuple[dict[str, float], str, list[int]]:
    """Seconds per driver ingest stage, the BLAKE3 row root (hex) and the shard commitments."""
    size = statement.shard_rows
    circuit = shard_circuit(ShardShape.for_statement(statement))
    reader = open_dataset(path, batch_rows=max(size, SCAN_BATCH_ROWS))
    sha256 = reader.digest().sha256
    seconds = dict.fromkeys(INGEST_STAGES, 0.0)
    leaves, commitments = [], []
    batches = iter(reader)
    while True:
        t0 = time.perf_counter()
        batch = next(batches, None)
        t1 = time.perf_counter()
        seconds["read"] += t1 - t0
        if batch is None:
            break
        values = encode_batch(batch.data, statement, start_row=batch.start_row).T
        t2 = time.perf_counter()
        rows = encode_rows(batch.data, batch.start_row)
        t3 = time.perf_counter()
        leaves.append(merkle.BLAKE3.leaves(rows.buffer, rows.offsets))
        t4 = time.perf_counter()
        for lo in range(0, batch.num_rows, size):
            index = (batch.start_row + lo) // size
            commitments.append(circuit.commitment(index, shard_salt(secret, sha256, index),
                                                  np.ascontiguousarray(values[lo:lo + size])))
        t5 = time.perf_counter()
        for stage, dt in zip(INGEST_STAGES[1:], (t2 - t1, t3 - t2, t4 - t3, t5 - t4)):
            seconds[stage] += dt
    t0 = time.perf_counter()
    root = merkle.root(merkle.BLAKE3, np.concatenate(leaves)).hex()
    seconds["blake3_merkle"] += time.perf_counter() - t0
    return seconds, root, commitments


def _progress(total: int, fancy: bool):
    """(advance(done), close()) for a bar over `total` shards: rich on a TTY, lines otherwise."""
    if fancy:
        from rich.progress import Progress
        bar = Progress()
        task = bar.add_task("proving shards", total=total)
        bar.start()
        return (lambda done: bar.update(task, completed=done)), bar.stop
    step = max(1, total // 10)
    state = {"last": 0}

    def advance(done: int) -> None:
        if done - state["last"] >= step or done == total:
            state["last"] = done
            print(f"shards {done}/{total}", file=sys.stderr, flush=True)
    return advance, lambda: None


def _cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo (platform.processor() forks, skewing RSS peaks)."""
    try:
        with open("/proc/cpuinfo") as fh:
            names = [ln.split(":", 1)[1].strip() for ln in fh if ln.startswith("model name")]
    except OSError:
        names = []
    return names[0] if names else platform.machine()


def _peak_mib(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # Linux: KiB


def run_profile(name: str, out: Path, *, workers: int = 1, shard_rows: int | None = None,
                fancy: bool = False, config: BenchConfig | None = None) -> dict:
    """Generate the profile's dataset in `out`, run every stage, return the results."""
    config = config or load_config()
    profile = config.profiles[name]
    if shard_rows is not None:
        profile = profile.model_copy(update={"shard_rows": shard_rows})
    data = out / f"bench-{profile.rows}.parquet"
    subprocess.run([sys.executable, "-m", "benchmarks.datasets", str(profile.rows), str(data),
                    "--seed", str(profile.seed)], check=True, cwd=ROOT)
    reader = open_dataset(data)
    statement = resolve_statement(reader.schema, config.options(profile),
                                  sample=next(iter(reader)).data, file=reader.display)
    shape = ShardShape.for_statement(statement)
    n_shards = -(-profile.rows // profile.shard_rows)
    pool = LocalExecutor(workers) if workers > 1 else None
    with pool or nullcontext():
        inner: Executor = pool or InProcessExecutor()
        t0 = time.perf_counter()
        warm = out / "warmup.parquet"
        first = next(pq.ParquetFile(data).iter_batches(profile.shard_rows * workers))
        pq.write_table(pa.Table.from_batches([first]), warm)
        notarize(warm, secret=SECRET, statement=statement, executor=inner)
        time_ingest(warm, statement, SECRET)
        warmup = time.perf_counter() - t0

        ingest, row_root, commitments = time_ingest(data, statement, SECRET)
        advance, close = _progress(n_shards, fancy)
        timings: dict[str, float] = {}
        t0 = time.perf_counter()
        try:
            record = notarize(data, secret=SECRET, statement=statement, timings=timings,
                              executor=ProgressExecutor(inner, 2 * workers, advance))
        finally:
            close()
        notarize_wall = time.perf_counter() - t0
    _cross_check(record, row_root, commitments)
    vk = ensure_key(shard_circuit(shape).circuit.r1cs)[1].vk
    t0 = time.perf_counter()
    checks = verify_notarization(record, vk, data=data, secret=SECRET)
    verify = time.perf_counter() - t0
    stages = {**ingest, "witness": timings["shard_witness"], "prove": timings["shard_prove"],
              "verify": verify}
    return {
        "machine": {"platform": platform.platform(), "cpu": _cpu_model(),
                    "python": platform.python_version(), "cpu_count": os.cpu_count(),
                    "numba_threads": numba.get_num_threads()},
        "profile": name, "rows": record.row_count, "shard_rows": profile.shard_rows,
        "shards": len(record.shards), "workers": workers, "columns": list(statement.names),
        "constraints_per_shard": shard_circuit(shape).n_constraints,
        "file_bytes": record.byte_size,
        "stages_s": stages,
        "notarize_s": {"wall": notarize_wall, **timings},
        "warmup_s": warmup,
        "peak_memory_mib": {"driver_rss": _peak_mib(resource.RUSAGE_SELF),
                            "workers_rss": _peak_mib(resource.RUSAGE_CHILDREN) if pool else None,
                            "arrow_pool": pa.default_memory_pool().max_memory() / (1 << 20)},
        "verified": checks,
    }


def _cross_check(record: DatasetNotarization, row_root: str, commitments: list[int]) -> None:
    if record.row_root != row_root:
        raise VerificationError("the timed ingest pass and the notarization disagree on the "
                                "row root")
    if [int(s.commitment, 16) for s in record.shards] != commitments:
        raise VerificationError("the timed commitments differ from the notarization's")


def format_table(r: dict) -> str:
    m = r["machine"]
    lines = [f"profile {r['profile']}: {r['rows']:,} rows, {r['shards']} shards of "
             f"{r['shard_rows']} rows ({r['constraints_per_shard']:,} constraints each), "
             f"{r['workers']} worker(s)",
             f"machine: {m['platform']}, {m['cpu']}, {m['cpu_count']} CPUs",
             f"{'stage':22s} {'seconds':>10s} {'rows/s':>12s}"]
    for stage, s in r["stages_s"].items():
        lines.append(f"{stage:22s} {s:10.3f} {r['rows'] / s if s else 0:12,.0f}")
    n = r["notarize_s"]
    lines.append(f"notarize wall {n['wall']:.2f} s (scan {n['scan']:.2f}, key {n['key']:.2f}, "
                 f"shards {n['shards']:.2f}, proof check {n['verify']:.3f}); "
                 f"warm-up {r['warmup_s']:.2f} s")
    lines.append(f"witness and prove are worker seconds summed over shards; per shard: "
                 f"{r['stages_s']['witness'] / r['shards']:.3f} s witness, "
                 f"{r['stages_s']['prove'] / r['shards']:.3f} s prove")
    p = r["peak_memory_mib"]
    workers = "" if p["workers_rss"] is None else f", workers RSS {p['workers_rss']:.0f} MiB"
    lines.append(f"peak memory: driver RSS {p['driver_rss']:.0f} MiB{workers}, "
                 f"Arrow pool {p['arrow_pool']:.0f} MiB")
    lines.append(f"verified: {', '.join(r['verified'])}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    config = load_config()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile", choices=sorted(config.profiles), default="quick")
    parser.add_argument("--out", type=Path, help="folder for the dataset and results "
                        "(default: a temporary folder, results printed only)")
    parser.add_argument("--workers", type=int, default=1, help="worker processes (1: in-process)")
    parser.add_argument("--shard-rows", type=int, help="override the profile's shard size")
    parser.add_argument("--json", action="store_true", help="print results.json to stdout")
    args = parser.parse_args(argv)
    if args.workers < 1:
        parser.error("--workers must be at least 1")
    with tempfile.TemporaryDirectory() as tmp:
        out = args.out or Path(tmp)
        out.mkdir(parents=True, exist_ok=True)
        fancy = sys.stdout.isatty() and not args.json
        results = run_profile(args.profile, out, workers=args.workers,
                              shard_rows=args.shard_rows, fancy=fancy, config=config)
        table = format_table(results)
        if args.out:
            (out / "results.json").write_text(json.dumps(results, indent=2) + "\n")
            (out / "results.txt").write_text(table + "\n")
    print(json.dumps(results, indent=2) if args.json else table)


if __name__ == "__main__":
    main()
