"""Cluster numbers for docs/scaling.md: the driver's cost of planning from metadata, and shard
throughput through RayExecutor with 1 and 2 worker nodes on this machine.

`python -m benchmarks.bench_cluster [--out FILE] [--skip-planning] [--skip-throughput]`
prints one JSON document:

- planning, per dataset (1M rows: the benchmark dataset of benchmarks/datasets.py; 100M rows: the
  same four columns and row groups of 2^17 rows, but each column constant within a row group, so
  the data pages are RLE runs of a few bytes and the file is small while its footer has the shape
  of the real 100M-row file's: 763 row groups x 4 column chunks with statistics). Each is
  measured in a fresh child process: wall and CPU seconds and peak RSS above the process's
  baseline for `parquet_plan` (footer only) and `shard_jobs` (the engine jobs) at 1024-row
  shards, the footer's size, and separately the sha256 of the file's bytes (the one whole-file
  read left on the driver; GB/s);
- throughput, per worker-node count: a `ray.cluster_utils.Cluster` on this machine (a head that
  only drives, N nodes of 1 CPU, one prover actor each), jobs planned from the footer of a
  benchmark-dataset file cut into 16-row shards, a warm-up map (one shard per actor: key and
  kernels loaded), then the timed map: shards/s, the driver's CPU seconds per shard, each
  worker stage's mean seconds; plus the round trip of a no-op job (the dispatch rate of one
  driver loop) and an in-process baseline on the driver;
- scan (with --scan): the 1M-row dataset's scan with commitments on the driver
  (engine.dataset_scan) and as shard jobs on the cluster (cluster.distributed_scan), checked
  equal, with the driver's CPU seconds for each.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parent.parent
GROUP_ROWS = 1 << 17
PLAN_SHARD_ROWS = 1024
SECRET = b"bench cluster secret, 32 bytes!!"


def write_footer_shaped(path: Path, rows: int) -> None:
    """The benchmark schema, `rows` rows in groups of 2^17, every column constant per group."""
    schema = pa.schema([("id", pa.int64()), ("price", pa.float64()), ("name", pa.string()),
                        ("qty", pa.int32())])
    with pq.ParquetWriter(path, schema) as writer:
        for g, start in enumerate(range(0, rows, GROUP_ROWS)):
            n = min(GROUP_ROWS, rows - start)
            writer.write_table(pa.table({
                "id": pa.array(np.full(n, start, np.int64)),
                "price": pa.array(np.full(n, (g % 2000 - 1000) / 100.0)),
                "name": pa.array([f"customer-{g}"] * n),
                "qty": pa.array(np.full(n, g % 1000, np.int32))}, schema=schema),
                row_group_size=GROUP_ROWS)


def _usage() -> tuple[float, int]:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime, r.ru_maxrss * 1024


def measure_planning(path: Path) -> dict:
    """In this (fresh) process: the driver's cost of planning `path` from its footer."""
    from benchmarks.runner import load_config
    from cluster.planning import parquet_plan, shard_jobs
    from engine.dataset import resolve_statement
    from engine.proving_keys import KeyRef

    options = load_config().statement.model_copy(update={"shard_rows": PLAN_SHARD_ROWS})
    schema = pq.read_schema(path)
    statement = resolve_statement(schema, options)
    key = KeyRef("/keys/shard.zkey", "0" * 64, "1" * 64, True)  # planning never opens it
    cpu0, rss0 = _usage()
    t0 = time.perf_counter()
    plan = parquet_plan(path, PLAN_SHARD_ROWS)
    t1 = time.perf_counter()
    cpu1, rss1 = _usage()
    jobs = shard_jobs(plan, statement, key, SECRET, "2" * 64)
    t2 = time.perf_counter()
    cpu2, rss2 = _usage()
    with open(path, "rb") as fh:
        fh.seek(-8, os.SEEK_END)
        footer_bytes = int.from_bytes(fh.read(4), "little")
    t3 = time.perf_counter()
    with open(path, "rb") as fh:
        hashlib.file_digest(fh, "sha256")
    sha_seconds = time.perf_counter() - t3
    return {
        "rows": plan.row_count, "file_bytes": plan.byte_size, "row_groups": len(plan.group_rows),
        "footer_bytes": footer_bytes, "shards": len(jobs),
        "plan_seconds": t1 - t0, "plan_cpu_seconds": cpu1 - cpu0,
        "plan_peak_rss_growth_bytes": rss1 - rss0,
        "jobs_seconds": t2 - t1, "jobs_cpu_seconds": cpu2 - cpu1,
        "jobs_peak_rss_growth_bytes": rss2 - rss0,
        "baseline_rss_bytes": rss0,
        "sha256_seconds": sha_seconds,
        "sha256_gb_per_s": plan.byte_size / sha_seconds / 1e9,
    }


def planning_numbers(folder: Path) -> dict:
    files = {"1M": folder / "bench-1M.parquet", "100M": folder / "footer-100M.parquet"}
    subprocess.run([sys.executable, "-m", "benchmarks.datasets", str(1_000_000),
                    str(files["1M"])], check=True, cwd=ROOT)
    subprocess.run([sys.executable, "-m", "benchmarks.bench_cluster", "--write-footer-shaped",
                    str(100_000_000), str(files["100M"])], check=True, cwd=ROOT)
    out = {}
    for name, path in files.items():
        done = subprocess.run([sys.executable, "-m", "benchmarks.bench_cluster",
                               "--measure-planning", str(path)], check=True, cwd=ROOT,
                              capture_output=True, text=True)
        out[name] = json.loads(done.stdout)
    return out


def _noop(job):
    return job


def throughput_numbers(folder: Path, node_counts: list[int], shards: int) -> dict:
    import ray
    from ray.cluster_utils import Cluster

    from benchmarks.datasets import write_parquet
    from benchmarks.runner import load_config
    from cluster.planning import parquet_plan, shard_jobs
    from cluster.ray_executor import RayExecutor
    from engine.dataset import open_dataset, resolve_statement
    from engine.executor import InProcessExecutor
    from engine.key_cache import file_sha256
    from engine.notarize import prove_shard
    from engine.proving_keys import ensure_key
    from engine.shard_circuit import ShardShape, shard_circuit

    shard_rows = 16
    path = folder / "throughput.parquet"
    write_parquet(path, shard_rows * shards)
    options = load_config().statement.model_copy(update={"shard_rows": shard_rows})
    reader = open_dataset(path)
    statement = resolve_statement(reader.schema, options, sample=next(iter(reader)).data)
    key, _ = ensure_key(shard_circuit(ShardShape.for_statement(statement)).circuit.r1cs)
    jobs = shard_jobs(parquet_plan(path, shard_rows), statement, key, SECRET, file_sha256(path))

    ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])
    results: dict = {"shard_rows": shard_rows, "shards": len(jobs), "nodes": {}}
    InProcessExecutor().map(prove_shard, jobs[:1])  # warm this process
    t0 = time.perf_counter()
    InProcessExecutor().map(prove_shard, jobs[:4])
    results["in_process_shards_per_s"] = 4 / (time.perf_counter() - t0)
    for n in node_counts:
        cluster = Cluster(initialize_head=True, connect=True,
                          head_node_args={"num_cpus": 0, "include_dashboard": False})
        try:
            for _ in range(n):
                cluster.add_node(num_cpus=1)
            cluster.wait_for_nodes()
            with RayExecutor(actors=n, num_cpus_per_actor=1, backup_after=0) as ex:
                ex.map(prove_shard, jobs[:n])  # one shard per actor: key, kernels loaded
                cpu0, _ = _usage()
                t0 = time.perf_counter()
                out = ex.map(prove_shard, jobs)
                wall = time.perf_counter() - t0
                cpu1, _ = _usage()
                stages = {s: statistics.mean(r.seconds[s] for r in out)
                          for s in ("load", "read", "witness", "prove")}
                placement = ex.last_report.placement
                noop_jobs = list(range(1000))
                cpu2, _ = _usage()
                t1 = time.perf_counter()
                ex.map(_noop, noop_jobs)
                noop_wall = time.perf_counter() - t1
                cpu3, _ = _usage()
                results["nodes"][n] = {
                    "wall_seconds": wall, "shards_per_s": len(jobs) / wall,
                    "driver_cpu_seconds_per_shard": (cpu1 - cpu0) / len(jobs),
                    "worker_mean_seconds": stages,
                    "shards_per_node": sorted(placement.count(n) for n in set(placement)),
                    "noop_calls_per_s": len(noop_jobs) / noop_wall,
                    "noop_driver_cpu_seconds_per_call": (cpu3 - cpu2) / len(noop_jobs),
                }
        finally:
            ray.shutdown()
            cluster.shutdown()
    return results


def scan_numbers(folder: Path, node_counts: list[int]) -> dict:
    """The 1M-row dataset's scan (row root, sums, commitments at 1024-row shards): on the driver
    (engine.dataset_scan) and as shard jobs on 1 and 2 worker nodes (cluster.distributed_scan),
    with the driver's CPU seconds for each."""
    import ray
    from ray.cluster_utils import Cluster

    from benchmarks.datasets import write_parquet
    from benchmarks.runner import load_config
    from cluster.distributed_scan import scan_on_cluster
    from cluster.ray_executor import RayExecutor
    from engine.dataset import open_dataset, resolve_statement
    from engine.dataset_scan import scan_dataset

    path = folder / "scan-1M.parquet"
    write_parquet(path, 1_000_000)
    options = load_config().statement.model_copy(update={"shard_rows": PLAN_SHARD_ROWS})
    reader = open_dataset(path)
    statement = resolve_statement(reader.schema, options, sample=next(iter(reader)).data)
    scan_dataset(path, statement, secret=SECRET)  # warm: kernels compiled or loaded
    cpu0, _ = _usage()
    t0 = time.perf_counter()
    expected = scan_dataset(path, statement, secret=SECRET)
    out: dict = {"rows": 1_000_000, "shard_rows": PLAN_SHARD_ROWS,
                 "driver_scan_seconds": time.perf_counter() - t0,
                 "driver_scan_cpu_seconds": _usage()[0] - cpu0, "cluster": {}}
    for n in node_counts:
        cluster = Cluster(initialize_head=True, connect=True,
                          head_node_args={"num_cpus": 0, "include_dashboard": False})
        try:
            for _ in range(n):
                cluster.add_node(num_cpus=1)
            cluster.wait_for_nodes()
            with RayExecutor(actors=n, num_cpus_per_actor=1, backup_after=0) as ex:
                scan_on_cluster(path, statement, executor=ex, secret=SECRET)  # warm actors
                cpu0, _ = _usage()
                t0 = time.perf_counter()
                scan = scan_on_cluster(path, statement, executor=ex, secret=SECRET)
                wall = time.perf_counter() - t0
                if scan != expected:
                    raise AssertionError("the cluster scan differs from the driver's")
                out["cluster"][n] = {"seconds": wall, "driver_cpu_seconds": _usage()[0] - cpu0,
                                     "shard_mean_seconds":
                                         statistics.mean(ex.last_report.shard_seconds)}
        finally:
            ray.shutdown()
            cluster.shutdown()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out")
    parser.add_argument("--skip-planning", action="store_true")
    parser.add_argument("--skip-throughput", action="store_true")
    parser.add_argument("--scan", action="store_true",
                        help="also time the 1M-row scan on the driver and on the cluster")
    parser.add_argument("--shards", type=int, default=32)
    parser.add_argument("--nodes", default="1,2")
    parser.add_argument("--write-footer-shaped", nargs=2, metavar=("ROWS", "PATH"))
    parser.add_argument("--measure-planning", metavar="PATH")
    args = parser.parse_args()
    if args.write_footer_shaped:
        write_footer_shaped(Path(args.write_footer_shaped[1]), int(args.write_footer_shaped[0]))
        return
    if args.measure_planning:
        print(json.dumps(measure_planning(Path(args.measure_planning))))
        return
    os.environ.setdefault("RAY_AUTH_MODE", "disabled")
    ray_tmp = os.environ.setdefault("RAY_TMPDIR", f"/tmp/zb{os.getpid()}")
    report: dict = {"machine": f"{os.cpu_count()} CPUs", "load_average": os.getloadavg()}
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.setdefault("ZKP_LEDGER_CACHE", str(Path(tmp) / "cache"))
        if not args.skip_planning:
            report["planning"] = planning_numbers(Path(tmp))
        if not args.skip_throughput:
            nodes = [int(n) for n in args.nodes.split(",")]
            report["throughput"] = throughput_numbers(Path(tmp), nodes, args.shards)
        if args.scan:
            report["scan"] = scan_numbers(Path(tmp), [int(n) for n in args.nodes.split(",")])
    report["load_average_after"] = os.getloadavg()
    if ray_tmp == f"/tmp/zb{os.getpid()}":
        shutil.rmtree(ray_tmp, ignore_errors=True)
    text = json.dumps(report, indent=2)
    if args.out:
        Path(args.out).write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
