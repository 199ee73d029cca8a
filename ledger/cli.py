"""The `zkp-ledger` command line (typer). Exit codes: 0 ok, 1 invalid, 2 usage, 3 bad input."""

from __future__ import annotations

import typer

from ledger import demo, snark_cli

app = typer.Typer(help="Groth16 proofs and an append-only ledger for ML dataset provenance.",
                  no_args_is_help=True, pretty_exceptions_enable=False)
app.add_typer(snark_cli.app, name="snark")
app.command("demo")(demo.demo_cmd)


def main() -> None:  # pragma: no cover - console entry point
    app()
