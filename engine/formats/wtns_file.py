"""Witness files (.wtns), as circom's witness calculator and snarkjs write them.

binfile magic "wtns", version 2 (snarkjs reads versions <= 2), two sections:
  1 header: u32 n8 (32 for BLS12-381 Fr), n8-byte prime r, u32 witness count
  2 values: count * n8 bytes, each a little-endian Fr element in *standard* form (not Montgomery;
    snarkjs `groth16 prove` feeds these bytes to its MSMs as plain scalars).
Values map to a (n, 4) uint64 array (kernels.limbs); every value must be below r.
"""

from __future__ import annotations

import os

import numpy as np

from engine.formats import binfile
from engine.formats.points import limbs_lt
from kernels.constants import FR_BYTES, FR_LIMBS, R

MAGIC, VERSION = "wtns", 2


def read_wtns(path: str | os.PathLike) -> np.ndarray:
    """(n, 4) uint64 standard-form witness; wire 0 must be 1."""
    bf = binfile.read_binfile(path, MAGIC, VERSION)
    head = bf.reader(1, "header")
    head.scalar_field()
    count = head.u32()
    head.done()
    body = bf.reader(2, "witness values")
    if len(body.data) != count * FR_BYTES:
        raise body.error(f"has {len(body.data)} bytes, header says {count} values "
                         f"({count * FR_BYTES} bytes)")
    values = body.array("<u8", (count, FR_LIMBS)).astype(np.uint64, copy=False)
    bad = np.flatnonzero(~limbs_lt(values, R))
    if bad.size:
        raise body.error(f"value {int(bad[0])} is not below r ({bad.size} such values)")
    if count == 0 or values[0, 0] != 1 or values[0, 1:].any():
        raise body.error("wire 0 (the constant one) is not 1")
    return values


def write_wtns(path: str | os.PathLike, values: np.ndarray) -> None:
    """Write an (n, 4) uint64 standard-form witness (each value < r)."""
    values = np.ascontiguousarray(values, dtype="<u8")
    if values.ndim != 2 or values.shape[1] != FR_LIMBS:
        raise ValueError(f"witness must be (n, {FR_LIMBS}) uint64 limbs, got {values.shape}")
    if not limbs_lt(values, R).all():
        raise ValueError("witness values must be below r")
    if len(values) == 0 or values[0, 0] != 1 or values[0, 1:].any():
        raise ValueError("witness wire 0 (the constant one) must be 1")
    header = [binfile.u32(FR_BYTES), binfile.bigint(R, FR_BYTES), binfile.u32(len(values))]
    binfile.write_binfile(path, MAGIC, VERSION, [(1, header), (2, [values])])
