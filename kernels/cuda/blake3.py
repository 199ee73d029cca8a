"""BLAKE3 row hashing and Merkle levels on the GPU (kernels/cuda/blake3.cu); CuPy imported lazily.

Same contract as kernels.cpu.blake3.hash_rows and kernels.cpu.blake3_merkle.parents (host numpy
in and out, identical digests); the `_device` variants take and return CuPy arrays so a caller
can keep rows and levels resident, and `merkle_root_device` folds a whole tree without leaving
the device (lone last digests are promoted, as in the CPU level function).
"""

from __future__ import annotations

import numpy as np

from kernels.cuda import module

OUT_LEN = 32
SOURCE = "blake3.cu"


def _check_rows(buffer: np.ndarray, offsets: np.ndarray, prefix: int | None) -> None:
    if buffer.dtype != np.uint8 or buffer.ndim != 1:
        raise ValueError(f"buffer must be a 1-D uint8 array, got {buffer.dtype} {buffer.shape}")
    if offsets.dtype != np.int64 or offsets.ndim != 1 or offsets.shape[0] < 1:
        raise ValueError(f"offsets must be a non-empty 1-D int64 array, got {offsets.dtype} "
                         f"{offsets.shape}")
    if prefix is not None and not 0 <= prefix <= 255:
        raise ValueError(f"prefix must be a byte value 0..255, got {prefix}")


def _check_level(level) -> None:
    if level.dtype != np.uint8 or level.ndim != 2 or level.shape[1] != OUT_LEN or not len(level):
        raise ValueError(f"a Merkle level must be a non-empty (m, {OUT_LEN}) uint8 array, "
                         f"got {level.dtype} {level.shape}")


def hash_rows_device(buffer, offsets, prefix: int | None = None):
    """(n, 32) uint8 CuPy digests of rows buffer[offsets[i]:offsets[i+1]] (CuPy inputs).

    Offsets are trusted to be non-decreasing and inside the buffer (hash_rows checks them)."""
    cp = module.cupy()
    _check_rows(buffer, offsets, prefix)
    buffer = cp.ascontiguousarray(buffer)
    offsets = cp.ascontiguousarray(offsets)
    n = offsets.shape[0] - 1
    out = cp.empty((n, OUT_LEN), dtype=cp.uint8)
    if n:
        kernel = module.function(SOURCE, "blake3_rows")
        kernel(module.grid(n), (module.BLOCK,),
               (buffer, offsets, np.int64(n), np.int32(-1 if prefix is None else prefix), out))
    return out


def hash_rows(buffer: np.ndarray, offsets: np.ndarray, prefix: int | None = None) -> np.ndarray:
    """BLAKE3 digests of rows buffer[offsets[i]:offsets[i+1]] as an (n, 32) uint8 numpy array;
    prefix: a byte hashed before every row (0 for Merkle leaves), or None."""
    cp = module.cupy()
    buffer = np.ascontiguousarray(buffer)
    offsets = np.ascontiguousarray(offsets)
    _check_rows(buffer, offsets, prefix)
    if offsets[0] < 0 or offsets[-1] > buffer.shape[0] or np.any(np.diff(offsets) < 0):
        raise ValueError("offsets must be non-decreasing and lie within the buffer "
                         f"(buffer length {buffer.shape[0]})")
    # an empty buffer still needs a valid device pointer
    d_buf = cp.asarray(buffer if buffer.size else np.zeros(1, np.uint8))
    return hash_rows_device(d_buf, cp.asarray(offsets), prefix).get()


def parents_device(level):
    """The next Merkle level up, (ceil(m/2), 32) uint8 CuPy, from an (m, 32) CuPy level."""
    cp = module.cupy()
    _check_level(level)
    level = cp.ascontiguousarray(level)
    m = level.shape[0]
    out = cp.empty(((m + 1) // 2, OUT_LEN), dtype=cp.uint8)
    if m // 2:
        kernel = module.function(SOURCE, "blake3_parents")
        kernel(module.grid(m // 2), (module.BLOCK,), (level, np.int64(m // 2), out))
    if m % 2:
        out[-1] = level[-1]
    return out


def parents(level: np.ndarray) -> np.ndarray:
    """Row i = BLAKE3(0x01 || level[2i] || level[2i+1]); for odd m the last row is level[m-1]."""
    cp = module.cupy()
    level = np.ascontiguousarray(level)
    _check_level(level)
    return parents_device(cp.asarray(level)).get()


def merkle_root_device(leaves):
    """The (32,) uint8 CuPy root over an (m, 32) CuPy level of leaf digests, every level on the
    device."""
    level = leaves
    while level.shape[0] > 1:
        level = parents_device(level)
    _check_level(level)
    return level[0]
