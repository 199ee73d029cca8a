"""`zkp-ledger verify | verify-chain | proof | checkpoint | pubkey`: checking the ledger, and what
a third party needs to check it without us (inclusion proofs, signed checkpoints, the key).

Every verification signs a fresh checkpoint and checks it against the last checkpoint this
ledger directory verified (RFC 6962 consistency, ledger.witness_state), then remembers it.
"""

from __future__ import annotations

from pathlib import Path

import typer

from ledger.cli_common import EXIT_INVALID, emit_json, reports_errors
from ledger.cli_state import JsonOpt, console, open_ledger
from ledger.checkpoint import verify_checkpoint


@reports_errors
def verify_cmd(ctx: typer.Context,
               ref: str = typer.Argument(..., metavar="ID", help="entry or dataset reference"),
               data: Path = typer.Option(None, "--data",
                                         help="also check a notarize entry against this file"),
               json_out: bool = JsonOpt) -> None:
    """Verify one entry: exit 0 valid, 1 invalid.

    Checks log inclusion under a fresh signed checkpoint consistent with the last one verified,
    then what the entry claims (proofs, lineage, sums; with --data, the file)."""
    report = open_ledger(ctx).verify(ref, data)
    if json_out:
        emit_json(report.to_json())
    else:
        out = console()
        what = f"entry #{report.log_index} {report.entry_id[:16]} ({report.kind})"
        if report.ok:
            out.print(f"{what}: valid ({', '.join(report.checks)})")
        else:
            out.print(f"{what}: INVALID: {report.error}")
    if not report.ok:
        raise typer.Exit(EXIT_INVALID)


@reports_errors
def verify_chain_cmd(ctx: typer.Context, json_out: bool = JsonOpt) -> None:
    """Check the whole log: exit 0 valid, 1 broken (the first bad entry is named).

    Re-derives every entry, index and tree node and checks the log extends the remembered
    checkpoint."""
    result = open_ledger(ctx).verify_chain()
    if json_out:
        emit_json(result.to_json())
    else:
        out = console()
        if result.ok:
            out.print(f"chain valid: {result.size} entries, root {result.root}")
        else:
            out.print(f"chain INVALID ({result.size} entries):")
            for problem in result.problems:
                out.print(f"  {problem}")
    if not result.ok:
        raise typer.Exit(EXIT_INVALID)


@reports_errors
def proof_cmd(ctx: typer.Context,
              ref: str = typer.Argument(..., metavar="ID", help="entry reference"),
              json_out: bool = JsonOpt) -> None:
    """The entry's RFC 6962 inclusion proof (SHA-256) and the signed checkpoint it leads to."""
    proof = open_ledger(ctx).inclusion_proof(ref)
    if json_out:
        emit_json(proof.to_json())
    else:
        out = console()
        for key in ("entry_id", "leaf_index", "tree_size", "leaf_hash", "root"):
            out.print(f"{key:10} {getattr(proof, key)}")
        out.print("proof      " + "\n           ".join(proof.proof))
        out.print("checkpoint\n" + proof.checkpoint, end="")


@reports_errors
def checkpoint_cmd(ctx: typer.Context, json_out: bool = JsonOpt) -> None:
    """Print a freshly signed checkpoint of the log (C2SP signed note)."""
    ledger = open_ledger(ctx)
    note = ledger.checkpoint()
    if json_out:
        cp = verify_checkpoint(note, ledger.verifier)
        emit_json({"origin": cp.origin, "tree_size": cp.size, "root": cp.root.hex(),
                   "checkpoint": note})
    else:
        typer.echo(note, nl=False)


@reports_errors
def pubkey_cmd(ctx: typer.Context, json_out: bool = JsonOpt) -> None:
    """Print the log's verifier key (C2SP signed-note vkey: name+id+base64 key)."""
    verifier = open_ledger(ctx).verifier
    if json_out:
        emit_json({"vkey": verifier.vkey, "name": verifier.name,
                   "key_id": f"{verifier.key_id:08x}", "public_key": verifier.public_key.hex()})
    else:
        typer.echo(verifier.vkey)


def register(app: typer.Typer) -> None:
    app.command("verify")(verify_cmd)
    app.command("verify-chain")(verify_chain_cmd)
    app.command("proof")(proof_cmd)
    app.command("checkpoint")(checkpoint_cmd)
    app.command("pubkey")(pubkey_cmd)


__all__ = ["register"]
