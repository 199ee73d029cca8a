// Host test library for the CSR product kernel: the grid of kernels/cuda/sparse.cu as a loop.
#include <cstddef>

#include "sparse.cuh"

extern "C" void h_sparse_matvec(const int64_t *row_ptr, const int64_t *cols, const fr_t *vals,
                                const fr_t *w, fr_t *out, size_t n_rows) {
    for (size_t i = 0; i < n_rows; ++i) sparse_row_item(row_ptr, cols, vals, w, out, (int64_t)i);
}
