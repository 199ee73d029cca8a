// Fr NTT grid kernels (bodies in ntt.cuh; planned and launched by kernels/cuda/ntt.py).
#include "ntt.cuh"

#define NTT_FIRST 1u
#define NTT_LAST 2u
#define NTT_NEGATE 4u

// out[j] = table-encoded c g^j for j < m: twiddle tables and other power tables.
extern "C" __global__ void ntt_powers(fr_t *out, const fr_t *table, uint32_t h, int64_t m) {
    const int64_t j = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (j < m) ntt_power_item(out, table, h, (uint64_t)j);
}

// One pass: block `blockIdx.x` is one task of 2^b * lanes elements held in dynamic shared memory
// (32 bytes per element). src is read on the first pass only; dst is written by every pass.
extern "C" __global__ void ntt_pass(const fr_t *src, fr_t *dst, const fr_t *tw, uint32_t log_n,
                                    uint32_t s0, uint32_t b, uint32_t lanes, uint32_t flags,
                                    const fr_t *pre_table, uint32_t pre_h, uint32_t pre_mode,
                                    const fr_t *post_table, uint32_t post_h, uint32_t post_mode) {
    extern __shared__ uint32_t sh[];
    const ntt_pass_t p = {log_n, s0, b, lanes};
    const ntt_scale_t pre = {pre_table, pre_h, pre_mode};
    const ntt_scale_t post = {post_table, post_h, post_mode};
    const uint64_t task = blockIdx.x;
    const uint32_t size = ntt_task_size(p);
    for (uint32_t e = threadIdx.x; e < size; e += blockDim.x)
        ntt_load_item(src, dst, sh, p, flags & NTT_FIRST, flags & NTT_NEGATE, pre, task, e);
    __syncthreads();
    for (uint32_t r = 0; r < b; ++r) {
        for (uint32_t j = threadIdx.x; j < size / 2; j += blockDim.x)
            ntt_butterfly_item(sh, tw, p, task, r, j);
        __syncthreads();
    }
    for (uint32_t e = threadIdx.x; e < size; e += blockDim.x)
        ntt_store_item(sh, dst, p, flags & NTT_LAST, post, task, e);
}
