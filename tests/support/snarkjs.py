"""Running the pinned snarkjs (npm, package-lock.json) from tests.

Outside CI a missing node/snarkjs skips the interop tests with a visible reason; in CI
(CI=true) it is an error, because `.ci/run` installs snarkjs and a silent skip would hide it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SNARKJS = ROOT / "node_modules" / ".bin" / "snarkjs"
PTAU = ROOT / "tests" / "fixtures" / "bls12381_pot11_final.ptau"

_missing = not SNARKJS.exists() or shutil.which("node") is None
if _missing and os.environ.get("CI"):
    raise RuntimeError("snarkjs is not installed but CI=true: run `npm ci` (make setup)")

requires_snarkjs = pytest.mark.skipif(_missing, reason="snarkjs (node) not installed: run `make setup`")


def snarkjs(*args: str | Path, cwd: Path | None = None, check: bool = True) -> subprocess.CompletedProcess:
    """Run snarkjs. With check, fail the test on a non-zero exit or a logged error (several
    snarkjs commands log "[ERROR]" and still exit 0)."""
    res = subprocess.run([str(SNARKJS), *map(str, args)], cwd=cwd, capture_output=True,
                         text=True, timeout=300)
    if check and (res.returncode != 0 or "[ERROR]" in res.stdout + res.stderr):
        pytest.fail(f"snarkjs {args[0]} failed:\n{res.stdout}\n{res.stderr}")
    return res
