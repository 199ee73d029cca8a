// Host test library over the CUDA field headers: extern "C" batch wrappers for ctypes.
//
// Each function maps an operation over n elements stored contiguously as 32-bit limbs (the byte
// layout of the uint64 numpy arrays of kernels/limbs.py), so tests pass numpy buffers directly.
// The headers are compiled here by the host compiler: the portable carry-chain model of common.cuh
// runs the exact field code the GPU runs.
#include <cstddef>

#include "fp.cuh"
#include "fr.cuh"
#include "fp2.cuh"

#define ZK_UNARY(T, name, op)                                           \
    extern "C" void name(const T *a, T *out, size_t n) {                \
        for (size_t i = 0; i < n; ++i) out[i] = op(a[i]);               \
    }
#define ZK_BINARY(T, name, op)                                          \
    extern "C" void name(const T *a, const T *b, T *out, size_t n) {    \
        for (size_t i = 0; i < n; ++i) out[i] = op(a[i], b[i]);         \
    }
#define ZK_PREDICATE(T, name, op)                                       \
    extern "C" void name(const T *a, uint8_t *out, size_t n) {          \
        for (size_t i = 0; i < n; ++i) out[i] = op(a[i]) ? 1 : 0;       \
    }
#define ZK_RELATION(T, name, op)                                        \
    extern "C" void name(const T *a, const T *b, uint8_t *out, size_t n) { \
        for (size_t i = 0; i < n; ++i) out[i] = op(a[i], b[i]) ? 1 : 0; \
    }
#define ZK_CONSTANT(T, name, op)                                        \
    extern "C" void name(T *out) { *out = op(); }

ZK_CONSTANT(fp_t, h_fp_zero, fp_zero)
ZK_CONSTANT(fp_t, h_fp_one, fp_one)
ZK_PREDICATE(fp_t, h_fp_is_zero, fp_is_zero)
ZK_RELATION(fp_t, h_fp_eq, fp_eq)
ZK_BINARY(fp_t, h_fp_add, fp_add)
ZK_BINARY(fp_t, h_fp_sub, fp_sub)
ZK_BINARY(fp_t, h_fp_mul, fp_mul)
ZK_UNARY(fp_t, h_fp_neg, fp_neg)
ZK_UNARY(fp_t, h_fp_dbl, fp_dbl)
ZK_UNARY(fp_t, h_fp_sqr, fp_sqr)
ZK_UNARY(fp_t, h_fp_inv, fp_inv)
ZK_UNARY(fp_t, h_fp_to_mont, fp_to_mont)
ZK_UNARY(fp_t, h_fp_from_mont, fp_from_mont)

ZK_CONSTANT(fr_t, h_fr_zero, fr_zero)
ZK_CONSTANT(fr_t, h_fr_one, fr_one)
ZK_PREDICATE(fr_t, h_fr_is_zero, fr_is_zero)
ZK_RELATION(fr_t, h_fr_eq, fr_eq)
ZK_BINARY(fr_t, h_fr_add, fr_add)
ZK_BINARY(fr_t, h_fr_sub, fr_sub)
ZK_BINARY(fr_t, h_fr_mul, fr_mul)
ZK_UNARY(fr_t, h_fr_neg, fr_neg)
ZK_UNARY(fr_t, h_fr_dbl, fr_dbl)
ZK_UNARY(fr_t, h_fr_sqr, fr_sqr)
ZK_UNARY(fr_t, h_fr_inv, fr_inv)
ZK_UNARY(fr_t, h_fr_pow5, fr_pow5)
ZK_UNARY(fr_t, h_fr_to_mont, fr_to_mont)
ZK_UNARY(fr_t, h_fr_from_mont, fr_from_mont)

ZK_CONSTANT(fp2_t, h_fp2_zero, fp2_zero)
ZK_CONSTANT(fp2_t, h_fp2_one, fp2_one)
ZK_PREDICATE(fp2_t, h_fp2_is_zero, fp2_is_zero)
ZK_RELATION(fp2_t, h_fp2_eq, fp2_eq)
ZK_BINARY(fp2_t, h_fp2_add, fp2_add)
ZK_BINARY(fp2_t, h_fp2_sub, fp2_sub)
ZK_BINARY(fp2_t, h_fp2_mul, fp2_mul)
ZK_UNARY(fp2_t, h_fp2_neg, fp2_neg)
ZK_UNARY(fp2_t, h_fp2_dbl, fp2_dbl)
ZK_UNARY(fp2_t, h_fp2_sqr, fp2_sqr)
ZK_UNARY(fp2_t, h_fp2_inv, fp2_inv)
