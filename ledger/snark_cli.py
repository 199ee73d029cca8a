"""`zkp-ledger snark ...`: the snarkjs-compatible Groth16 verbs (same files as `snarkjs groth16`)."""

from __future__ import annotations

from pathlib import Path

import typer

from engine import snark
from ledger.cli_common import EXIT_INVALID, emit_json, reports_errors

app = typer.Typer(help="Groth16 over BLS12-381 with snarkjs-compatible files.", no_args_is_help=True)

BackendOpt = typer.Option("auto", "--backend", help="cpu, cuda or auto")
JsonOpt = typer.Option(False, "--json", help="machine-readable output")


@app.command("setup")
@reports_errors
def setup_cmd(circuit: Path, out: Path, dev: bool = typer.Option(False, "--dev", help="one-party dev setup (insecure, marked so)"),
              backend: str = BackendOpt, json_out: bool = JsonOpt) -> None:
    """Make a proving key CIRCUIT.r1cs -> OUT.zkey. Only --dev exists: production keys come from
    a snarkjs phase-2 ceremony (`snarkjs zkey contribute`/`beacon`), which prove reads directly."""
    if not dev:
        typer.echo("error: only --dev setup is built in; use a snarkjs phase-2 .zkey for production", err=True)
        raise typer.Exit(2)
    pk = snark.setup(circuit, out, backend)
    info = {"zkey": str(out), "n_vars": pk.n_vars, "n_public": pk.n_public,
            "domain_size": pk.domain_size, "insecure_dev": True}
    if json_out:
        emit_json(info)
    else:
        typer.echo(f"wrote {out} (insecure-dev key: {pk.n_vars} wires, {pk.n_public} public, "
                   f"domain 2^{pk.domain_power})")


@app.command("export-vkey")
@reports_errors
def export_vkey_cmd(zkey: Path, vkey: Path) -> None:
    """Write the verification key of ZKEY as snarkjs verification_key.json."""
    snark.export_vkey(zkey, vkey)
    typer.echo(f"wrote {vkey}")


@app.command("prove")
@reports_errors
def prove_cmd(zkey: Path, witness: Path, proof: Path, public: Path, backend: str = BackendOpt,
              json_out: bool = JsonOpt) -> None:
    """Prove with ZKEY and WITNESS.wtns; write PROOF.json and PUBLIC.json."""
    signals, timings = snark.prove(zkey, witness, proof, public, backend)
    if json_out:
        emit_json({"proof": str(proof), "public": str(public), "n_public": len(signals),
                   "seconds": timings.steps})
    else:
        typer.echo(f"wrote {proof} and {public} ({len(signals)} public signals)")


@app.command("verify")
@reports_errors
def verify_cmd(vkey: Path, public: Path, proof: Path, json_out: bool = JsonOpt) -> None:
    """Verify PROOF.json for PUBLIC.json under VKEY.json: exit 0 valid, 1 invalid, 3 bad input."""
    ok = snark.verify_files(vkey, public, proof)
    if json_out:
        emit_json({"valid": ok})
    else:
        typer.echo("OK: proof is valid" if ok else "INVALID: the proof does not verify for these public signals")
    if not ok:
        raise typer.Exit(EXIT_INVALID)
