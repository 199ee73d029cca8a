/* Poseidon over Fr (x^5 S-box): the per-thread bodies of kernels/cuda/poseidon.cu.
 *
 * One thread owns one state and runs the rounds in the rewritten form of kernels/poseidon_fast.py,
 * exactly as the CPU kernel (kernels/cpu/poseidon.py) does: R_F / 2 full rounds (the last of them
 * with the pre-partial matrix), R_P partial rounds with one S-box and a sparse matrix (2t - 1
 * multiplications instead of t^2), R_F / 2 full rounds. The width T is a template parameter so
 * the state lives in registers; the constants are one packed Montgomery array uploaded from
 * kernels/poseidon_params.py (layout below, written by kernels/cuda/poseidon.py), read by every
 * thread at the same address (a broadcast).
 *
 * Packed layout for width t: full-round constants (R_F, t), partial constants (R_P), MDS (t, t),
 * pre-partial MDS (t, t), sparse first rows (R_P, t), sparse columns (R_P, t - 1).
 * Buffers outside the permutation are standard form, as kernels/limbs.py prescribes.
 */
#pragma once

#include "common.cuh"
#include "fr.cuh"

/* Loops over the state stay rolled: every field multiplication is inlined, and unrolling the
 * t^2 of a matrix product made a width-17 kernel take minutes to compile; a state of 17 elements
 * lives in local memory either way. */
#if defined(__CUDACC__) || defined(__CUDACC_RTC__)
#define POSEIDON_ROLLED _Pragma("unroll 1")
#else
#define POSEIDON_ROLLED
#endif

struct poseidon_tab_t {
    const fr_t *full_rc;
    const fr_t *partial_rc;
    const fr_t *mds;
    const fr_t *pre_mds;
    const fr_t *rows;
    const fr_t *cols;
};

ZK_HD poseidon_tab_t poseidon_tables(const fr_t *packed, int t, int r_f, int r_p) {
    poseidon_tab_t tab;
    tab.full_rc = packed;
    tab.partial_rc = tab.full_rc + r_f * t;
    tab.mds = tab.partial_rc + r_p;
    tab.pre_mds = tab.mds + t * t;
    tab.rows = tab.pre_mds + t * t;
    tab.cols = tab.rows + r_p * t;
    return tab;
}

/* s := M (s + c)^5 for round constants c (one row of t) and matrix M (t x t, row-major). */
template <int T>
ZK_HD void poseidon_full_round(fr_t s[T], const fr_t *c, const fr_t *m) {
    fr_t x[T];
    POSEIDON_ROLLED
    for (int i = 0; i < T; ++i) x[i] = fr_pow5(fr_add(s[i], c[i]));
    POSEIDON_ROLLED
    for (int i = 0; i < T; ++i) {
        fr_t acc = fr_mul(m[i * T], x[0]);
        POSEIDON_ROLLED
        for (int j = 1; j < T; ++j) acc = fr_add(acc, fr_mul(m[i * T + j], x[j]));
        s[i] = acc;
    }
}

/* Partial round r: x0 = (s0 + c_r)^5; s0 := a . (x0, s1..), s_j += v_j x0 (the sparse matrix). */
template <int T>
ZK_HD void poseidon_partial_round(fr_t s[T], const poseidon_tab_t &tab, int r) {
    const fr_t x0 = fr_pow5(fr_add(s[0], tab.partial_rc[r]));
    const fr_t *row = tab.rows + r * T;
    const fr_t *col = tab.cols + r * (T - 1);
    fr_t acc = fr_mul(row[0], x0);
    POSEIDON_ROLLED
    for (int j = 1; j < T; ++j) {
        acc = fr_add(acc, fr_mul(row[j], s[j]));
        s[j] = fr_add(s[j], fr_mul(col[j - 1], x0));
    }
    s[0] = acc;
}

/* The permutation on a Montgomery state, in place. */
template <int T>
ZK_HD void poseidon_permute_mont(fr_t s[T], const poseidon_tab_t &tab, int r_f, int r_p) {
    const int half = r_f / 2;
    for (int r = 0; r < half; ++r)
        poseidon_full_round<T>(s, tab.full_rc + r * T, r == half - 1 ? tab.pre_mds : tab.mds);
    for (int r = 0; r < r_p; ++r) poseidon_partial_round<T>(s, tab, r);
    for (int r = half; r < r_f; ++r) poseidon_full_round<T>(s, tab.full_rc + r * T, tab.mds);
}

/* Item k of the permutation kernel: out[k] = permute(in[k]), states (m, T) standard form. */
template <int T>
ZK_HD void poseidon_permute_item(const fr_t *in, fr_t *out, const fr_t *packed, int r_f, int r_p,
                                 int64_t k) {
    const poseidon_tab_t tab = poseidon_tables(packed, T, r_f, r_p);
    fr_t s[T];
    POSEIDON_ROLLED
    for (int i = 0; i < T; ++i) s[i] = fr_to_mont(in[k * T + i]);
    poseidon_permute_mont<T>(s, tab, r_f, r_p);
    POSEIDON_ROLLED
    for (int i = 0; i < T; ++i) out[k * T + i] = fr_from_mont(s[i]);
}

/* Item k of the sponge kernel: out[k] = the commitment hash of inputs[k] ((m, n) standard form,
 * n >= 1), as kernels/poseidon_ref.py defines it: capacity n 2^64, the rest zero; blocks of T - 1
 * inputs (the last zero-padded, which adds nothing) added into s[1..], one permutation each;
 * the hash is s[1]. */
template <int T>
ZK_HD void poseidon_sponge_item(const fr_t *inputs, int64_t n, fr_t *out, const fr_t *packed,
                                int r_f, int r_p, int64_t k) {
    const poseidon_tab_t tab = poseidon_tables(packed, T, r_f, r_p);
    fr_t s[T];
    POSEIDON_ROLLED
    for (int i = 0; i < T; ++i) s[i] = fr_zero();
    s[0].l[2] = (uint32_t)n; /* n * 2^64, standard form: limbs 2 and 3 */
    s[0].l[3] = (uint32_t)((uint64_t)n >> 32);
    s[0] = fr_to_mont(s[0]);
    const fr_t *row = inputs + k * n;
    for (int64_t start = 0; start < n; start += T - 1) {
        POSEIDON_ROLLED
        for (int j = 1; j < T; ++j)
            if (start + j - 1 < n) s[j] = fr_add(s[j], fr_to_mont(row[start + j - 1]));
        poseidon_permute_mont<T>(s, tab, r_f, r_p);
    }
    out[k] = fr_from_mont(s[1]);
}
