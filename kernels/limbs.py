"""Conversions between Python ints and little-endian uint64 limb arrays (no field arithmetic).

Array conventions used across kernels/ and engine/:
- Fr scalars: (m, 4) uint64, standard form (not Montgomery) unless a name says `_mont`.
- Fp elements: (..., 6) uint64, Montgomery form (R = 2^384, as in snarkjs `.zkey` files).
- G1 affine points: (m, 2, 6) uint64 Montgomery [x, y]; the point at infinity is all zeros.
- G2 affine points: (m, 2, 2, 6) uint64 Montgomery [x, y][c0, c1]; infinity is all zeros.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np


def ints_to_limbs(values: Iterable[int], n: int) -> np.ndarray:
    """(m, n) uint64 little-endian limbs of non-negative ints below 2^(64 n)."""
    vals = list(values)
    raw = b"".join(int(v).to_bytes(8 * n, "little") for v in vals)
    return np.frombuffer(raw, dtype="<u8").reshape(len(vals), n).astype(np.uint64)


def limbs_to_ints(arr: np.ndarray) -> list[int]:
    """Inverse of ints_to_limbs over the last axis (any leading shape is flattened)."""
    a = np.ascontiguousarray(arr, dtype="<u8")
    n = a.shape[-1]
    raw = a.reshape(-1, n).tobytes()
    step = 8 * n
    return [int.from_bytes(raw[i : i + step], "little") for i in range(0, len(raw), step)]


def int_to_limbs(value: int, n: int) -> np.ndarray:
    return ints_to_limbs([value], n)[0]


def limbs_to_int(limbs: Sequence[int] | np.ndarray) -> int:
    return sum(int(x) << (64 * i) for i, x in enumerate(limbs))
