// Host test library for the NTT kernels: the grid of kernels/cuda/ntt.cu as loops on the CPU.
//
// h_ntt_pass runs one ntt_pass launch: for each task (CUDA block) the load items, then each stage's
// butterfly items, then the store items, in the same order of phases the barriers enforce on the
// device, with a local buffer standing in for shared memory. Arguments arrive as size_t (ctypes).
#include <cstddef>
#include <vector>

#include "ntt.cuh"

extern "C" void h_ntt_powers(fr_t *out, const fr_t *table, size_t h, size_t m) {
    for (size_t j = 0; j < m; ++j) ntt_power_item(out, table, (uint32_t)h, j);
}

extern "C" void h_ntt_pass(const fr_t *src, fr_t *dst, const fr_t *tw, size_t log_n, size_t s0,
                           size_t b, size_t lanes, size_t flags, const fr_t *pre_table,
                           size_t pre_h, size_t pre_mode, const fr_t *post_table, size_t post_h,
                           size_t post_mode) {
    const ntt_pass_t p = {(uint32_t)log_n, (uint32_t)s0, (uint32_t)b, (uint32_t)lanes};
    const ntt_scale_t pre = {pre_table, (uint32_t)pre_h, (uint32_t)pre_mode};
    const ntt_scale_t post = {post_table, (uint32_t)post_h, (uint32_t)post_mode};
    const bool first = flags & 1, last = flags & 2, negate = flags & 4;
    const uint32_t size = ntt_task_size(p);
    std::vector<uint32_t> sh((size_t)size * ZK_FR_LIMBS);
    for (uint64_t task = 0; task < ntt_task_count(p); ++task) {
        for (uint32_t e = 0; e < size; ++e)
            ntt_load_item(src, dst, sh.data(), p, first, negate, pre, task, e);
        for (uint32_t r = 0; r < p.b; ++r)
            for (uint32_t j = 0; j < size / 2; ++j) ntt_butterfly_item(sh.data(), tw, p, task, r, j);
        for (uint32_t e = 0; e < size; ++e)
            ntt_store_item(sh.data(), dst, p, last, post, task, e);
    }
}
