/* Element-wise Fr and Fp batch kernels: what the CudaBackend launches for fr_mul, fr_sub, fr_add
 * and the Montgomery conversions of whole arrays.
 *
 * Buffers are the backend's numpy layouts reinterpreted: Fr (m, 4) uint64 = fr_t[m], Fp (m, 6)
 * uint64 = fp_t[m]. Grid-stride loops, so any launch shape covers any n; out may alias an input.
 */
#include "fp.cuh"
#include "fr.cuh"

#define ZK_MAP1(name, T, op)                                                                   \
    extern "C" __global__ void name(const T *a, T *out, uint64_t n) {                          \
        for (uint64_t i = blockIdx.x * (uint64_t)blockDim.x + threadIdx.x; i < n;              \
             i += (uint64_t)gridDim.x * blockDim.x)                                            \
            out[i] = op(a[i]);                                                                 \
    }
#define ZK_MAP2(name, T, op)                                                                   \
    extern "C" __global__ void name(const T *a, const T *b, T *out, uint64_t n) {              \
        for (uint64_t i = blockIdx.x * (uint64_t)blockDim.x + threadIdx.x; i < n;              \
             i += (uint64_t)gridDim.x * blockDim.x)                                            \
            out[i] = op(a[i], b[i]);                                                           \
    }

ZK_MAP2(fr_add_batch, fr_t, fr_add)
ZK_MAP2(fr_sub_batch, fr_t, fr_sub)
ZK_MAP2(fr_mul_batch, fr_t, fr_mul)
ZK_MAP1(fr_to_mont_batch, fr_t, fr_to_mont)
ZK_MAP1(fr_from_mont_batch, fr_t, fr_from_mont)
ZK_MAP2(fp_mul_batch, fp_t, fp_mul)
ZK_MAP1(fp_to_mont_batch, fp_t, fp_to_mont)
ZK_MAP1(fp_from_mont_batch, fp_t, fp_from_mont)
