"""Running the real `zkp-ledger` CLI in a subprocess (exit codes and output as a user sees them)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def zkp(*args: str | Path, timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ledger", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout)
