"""`zkp-ledger demo`: the README's main job until the ledger exists.

Builds a range-sum circuit (private values, each proved < 2^32, public sum), runs a dev setup,
proves, verifies through the same files a snarkjs user would use, and prints the timings.
"""

from __future__ import annotations

import secrets
import tempfile
import time
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from engine import snark
from engine.demo_circuits import range_sum_for_power
from engine.formats.r1cs_file import write_r1cs
from engine.formats.wtns_file import write_wtns
from ledger.cli_common import EXIT_INVALID, emit_json, reports_errors


@reports_errors
def demo_cmd(power: int = typer.Option(12, min=4, max=20, help="circuit fills a 2^POWER domain"),
             out: Path = typer.Option(None, help="keep the files here (default: a temp dir)"),
             backend: str = typer.Option("auto", "--backend", help="cpu, cuda or auto"),
             json_out: bool = typer.Option(False, "--json")) -> None:
    """Prove and verify a demo range-sum circuit end to end (dev setup, snarkjs-format files)."""
    steps: dict[str, float] = {}
    t = time.perf_counter()

    def mark(name: str) -> None:
        nonlocal t
        now = time.perf_counter()
        steps[name] = round(now - t, 4)
        t = now

    circuit = range_sum_for_power(power)
    mark("build circuit")
    with tempfile.TemporaryDirectory() as tmp:
        folder = out or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        files = {k: folder / v for k, v in dict(r1cs="circuit.r1cs", zkey="circuit.zkey", wtns="witness.wtns",
                                                 vkey="verification_key.json", proof="proof.json",
                                                 public="public.json").items()}
        write_r1cs(files["r1cs"], circuit.r1cs)
        values = [secrets.randbelow(1 << 32) for _ in range(circuit.r1cs.n_prv_in)]
        write_wtns(files["wtns"], circuit.witness({"values": values}))
        mark("witness")
        snark.setup(files["r1cs"], files["zkey"], backend)
        mark("dev setup")
        snark.export_vkey(files["zkey"], files["vkey"])
        public, timings = snark.prove(files["zkey"], files["wtns"], files["proof"], files["public"], backend)
        mark("prove")
        ok = snark.verify_files(files["vkey"], files["public"], files["proof"])
        mark("verify")
        result = {"circuit": circuit.name, "constraints": circuit.r1cs.n_constraints,
                  "public": [str(x) for x in public], "expected_sum": str(sum(values)), "valid": ok,
                  "seconds": steps, "files": {k: str(v) for k, v in files.items()} if out else None}
    if json_out:
        emit_json(result)
    else:
        table = Table(title=f"{circuit.name}: {circuit.r1cs.n_constraints} constraints")
        table.add_column("step")
        table.add_column("seconds", justify="right")
        for name, secs in steps.items():
            table.add_row(name, f"{secs:.3f}")
        console = Console()
        console.print(table)
        console.print(f"public sum = {public[0]} (expected {sum(values)}); proof "
                      + ("[green]valid[/green]" if ok else "[red]INVALID[/red]"))
    if not ok or public[0] != sum(values):
        raise typer.Exit(EXIT_INVALID)
