// Host test library for the BLAKE3 kernels: the grids of kernels/cuda/blake3.cu as loops on the CPU,
// with the kernels' argument lists. Integers arrive as size_t (ctypes); `prefix` is the kernel's
// int (-1: none) passed through size_t, so it is read back as a signed value.
#include <cstddef>

#include "blake3.cuh"

extern "C" void h_b3_rows(const uint8_t *buf, const int64_t *offsets, size_t n, size_t prefix,
                          uint8_t *out) {
    const int p = (int)(int64_t)prefix;
    for (size_t i = 0; i < n; ++i) b3_hash_row_item(buf, offsets, p, out, (int64_t)i);
}

extern "C" void h_b3_parents(const uint8_t *level, size_t n_pairs, uint8_t *out) {
    for (size_t pair = 0; pair < n_pairs; ++pair) b3_parent_item(level, out, (int64_t)pair);
}
