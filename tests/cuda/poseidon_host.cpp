// Host test library for the Poseidon kernels: the grids of kernels/cuda/poseidon.cu as loops on
// the CPU, for the widths the tests use (the templates are instantiated per width, as NVRTC does).
#include <cstddef>

#include "poseidon.cuh"

template <int T>
static void permute_all(const fr_t *in, fr_t *out, const fr_t *packed, int r_f, int r_p, size_t m) {
    for (size_t k = 0; k < m; ++k) poseidon_permute_item<T>(in, out, packed, r_f, r_p, (int64_t)k);
}

template <int T>
static void sponge_all(const fr_t *inputs, size_t n, fr_t *out, const fr_t *packed, int r_f,
                       int r_p, size_t m) {
    for (size_t k = 0; k < m; ++k)
        poseidon_sponge_item<T>(inputs, (int64_t)n, out, packed, r_f, r_p, (int64_t)k);
}

#define ZK_WIDTHS(X) X(2) X(3) X(5) X(9) X(17)

// Returns 0, or -1 for a width this library was not built for.
extern "C" int h_poseidon_permute(size_t t, const fr_t *in, fr_t *out, const fr_t *packed,
                                  size_t r_f, size_t r_p, size_t m) {
    switch (t) {
#define ZK_CASE(T) \
    case T: permute_all<T>(in, out, packed, (int)r_f, (int)r_p, m); return 0;
        ZK_WIDTHS(ZK_CASE)
#undef ZK_CASE
    }
    return -1;
}

extern "C" int h_poseidon_sponge(size_t t, const fr_t *inputs, size_t n, fr_t *out,
                                 const fr_t *packed, size_t r_f, size_t r_p, size_t m) {
    switch (t) {
#define ZK_CASE(T) \
    case T: sponge_all<T>(inputs, n, out, packed, (int)r_f, (int)r_p, m); return 0;
        ZK_WIDTHS(ZK_CASE)
#undef ZK_CASE
    }
    return -1;
}
