// CSR product kernel, one thread per row (body in sparse.cuh; launched by kernels/cuda/field_ops.py).
#include "sparse.cuh"

extern "C" __global__ void sparse_matvec(const int64_t *row_ptr, const int64_t *cols,
                                         const fr_t *vals, const fr_t *w, fr_t *out,
                                         int64_t n_rows) {
    const int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n_rows) sparse_row_item(row_ptr, cols, vals, w, out, i);
}
