"""Element-wise Fr array ops and the CSR product on the GPU (field_ops.cu, sparse.cu).

The same functions as kernels.cpu.fr_vec.{to_mont, from_mont, mul, add, sub} and
kernels.cpu.sparse.sparse_matvec, on (m, 4) uint64 arrays, bit-identical: `_device` forms take
and return CuPy arrays, the plain forms numpy. Inputs must be canonical (< r), as on the CPU;
`check_canonical` is the host-side guard the Poseidon wrappers use.
"""

from __future__ import annotations

import numpy as np

from kernels.constants import FR_LIMBS, R
from kernels.cuda import module
from kernels.limbs import ints_to_limbs

SOURCE = "field_ops.cu"
SPARSE_SOURCE = "sparse.cu"
_R_LIMBS = ints_to_limbs([R], FR_LIMBS)[0]


def check_canonical(a: np.ndarray, what: str) -> None:
    """ValueError unless every (..., 4) uint64 element of a is below r."""
    flat = np.ascontiguousarray(a, dtype=np.uint64).reshape(-1, FR_LIMBS)
    below = np.zeros(flat.shape[0], dtype=bool)
    equal = np.ones(flat.shape[0], dtype=bool)
    for k in range(FR_LIMBS - 1, -1, -1):  # lexicographic from the top limb
        below |= equal & (flat[:, k] < _R_LIMBS[k])
        equal &= flat[:, k] == _R_LIMBS[k]
    if not below.all():
        raise ValueError(f"{what}: every element must be a canonical Fr element (< r)")


def _check_fr(*arrays) -> None:
    for a in arrays:
        if a.dtype != np.uint64 or a.ndim != 2 or a.shape[1] != FR_LIMBS:
            raise ValueError(f"Fr arrays must be (m, 4) uint64, got {a.dtype} {a.shape}")
    if any(a.shape != arrays[0].shape for a in arrays):
        raise ValueError("element-wise Fr op: operand shapes differ")


def _map(kernel: str, *arrays):
    cp = module.cupy()
    _check_fr(*arrays)
    arrays = [cp.ascontiguousarray(a) for a in arrays]
    out = cp.empty_like(arrays[0])
    n = out.shape[0]
    if n:
        module.function(SOURCE, kernel)(module.grid(n), (module.BLOCK,),
                                        (*arrays, out, np.uint64(n)))
    return out


def fr_to_mont_device(a):
    return _map("fr_to_mont_batch", a)


def fr_from_mont_device(a):
    return _map("fr_from_mont_batch", a)


def fr_mul_device(a, b):
    return _map("fr_mul_batch", a, b)


def fr_add_device(a, b):
    return _map("fr_add_batch", a, b)


def fr_sub_device(a, b):
    return _map("fr_sub_batch", a, b)


def _host(fn, *arrays: np.ndarray) -> np.ndarray:
    cp = module.cupy()
    arrays = [np.ascontiguousarray(a) for a in arrays]
    _check_fr(*arrays)
    return fn(*(cp.asarray(a) for a in arrays)).get()


def fr_to_mont(a: np.ndarray) -> np.ndarray:
    """Standard form -> Montgomery form (x -> x R mod r)."""
    return _host(fr_to_mont_device, a)


def fr_from_mont(a: np.ndarray) -> np.ndarray:
    """Montgomery form -> standard form."""
    return _host(fr_from_mont_device, a)


def fr_mul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return _host(fr_mul_device, a, b)


def fr_add(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return _host(fr_add_device, a, b)


def fr_sub(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return _host(fr_sub_device, a, b)


def sparse_matvec_device(row_ptr, cols, vals, w, n_rows: int):
    """(n_rows, 4) CuPy: out[i] = sum vals[k] w[cols[k]] over row i's entries (CSR, Montgomery);
    row_ptr and cols int64 CuPy arrays."""
    cp = module.cupy()
    out = cp.empty((n_rows, FR_LIMBS), dtype=cp.uint64)
    if n_rows:
        module.function(SPARSE_SOURCE, "sparse_matvec")(
            module.grid(n_rows), (module.BLOCK,),
            (cp.ascontiguousarray(row_ptr, dtype=cp.int64), cp.ascontiguousarray(cols, dtype=cp.int64),
             cp.ascontiguousarray(vals), cp.ascontiguousarray(w), out, np.int64(n_rows)))
    return out


def sparse_matvec(row_ptr: np.ndarray, cols: np.ndarray, vals: np.ndarray, w: np.ndarray,
                  n_rows: int) -> np.ndarray:
    """Host arrays in and out; see sparse_matvec_device."""
    cp = module.cupy()
    row_ptr = np.asarray(row_ptr, dtype=np.int64)
    if row_ptr.shape != (n_rows + 1,):
        raise ValueError(f"row_ptr must have n_rows + 1 = {n_rows + 1} entries, got {row_ptr.shape}")
    return sparse_matvec_device(cp.asarray(row_ptr), cp.asarray(np.asarray(cols, dtype=np.int64)),
                                cp.asarray(np.ascontiguousarray(vals)),
                                cp.asarray(np.ascontiguousarray(w)), n_rows).get()
