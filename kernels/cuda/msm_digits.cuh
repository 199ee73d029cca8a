/* MSM stage 1: scalars -> signed c-bit digits -> (bucket, point) pairs, counting-sorted on the GPU.
 *
 * Digits follow kernels/cpu/msm_digits.py: the scalar is reduced mod r, cut into W = ceil(256 / c)
 * windows of c bits, and a window value above 2^(c-1) becomes value - 2^c with a carry into the next
 * window. Digits lie in [-(2^(c-1) - 1), 2^(c-1)], so each window has nb = 2^(c-1) buckets and a
 * negative digit adds -P to bucket |d|. Since r < 2^255 and W c >= 256, the top window holds at most
 * c - 1 bits and absorbs the last carry.
 *
 * The sort is a counting sort keyed by `key = (vector * W + window) * nb + |d| - 1` (the batched
 * mode sums k scalar vectors against one base set, so the vector is part of the key):
 *   1. count:   every (scalar, window) with d != 0 increments counts[key];
 *   2. scan:    offsets = exclusive prefix sum of counts (done by the launcher, cupy.cumsum);
 *   3. scatter: every (scalar, window) with d != 0 claims cursor[key]++ and writes the entry
 *               (point << 1) | (d < 0) there (cursor starts as a copy of offsets).
 * Each run offsets[key]..offsets[key + 1] then lists the signed points of one bucket. Digits are
 * recomputed in step 3 rather than stored: re-reading 32 bytes of scalar is cheaper than writing and
 * reading W digits. Order inside a run depends on atomic timing on the GPU; bucket sums do not.
 *
 * Per-thread bodies are ZK_HD functions of the item index (tests/cuda/msm_host.cpp runs them in host
 * loops). On the device the claim is warp-aggregated: lanes with the same key (crowded buckets,
 * e.g. the many 0/1 witness values of range checks) share one atomic.
 */
#pragma once

#include "common.cuh"
#include "constants.cuh"
#include "fr.cuh"

struct msm_digit_params {
    uint32_t n;       /* scalars: k vectors of m, vector-major */
    uint32_t m;       /* points (scalars per vector) */
    uint32_t c;       /* window width in bits, 2..22 */
    uint32_t windows; /* W = ceil(256 / c) */
    uint32_t buckets; /* nb = 2^(c-1) per window */
};

/* Marks a (scalar, window) pair whose digit is zero: it joins no bucket. */
#define MSM_NO_KEY 0xFFFFFFFFu

/* s mod r in place for any s < 2^256 (at most two subtractions: 2^256 < 3 r). */
ZK_HD void msm_reduce_scalar(uint32_t s[8]) {
    const uint32_t r[8] = {ZK_FR_MODULUS};
    for (int round = 0; round < 2; ++round) {
        bool ge = true; /* s >= r, deciding from the top limb down */
        for (int i = 7; i >= 0; --i) {
            if (s[i] != r[i]) {
                ge = s[i] > r[i];
                break;
            }
        }
        if (!ge) return;
        uint64_t borrow = 0;
        for (int i = 0; i < 8; ++i) {
            uint64_t d = (uint64_t)s[i] - r[i] - borrow;
            s[i] = (uint32_t)d;
            borrow = d >> 63;
        }
    }
}

/* c bits (c <= 32) of the 256-bit scalar s starting at bit `offset`; zero past bit 255. */
ZK_HD uint32_t msm_scalar_bits(const uint32_t s[8], uint32_t offset, uint32_t c) {
    const uint32_t word = offset / 32, shift = offset % 32;
    if (word >= 8) return 0;
    uint64_t v = s[word] >> shift;
    if (shift + c > 32 && word + 1 < 8) v |= (uint64_t)s[word + 1] << (32 - shift);
    return (uint32_t)(v & ((1ull << c) - 1));
}

/* Signed digit of window w given the carry out of window w - 1; updates the carry. */
ZK_HD int32_t msm_signed_digit(const uint32_t s[8], uint32_t w, uint32_t c, uint32_t &carry) {
    const int32_t half = 1 << (c - 1);
    int32_t d = (int32_t)msm_scalar_bits(s, w * c, c) + (int32_t)carry;
    carry = d > half ? 1u : 0u;
    return carry ? d - (1 << c) : d;
}

/* The reduced scalar of item i, as 8 little-endian words. */
ZK_HD void msm_load_scalar(const fr_t *scalars, uint32_t i, uint32_t s[8]) {
    ZK_UNROLL
    for (int j = 0; j < 8; ++j) s[j] = scalars[i].l[j];
    msm_reduce_scalar(s);
}

/* The sort key of digit d of item i in window w, or MSM_NO_KEY for d == 0. */
ZK_HD uint32_t msm_digit_key(const msm_digit_params &p, uint32_t i, uint32_t w, int32_t d) {
    if (d == 0) return MSM_NO_KEY;
    const uint32_t vector = i / p.m;
    const uint32_t magnitude = (uint32_t)(d < 0 ? -d : d);
    return (vector * p.windows + w) * p.buckets + magnitude - 1;
}

/* Claim one slot of counter `key` (key != MSM_NO_KEY) and return its previous value. */
ZK_HD uint32_t msm_claim(uint32_t *counters, uint32_t key) {
#if defined(__CUDA_ARCH__)
    /* Lanes of the warp that are here together and share the key elect one to do the atomic. */
    const uint32_t active = __activemask();
    const uint32_t peers = __match_any_sync(active, key);
    const uint32_t lane = threadIdx.x & 31u;
    const uint32_t leader = __ffs(peers) - 1;
    uint32_t base = 0;
    if (lane == leader) base = atomicAdd(&counters[key], (uint32_t)__popc(peers));
    base = __shfl_sync(peers, base, leader);
    return base + __popc(peers & ((1u << lane) - 1u));
#else
    return counters[key]++;
#endif
}

/* Step 1 for item i: count its non-zero digits per key. */
ZK_HD void msm_count_digits(const msm_digit_params &p, const fr_t *scalars, uint32_t i,
                            uint32_t *counts) {
    uint32_t s[8];
    msm_load_scalar(scalars, i, s);
    uint32_t carry = 0;
    for (uint32_t w = 0; w < p.windows; ++w) {
        const uint32_t key = msm_digit_key(p, i, w, msm_signed_digit(s, w, p.c, carry));
        if (key != MSM_NO_KEY) msm_claim(counts, key);
    }
}

/* Step 3 for item i: write its signed point index into the run of every non-zero digit. */
ZK_HD void msm_scatter_digits(const msm_digit_params &p, const fr_t *scalars, uint32_t i,
                              uint32_t *cursor, uint32_t *entries) {
    uint32_t s[8];
    msm_load_scalar(scalars, i, s);
    const uint32_t point = i % p.m;
    uint32_t carry = 0;
    for (uint32_t w = 0; w < p.windows; ++w) {
        const int32_t d = msm_signed_digit(s, w, p.c, carry);
        const uint32_t key = msm_digit_key(p, i, w, d);
        if (key != MSM_NO_KEY) entries[msm_claim(cursor, key)] = (point << 1) | (d < 0 ? 1u : 0u);
    }
}
