"""The `zkp-ledger` command line (typer). Exit codes: 0 ok, 1 invalid, 2 usage, 3 bad input,
4 a job that could not finish (ledger.cli_common).

Commands live in small modules by topic: cli_ledger (init, digest, row-proof), cli_notarize
(notarize), cli_lineage (transform, split), cli_recertify (recertify), cli_verify (verify,
verify-chain, proof, checkpoint, pubkey), cli_browse (log, show, audit, export), snark_cli
(`snark ...`), demo. The global `--ledger DIR` (env ZKP_LEDGER_DIR, default ./ledger-data) is
an option of the app itself: `zkp-ledger --ledger DIR COMMAND ...`.
"""

from __future__ import annotations

from pathlib import Path

import typer

from ledger import (cli_browse, cli_ledger, cli_lineage, cli_notarize, cli_recertify, cli_verify,
                    demo, snark_cli)
from ledger.cli_state import DEFAULT_LEDGER_DIR, CliState

app = typer.Typer(help="Groth16 proofs and an append-only ledger for ML dataset provenance.",
                  no_args_is_help=True, pretty_exceptions_enable=False)


@app.callback()
def _global_options(ctx: typer.Context,
                    ledger: Path = typer.Option(DEFAULT_LEDGER_DIR, "--ledger",
                                                envvar="ZKP_LEDGER_DIR", metavar="DIR",
                                                help="the ledger directory")) -> None:
    ctx.obj = CliState(ledger)


cli_ledger.register(app)
cli_notarize.register(app)
cli_lineage.register(app)
cli_recertify.register(app)
cli_verify.register(app)
cli_browse.register(app)
app.add_typer(snark_cli.app, name="snark")
app.command("demo")(demo.demo_cmd)


def main() -> None:  # pragma: no cover - console entry point
    app()
