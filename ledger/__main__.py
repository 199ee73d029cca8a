"""`python -m ledger` runs the zkp-ledger CLI."""

from ledger.cli import app

app(prog_name="zkp-ledger")
