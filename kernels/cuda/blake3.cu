// BLAKE3 grid kernels: one thread per row, one thread per Merkle pair (bodies in blake3.cuh).
// Launched by kernels/cuda/blake3.py; the host tests run the same bodies in a loop.
#include "blake3.cuh"

extern "C" __global__ void blake3_rows(const uint8_t* buf, const int64_t* offsets, int64_t n,
                                       int prefix, uint8_t* out) {
    const int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) b3_hash_row_item(buf, offsets, prefix, out, i);
}

extern "C" __global__ void blake3_parents(const uint8_t* level, int64_t n_pairs, uint8_t* out) {
    const int64_t pair = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (pair < n_pairs) b3_parent_item(level, out, pair);
}
