"""Sparse matrix-vector products over Fr, the QAP's witness evaluation step.

For each entry k: out[rows[k]] += vals[k] * w[cols[k]]. Everything in Montgomery form.
Rows are processed in parallel chunks; entries must be sorted by row so a chunk boundary never
splits a row between threads.
"""

import numba
import numpy as np

from kernels.cpu import fr


@numba.njit(parallel=True, cache=True)
def sparse_matvec(row_ptr, cols, vals, w, out):
    """CSR product: out[i] = sum_k vals[k] * w[cols[k]] for k in row_ptr[i]..row_ptr[i+1]."""
    n_rows = row_ptr.shape[0] - 1
    for i in numba.prange(n_rows):
        acc = fr.ZERO
        for k in range(row_ptr[i], row_ptr[i + 1]):
            acc = fr.add(acc, fr.mul(fr.load(vals, k), fr.load(w, cols[k])))
        fr.store(out, i, acc)


def csr_row_ptr(rows: np.ndarray, n_rows: int) -> np.ndarray:
    """Row pointer array of a row-sorted COO matrix."""
    counts = np.bincount(rows, minlength=n_rows)
    ptr = np.zeros(n_rows + 1, dtype=np.int64)
    np.cumsum(counts, out=ptr[1:])
    return ptr
