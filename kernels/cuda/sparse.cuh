/* CSR sparse matrix times Fr vector (the QAP's A w and B w): the per-thread body of sparse.cu.
 *
 * Row i: out[i] = sum_k vals[k] * w[cols[k]] for k in row_ptr[i] .. row_ptr[i+1], everything
 * Montgomery form, as kernels/cpu/sparse.py computes it. One thread per row: rows of an R1CS
 * have a handful of terms, and a row never needs a reduction across threads.
 */
#pragma once

#include "common.cuh"
#include "fr.cuh"

ZK_HD void sparse_row_item(const int64_t *row_ptr, const int64_t *cols, const fr_t *vals,
                           const fr_t *w, fr_t *out, int64_t i) {
    fr_t acc = fr_zero();
    for (int64_t k = row_ptr[i]; k < row_ptr[i + 1]; ++k)
        acc = fr_add(acc, fr_mul(vals[k], w[cols[k]]));
    out[i] = acc;
}
