"""Append-only LMDB ledger, checkpoints, lineage, audit, export, CLI and Python API."""
