/* Fr NTT: the per-thread bodies of kernels/cuda/ntt.cu (launched and planned by kernels/cuda/ntt.py).
 *
 * Radix-2 Cooley-Tukey DIT in natural order, the CPU backend's convention (kernels/cpu/ntt.py):
 * out[i] = sum_j x_j w^(i j) after the input is gathered in bit-reversed order. A transform is a
 * few passes; a pass runs DIT stages s0 .. s0 + b - 1, which only pair indices differing in those
 * bits, so the array splits into independent 2^b-point sub-transforms of stride 2^s0. One CUDA
 * block (a "task") takes `lanes` of them with adjacent offsets: it loads its 2^b * lanes elements
 * into shared memory (runs of `lanes` contiguous elements, so loads coalesce), runs the b stages
 * with a barrier between stages, and stores them back.
 *
 * The first pass gathers its input from the source array in bit-reversed order (the permutation
 * costs no pass of its own) and applies the input transform of inverse and coset transforms there:
 * x_i = src[i] or src[-i mod n] ("negate"), times a scale c g^i. The last pass may scale its output
 * by c g^i as well (coset_intt's 1/n shift^-i). Scales come as two-level tables (see ntt_scale_t).
 *
 * Shared memory holds limb k of local element e at sh[k * size + e] (structure of arrays): a warp
 * reading 32 consecutive elements reads 32 consecutive words per limb, free of bank conflicts.
 * Every body takes (pass, task, item) explicitly, so the host test library runs them in loops.
 */
#pragma once

#include "common.cuh"
#include "fr.cuh"

#define NTT_SCALE_NONE 0u
#define NTT_SCALE_CONST 1u  /* x * table[0] */
#define NTT_SCALE_POWERS 2u /* x * table[i & (2^h - 1)] * table[2^h + (i >> h)] */

/* Global-memory element access. fr_t is only 4-byte aligned, so the compiler would move it as
 * eight 32-bit words; every NTT buffer is a CuPy allocation (256-byte aligned) of whole 32-byte
 * elements, so on the device two 128-bit accesses are safe and move the same bytes. */
ZK_HD fr_t ntt_ld(const fr_t *p) {
#if defined(__CUDA_ARCH__)
    const uint4 a = reinterpret_cast<const uint4 *>(p)[0];
    const uint4 b = reinterpret_cast<const uint4 *>(p)[1];
    const fr_t x = {{a.x, a.y, a.z, a.w, b.x, b.y, b.z, b.w}};
    return x;
#else
    return *p;
#endif
}

ZK_HD void ntt_st(fr_t *p, const fr_t &x) {
#if defined(__CUDA_ARCH__)
    reinterpret_cast<uint4 *>(p)[0] = make_uint4(x.l[0], x.l[1], x.l[2], x.l[3]);
    reinterpret_cast<uint4 *>(p)[1] = make_uint4(x.l[4], x.l[5], x.l[6], x.l[7]);
#else
    *p = x;
#endif
}

/* The scale c g^i by two tables in one array: g^j for j < 2^h (the low bits of i), then
 * c g^(k 2^h) (the high bits); so one multiplication gives the factor for any i. */
struct ntt_scale_t {
    const fr_t *table;
    uint32_t h;
    uint32_t mode;
};

ZK_HD fr_t ntt_power(const fr_t *table, uint32_t h, uint64_t i) {
    return fr_mul(table[i & ((1ull << h) - 1)], table[(1ull << h) + (i >> h)]);
}

ZK_HD fr_t ntt_apply_scale(const fr_t &x, const ntt_scale_t &s, uint64_t i) {
    if (s.mode == NTT_SCALE_CONST) return fr_mul(x, s.table[0]);
    if (s.mode == NTT_SCALE_POWERS) return fr_mul(x, ntt_power(s.table, s.h, i));
    return x;
}

/* Item j of the table expansion kernel: out[j] = c g^j (twiddles: c = 1, g = w). */
ZK_HD void ntt_power_item(fr_t *out, const fr_t *table, uint32_t h, uint64_t j) {
    ntt_st(out + j, ntt_power(table, h, j));
}

/* The low `bits` bits of i reversed (bits <= 32). */
ZK_HD uint64_t ntt_bitrev(uint64_t i, uint32_t bits) {
    if (bits == 0) return 0;
#if defined(__CUDA_ARCH__)
    return __brev((uint32_t)i) >> (32 - bits);
#else
    uint64_t r = 0;
    for (uint32_t k = 0; k < bits; ++k) r |= ((i >> k) & 1u) << (bits - 1 - k);
    return r;
#endif
}

struct ntt_pass_t {
    uint32_t log_n;
    uint32_t s0;     /* first stage of the pass */
    uint32_t b;      /* number of stages */
    uint32_t lanes;  /* adjacent sub-transforms per task; lanes divides 2^s0 */
};

ZK_HD uint32_t ntt_task_size(const ntt_pass_t &p) { return (1u << p.b) * p.lanes; }

ZK_HD uint64_t ntt_task_count(const ntt_pass_t &p) {
    return (1ull << p.log_n) / ntt_task_size(p);
}

/* Global index of local element e = t * lanes + lane of task `task`: element t of sub-transform
 * `lo + lane`, where the task's sub-transforms start at offset lo within a 2^(s0 + b) block. */
ZK_HD uint64_t ntt_global_index(const ntt_pass_t &p, uint64_t task, uint32_t e) {
    const uint64_t groups = (1ull << p.s0) / p.lanes;
    const uint64_t lo = (task % groups) * p.lanes;
    const uint64_t base = ((task / groups) << (p.s0 + p.b)) + lo;
    return base + ((uint64_t)(e / p.lanes) << p.s0) + e % p.lanes;
}

ZK_HD fr_t ntt_sh_load(const uint32_t *sh, uint32_t size, uint32_t e) {
    fr_t x;
    ZK_UNROLL
    for (int k = 0; k < ZK_FR_LIMBS; ++k) x.l[k] = sh[k * size + e];
    return x;
}

ZK_HD void ntt_sh_store(uint32_t *sh, uint32_t size, uint32_t e, const fr_t &x) {
    ZK_UNROLL
    for (int k = 0; k < ZK_FR_LIMBS; ++k) sh[k * size + e] = x.l[k];
}

/* Load local element e into shared memory. First pass: gather x_i for i = bitrev(g), where
 * x_i = src[i] (src[-i mod n] when negate) times the input scale at i; later passes: dst[g]. */
ZK_HD void ntt_load_item(const fr_t *src, const fr_t *dst, uint32_t *sh, const ntt_pass_t &p,
                         bool first, bool negate, const ntt_scale_t &pre, uint64_t task, uint32_t e) {
    const uint64_t g = ntt_global_index(p, task, e);
    fr_t x;
    if (first) {
        const uint64_t mask = (1ull << p.log_n) - 1;
        const uint64_t i = ntt_bitrev(g, p.log_n);
        x = ntt_apply_scale(ntt_ld(src + (negate ? (0 - i) & mask : i)), pre, i);
    } else {
        x = ntt_ld(dst + g);
    }
    ntt_sh_store(sh, ntt_task_size(p), e, x);
}

/* Butterfly j (0 <= j < size / 2) of stage s = s0 + r: local elements t and t + 2^r of lane
 * j % lanes, t the (j / lanes)-th index with bit r clear. Its twiddle is w_(2^(s+1))^(g mod 2^s)
 * = w_n^((g mod 2^s) 2^(log_n - 1 - s)), g the global index of element t. */
ZK_HD void ntt_butterfly_item(uint32_t *sh, const fr_t *tw, const ntt_pass_t &p, uint64_t task,
                              uint32_t r, uint32_t j) {
    const uint32_t size = ntt_task_size(p);
    const uint32_t lane = j % p.lanes;
    const uint32_t q = j / p.lanes;
    const uint32_t low = q & ((1u << r) - 1);
    const uint32_t t = ((q >> r) << (r + 1)) | low;
    const uint32_t e0 = t * p.lanes + lane;
    const uint32_t e1 = e0 + (p.lanes << r);
    const uint64_t groups = (1ull << p.s0) / p.lanes;
    const uint64_t offset = ((uint64_t)low << p.s0) + (task % groups) * p.lanes + lane;
    const fr_t u = ntt_sh_load(sh, size, e0);
    fr_t v = ntt_sh_load(sh, size, e1);
    if (offset != 0) v = fr_mul(v, ntt_ld(tw + (offset << (p.log_n - 1 - (p.s0 + r)))));
    ntt_sh_store(sh, size, e0, fr_add(u, v));
    ntt_sh_store(sh, size, e1, fr_sub(u, v));
}

/* Store local element e back to dst[g], scaled by the output scale at g on the last pass. */
ZK_HD void ntt_store_item(const uint32_t *sh, fr_t *dst, const ntt_pass_t &p, bool last,
                          const ntt_scale_t &post, uint64_t task, uint32_t e) {
    const uint64_t g = ntt_global_index(p, task, e);
    const fr_t x = ntt_sh_load(sh, ntt_task_size(p), e);
    ntt_st(dst + g, last ? ntt_apply_scale(x, post, g) : x);
}
