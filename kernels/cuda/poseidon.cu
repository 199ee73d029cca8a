// Poseidon grid kernels, one thread per state or per sponge (bodies in poseidon.cuh). Templates on
// the width: kernels/cuda/poseidon.py compiles the widths it needs as name expressions, e.g.
// "poseidon_permute<3>".
#include "poseidon.cuh"

template <int T>
__global__ void poseidon_permute(const fr_t *in, fr_t *out, const fr_t *packed, int r_f, int r_p,
                                 int64_t m) {
    const int64_t k = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (k < m) poseidon_permute_item<T>(in, out, packed, r_f, r_p, k);
}

template <int T>
__global__ void poseidon_sponge(const fr_t *inputs, int64_t n, fr_t *out, const fr_t *packed,
                                int r_f, int r_p, int64_t m) {
    const int64_t k = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (k < m) poseidon_sponge_item<T>(inputs, n, out, packed, r_f, r_p, k);
}

#if !defined(__CUDACC_RTC__)
// Offline nvcc builds (the compile test) instantiate the reference width and the sponge's, so the
// template bodies are compiled for real; NVRTC builds compile only the requested widths.
template __global__ void poseidon_permute<3>(const fr_t *, fr_t *, const fr_t *, int, int, int64_t);
template __global__ void poseidon_sponge<17>(const fr_t *, int64_t, fr_t *, const fr_t *, int, int,
                                             int64_t);
#endif
