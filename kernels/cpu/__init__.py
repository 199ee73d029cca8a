"""CPU backend: Numba njit kernels over numpy limb arrays (64-bit limbs, Montgomery form).

Two process-wide settings are made here, before any kernel module loads:

- OMP_WAIT_POLICY=PASSIVE. Numba's OpenMP layer spin-waits at every barrier by default; on shared
  cores (CI runners, two-core VMs, a busy laptop) the spinning thread steals the time slice its
  partner needs: six 2^16 NTTs took 230-270 ms with two threads on a loaded two-core machine
  against 127 ms with passive waiting. Passive waiting costs a wake-up per parallel region.
- The on-disk JIT cache directory is keyed by a hash of this package's sources. Numba validates a
  cached function only against the timestamp of the file that defines it, so after an edit to
  fp.py a cached MSM kernel in another file would silently keep the old arithmetic. A new key per
  source change makes that impossible. NUMBA_CACHE_DIR, when set, wins (CI sets it).
"""

import hashlib
import os
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def _cache_dir() -> str:
    sources = sorted(Path(__file__).parent.glob("*.py"))
    digest = hashlib.sha256(b"".join(p.name.encode() + p.read_bytes() for p in sources)).hexdigest()
    root = os.environ.get("ZKP_LEDGER_CACHE") or Path.home() / ".cache" / "zkp-ledger"
    return str(Path(root) / f"numba-{digest[:16]}")


if "NUMBA_CACHE_DIR" not in os.environ:
    os.environ["NUMBA_CACHE_DIR"] = _cache_dir()
    import numba.core.config

    numba.core.config.CACHE_DIR = os.environ["NUMBA_CACHE_DIR"]
