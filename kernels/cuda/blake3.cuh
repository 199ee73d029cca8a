// BLAKE3 (default hash mode, 32-byte digests) of many rows, and the row Merkle tree's parents.
//
// The per-thread bodies of kernels/cuda/blake3.cu, written ZK_HD so that the host test library
// (tests/cuda/blake3_host.cpp) runs exactly this code in a loop over item indices. Semantics
// are those of kernels/cpu/blake3.py and kernels/cpu/blake3_merkle.py:
// - rows come Arrow-style: one byte buffer plus int64 offsets, row i = buf[off[i]:off[i+1]];
//   an optional prefix byte (0..255; negative = none) is hashed as if it preceded every row,
//   which gives the Merkle leaf domain separator 0x00 without copying the rows;
// - a row of any length is one BLAKE3 input (the chunk tree above 1 KiB);
// - a Merkle parent is BLAKE3(0x01 || left || right) over two adjacent 32-byte digests.
// Bytes become words by explicit little-endian assembly, so nothing depends on byte order or on
// the alignment of rows inside the buffer.
#pragma once

#include "common.cuh"

#if defined(__CUDACC_RTC__)
typedef unsigned char uint8_t; /* NVRTC has no <cstdint>; common.cuh types stop at 32 bits */
#endif

#define B3_BLOCK_LEN 64
#define B3_CHUNK_LEN 1024
#define B3_OUT_LEN 32
#define B3_CHUNK_START 1u
#define B3_CHUNK_END 2u
#define B3_PARENT 4u
#define B3_ROOT 8u
#define B3_NODE_PREFIX 1u
// Parent-stack depth: a row of 2^40 chunks (1 PiB) is far beyond any device buffer. Only rows
// longer than one chunk touch the stack, so short rows never pay for its local memory.
#define B3_MAX_DEPTH 40

ZK_HD void b3_set_iv(uint32_t cv[8]) {
    cv[0] = 0x6A09E667u; cv[1] = 0xBB67AE85u; cv[2] = 0x3C6EF372u; cv[3] = 0xA54FF53Au;
    cv[4] = 0x510E527Fu; cv[5] = 0x9B05688Cu; cv[6] = 0x1F83D9ABu; cv[7] = 0x5BE0CD19u;
}

ZK_HD uint32_t b3_rotr(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

ZK_HD void b3_g(uint32_t s[16], int a, int b, int c, int d, uint32_t mx, uint32_t my) {
    s[a] = s[a] + s[b] + mx;
    s[d] = b3_rotr(s[d] ^ s[a], 16);
    s[c] = s[c] + s[d];
    s[b] = b3_rotr(s[b] ^ s[c], 12);
    s[a] = s[a] + s[b] + my;
    s[d] = b3_rotr(s[d] ^ s[a], 8);
    s[c] = s[c] + s[d];
    s[b] = b3_rotr(s[b] ^ s[c], 7);
}

// One round: column mixes, then diagonal mixes.
ZK_HD void b3_round(uint32_t s[16], const uint32_t m[16]) {
    b3_g(s, 0, 4, 8, 12, m[0], m[1]);
    b3_g(s, 1, 5, 9, 13, m[2], m[3]);
    b3_g(s, 2, 6, 10, 14, m[4], m[5]);
    b3_g(s, 3, 7, 11, 15, m[6], m[7]);
    b3_g(s, 0, 5, 10, 15, m[8], m[9]);
    b3_g(s, 1, 6, 11, 12, m[10], m[11]);
    b3_g(s, 2, 7, 8, 13, m[12], m[13]);
    b3_g(s, 3, 4, 9, 14, m[14], m[15]);
}

// BLAKE3's message permutation (2, 6, 3, 10, 7, 0, 4, 13, 1, 11, 12, 5, 9, 14, 15, 8), in place.
// With every loop unrolled the indices are constants, so on the device this is register renaming.
ZK_HD void b3_permute(uint32_t m[16]) {
    const uint32_t t[16] = {m[2], m[6], m[3], m[10], m[7], m[0], m[4], m[13],
                            m[1], m[11], m[12], m[5], m[9], m[14], m[15], m[8]};
ZK_UNROLL
    for (int k = 0; k < 16; k++) m[k] = t[k];
}

// The compression function truncated to the chaining value, in place on cv. m is consumed.
ZK_HD void b3_compress(uint32_t cv[8], uint32_t m[16], uint64_t counter, uint32_t block_len,
                       uint32_t flags) {
    uint32_t s[16];
ZK_UNROLL
    for (int k = 0; k < 8; k++) s[k] = cv[k];
    b3_set_iv(s + 8);
    s[12] = (uint32_t)counter;
    s[13] = (uint32_t)(counter >> 32);
    s[14] = block_len;
    s[15] = flags;
ZK_UNROLL
    for (int r = 0; r < 7; r++) {
        b3_round(s, m);
        if (r < 6) b3_permute(m);
    }
ZK_UNROLL
    for (int k = 0; k < 8; k++) cv[k] = s[k] ^ s[k + 8];
}

// One BLAKE3 input: `total` bytes, which are buf[lo:lo + total] when prefix < 0, else the byte
// `prefix` followed by buf[lo:lo + total - 1].
struct b3_input_t {
    const uint8_t* buf;
    int64_t lo;
    int64_t total;
    int prefix;
};

ZK_HD uint32_t b3_input_byte(const b3_input_t& in, int64_t j) {
    if (in.prefix >= 0) {
        return j == 0 ? (uint32_t)in.prefix : (uint32_t)in.buf[in.lo + j - 1];
    }
    return (uint32_t)in.buf[in.lo + j];
}

// Message words of input bytes [pos, pos + 64), zero-padded; returns how many bytes are real.
ZK_HD uint32_t b3_load_block(const b3_input_t& in, int64_t pos, uint32_t m[16]) {
    const int64_t left = in.total - pos;
    const int n = left < B3_BLOCK_LEN ? (int)left : B3_BLOCK_LEN;
ZK_UNROLL
    for (int k = 0; k < 16; k++) {
        uint32_t w = 0;
ZK_UNROLL
        for (int t = 0; t < 4; t++) {
            const int j = 4 * k + t;
            if (j < n) w |= b3_input_byte(in, pos + j) << (8 * t);
        }
        m[k] = w;
    }
    return (uint32_t)n;
}

// Chaining value of chunk `chunk`; flags_last is OR-ed into the flags of its last block.
ZK_HD void b3_chunk_cv(const b3_input_t& in, int64_t chunk, uint32_t flags_last, uint32_t cv[8]) {
    const int64_t start = chunk * B3_CHUNK_LEN;
    const int64_t end = in.total < start + B3_CHUNK_LEN ? in.total : start + B3_CHUNK_LEN;
    int64_t n_blocks = (end - start + B3_BLOCK_LEN - 1) / B3_BLOCK_LEN;
    if (n_blocks < 1) n_blocks = 1;  // the empty input is one empty block
    b3_set_iv(cv);
    for (int64_t b = 0; b < n_blocks; b++) {
        uint32_t m[16];
        const uint32_t len = b3_load_block(in, start + b * B3_BLOCK_LEN, m);
        uint32_t flags = b == 0 ? B3_CHUNK_START : 0u;
        if (b == n_blocks - 1) flags |= B3_CHUNK_END | flags_last;
        b3_compress(cv, m, (uint64_t)chunk, len, flags);
    }
}

// cv := parent(left, cv) with extra flags (ROOT for the top node).
ZK_HD void b3_parent_cv(const uint32_t left[8], uint32_t cv[8], uint32_t flags) {
    uint32_t m[16];
ZK_UNROLL
    for (int k = 0; k < 8; k++) {
        m[k] = left[k];
        m[k + 8] = cv[k];
    }
    b3_set_iv(cv);
    b3_compress(cv, m, 0, B3_BLOCK_LEN, B3_PARENT | flags);
}

// BLAKE3 of one input. One chunk: ROOT on its last block. Longer inputs: a stack of complete
// left subtrees is merged whenever the chunk count gains a trailing zero bit; the last chunk
// then folds the stack from the top, the final parent carrying ROOT (the left subtree always
// holds the largest power of two of chunks, as the BLAKE3 specification requires).
ZK_HD void b3_hash_input(const b3_input_t& in, uint32_t cv[8]) {
    int64_t n_chunks = (in.total + B3_CHUNK_LEN - 1) / B3_CHUNK_LEN;
    if (n_chunks <= 1) {
        b3_chunk_cv(in, 0, B3_ROOT, cv);
        return;
    }
    uint32_t stack[B3_MAX_DEPTH][8];
    int depth = 0;
    for (int64_t c = 0; c < n_chunks - 1; c++) {
        b3_chunk_cv(in, c, 0u, cv);
        for (int64_t done = c + 1; (done & 1) == 0; done >>= 1) {
            depth--;
            b3_parent_cv(stack[depth], cv, 0u);
        }
        for (int k = 0; k < 8; k++) stack[depth][k] = cv[k];
        depth++;
    }
    b3_chunk_cv(in, n_chunks - 1, 0u, cv);
    while (depth > 0) {
        depth--;
        b3_parent_cv(stack[depth], cv, depth == 0 ? B3_ROOT : 0u);
    }
}

ZK_HD void b3_store_digest(const uint32_t cv[8], uint8_t* out) {
ZK_UNROLL
    for (int k = 0; k < 8; k++) {
ZK_UNROLL
        for (int t = 0; t < 4; t++) out[4 * k + t] = (uint8_t)(cv[k] >> (8 * t));
    }
}

// Item i of the row kernel: out[32 i : 32 i + 32] = BLAKE3([prefix] || row i).
ZK_HD void b3_hash_row_item(const uint8_t* buf, const int64_t* offsets, int prefix, uint8_t* out,
                            int64_t i) {
    const b3_input_t in = {buf, offsets[i], offsets[i + 1] - offsets[i] + (prefix >= 0 ? 1 : 0),
                           prefix};
    uint32_t cv[8];
    b3_hash_input(in, cv);
    b3_store_digest(cv, out + B3_OUT_LEN * i);
}

// Item `pair` of the Merkle level kernel: out row = BLAKE3(0x01 || level[2 pair] || level[2 pair + 1]).
// The 65-byte input is two blocks of one chunk: the prefix shifts the 64-byte pair by one byte,
// so word k of the first block splices pair words k and k - 1; the second block is the last byte.
ZK_HD void b3_parent_item(const uint8_t* level, uint8_t* out, int64_t pair) {
    const uint8_t* p = level + 2 * B3_OUT_LEN * pair;
    uint32_t m[16];
    uint32_t carry = B3_NODE_PREFIX;
ZK_UNROLL
    for (int k = 0; k < 16; k++) {
        const uint32_t w = (uint32_t)p[4 * k] | ((uint32_t)p[4 * k + 1] << 8)
                           | ((uint32_t)p[4 * k + 2] << 16) | ((uint32_t)p[4 * k + 3] << 24);
        m[k] = (w << 8) | carry;
        carry = w >> 24;
    }
    uint32_t cv[8];
    b3_set_iv(cv);
    b3_compress(cv, m, 0, B3_BLOCK_LEN, B3_CHUNK_START);
    m[0] = carry;
ZK_UNROLL
    for (int k = 1; k < 16; k++) m[k] = 0;
    b3_compress(cv, m, 0, 1, B3_CHUNK_END | B3_ROOT);
    b3_store_digest(cv, out + B3_OUT_LEN * pair);
}
