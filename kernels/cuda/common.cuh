/* Shared definitions for the CUDA kernels: integer types, ZK_HD, and 32-bit carry-chain primitives.
 *
 * One source, three compilers: nvcc (device and host passes), NVRTC (through cupy.RawModule; no
 * system headers) and a plain host C++17 compiler (the CI test library, tests/cuda/). Field code
 * is written once against the carry primitives below:
 *   - under __CUDA_ARCH__ each primitive is one PTX instruction (add.cc, addc.cc, sub.cc, subc.cc,
 *     mad.lo.cc, madc.hi.cc, ...) and the carry lives in the hardware CC.CF flag;
 *   - elsewhere each primitive is portable C on uint64_t that keeps the same flag in `cf`.
 * Every primitive takes the flag by reference so the portable path is an exact, testable model of
 * the PTX chain; on the device `cf` is never read or written and compiles away. The rules of PTX
 * carry chains therefore apply to both paths: a `_cc` primitive sets CF, a `c` primitive reads it,
 * and nothing that touches CF may sit between the links of one chain.
 */
#pragma once

#if defined(__CUDACC_RTC__)
/* NVRTC ships no C library headers; these are the LP64 widths every CUDA target uses. */
typedef unsigned int uint32_t;
typedef unsigned long long uint64_t;
typedef int int32_t;
typedef long long int64_t;
#else
#include <cstdint>
#endif

/* ZK_HD: inlined everywhere (the default for field arithmetic). ZK_HD_CALL: a real call on the
 * device, for large bodies used at many call sites (Fp2 multiplication in G2 formulas), where full
 * inlining multiplies code size and nvcc time for a few percent of speed; such functions take
 * their arguments by value so the call passes registers, not local memory. */
#if defined(__CUDACC__) || defined(__CUDACC_RTC__)
#define ZK_HD __host__ __device__ __forceinline__
#define ZK_HD_CALL __host__ __device__ __noinline__ inline
#define ZK_UNROLL _Pragma("unroll")
#else
#define ZK_HD inline
#define ZK_HD_CALL inline
#if defined(__GNUC__) && !defined(__clang__)
#define ZK_UNROLL _Pragma("GCC unroll 32")
#elif defined(__clang__)
#define ZK_UNROLL _Pragma("unroll")
#else
#define ZK_UNROLL
#endif
#endif

/* Which path the carry primitives take in this compilation pass (1 = PTX). */
#if defined(__CUDA_ARCH__)
#define ZK_PTX 1
#else
#define ZK_PTX 0
#endif

/* Field ops by type, for code templated on the field (curve.cuh). fp.cuh, fr.cuh and fp2.cuh
 * specialise it with static members zero, one, is_zero, eq, add, sub, neg, dbl, mul, sqr, inv. */
template <class F>
struct field_ops;

namespace zk {

#if ZK_PTX

ZK_HD uint32_t add_cc(uint32_t a, uint32_t b, uint32_t &) {
    uint32_t r;
    asm volatile("add.cc.u32 %0, %1, %2;" : "=r"(r) : "r"(a), "r"(b));
    return r;
}
ZK_HD uint32_t addc_cc(uint32_t a, uint32_t b, uint32_t &) {
    uint32_t r;
    asm volatile("addc.cc.u32 %0, %1, %2;" : "=r"(r) : "r"(a), "r"(b));
    return r;
}
ZK_HD uint32_t addc(uint32_t a, uint32_t b, uint32_t &) {
    uint32_t r;
    asm volatile("addc.u32 %0, %1, %2;" : "=r"(r) : "r"(a), "r"(b));
    return r;
}
ZK_HD uint32_t sub_cc(uint32_t a, uint32_t b, uint32_t &) {
    uint32_t r;
    asm volatile("sub.cc.u32 %0, %1, %2;" : "=r"(r) : "r"(a), "r"(b));
    return r;
}
ZK_HD uint32_t subc_cc(uint32_t a, uint32_t b, uint32_t &) {
    uint32_t r;
    asm volatile("subc.cc.u32 %0, %1, %2;" : "=r"(r) : "r"(a), "r"(b));
    return r;
}
ZK_HD uint32_t subc(uint32_t a, uint32_t b, uint32_t &) {
    uint32_t r;
    asm volatile("subc.u32 %0, %1, %2;" : "=r"(r) : "r"(a), "r"(b));
    return r;
}
ZK_HD uint32_t mad_lo_cc(uint32_t a, uint32_t b, uint32_t c, uint32_t &) {
    uint32_t r;
    asm volatile("mad.lo.cc.u32 %0, %1, %2, %3;" : "=r"(r) : "r"(a), "r"(b), "r"(c));
    return r;
}
ZK_HD uint32_t madc_lo_cc(uint32_t a, uint32_t b, uint32_t c, uint32_t &) {
    uint32_t r;
    asm volatile("madc.lo.cc.u32 %0, %1, %2, %3;" : "=r"(r) : "r"(a), "r"(b), "r"(c));
    return r;
}
ZK_HD uint32_t mad_hi_cc(uint32_t a, uint32_t b, uint32_t c, uint32_t &) {
    uint32_t r;
    asm volatile("mad.hi.cc.u32 %0, %1, %2, %3;" : "=r"(r) : "r"(a), "r"(b), "r"(c));
    return r;
}
ZK_HD uint32_t madc_hi_cc(uint32_t a, uint32_t b, uint32_t c, uint32_t &) {
    uint32_t r;
    asm volatile("madc.hi.cc.u32 %0, %1, %2, %3;" : "=r"(r) : "r"(a), "r"(b), "r"(c));
    return r;
}
ZK_HD uint32_t madc_hi(uint32_t a, uint32_t b, uint32_t c, uint32_t &) {
    uint32_t r;
    asm volatile("madc.hi.u32 %0, %1, %2, %3;" : "=r"(r) : "r"(a), "r"(b), "r"(c));
    return r;
}

#else /* portable model of the same instructions: cf is CC.CF */

ZK_HD uint32_t add_cc(uint32_t a, uint32_t b, uint32_t &cf) {
    uint64_t s = (uint64_t)a + b;
    cf = (uint32_t)(s >> 32);
    return (uint32_t)s;
}
ZK_HD uint32_t addc_cc(uint32_t a, uint32_t b, uint32_t &cf) {
    uint64_t s = (uint64_t)a + b + cf;
    cf = (uint32_t)(s >> 32);
    return (uint32_t)s;
}
ZK_HD uint32_t addc(uint32_t a, uint32_t b, uint32_t &cf) {
    return (uint32_t)((uint64_t)a + b + cf);
}
ZK_HD uint32_t sub_cc(uint32_t a, uint32_t b, uint32_t &cf) {
    uint64_t d = (uint64_t)a - b;
    cf = (uint32_t)(d >> 63); /* borrow */
    return (uint32_t)d;
}
ZK_HD uint32_t subc_cc(uint32_t a, uint32_t b, uint32_t &cf) {
    uint64_t d = (uint64_t)a - b - cf;
    cf = (uint32_t)(d >> 63);
    return (uint32_t)d;
}
ZK_HD uint32_t subc(uint32_t a, uint32_t b, uint32_t &cf) {
    return (uint32_t)((uint64_t)a - b - cf);
}
ZK_HD uint32_t mad_lo_cc(uint32_t a, uint32_t b, uint32_t c, uint32_t &cf) {
    uint64_t s = (uint64_t)(uint32_t)((uint64_t)a * b) + c;
    cf = (uint32_t)(s >> 32);
    return (uint32_t)s;
}
ZK_HD uint32_t madc_lo_cc(uint32_t a, uint32_t b, uint32_t c, uint32_t &cf) {
    uint64_t s = (uint64_t)(uint32_t)((uint64_t)a * b) + c + cf;
    cf = (uint32_t)(s >> 32);
    return (uint32_t)s;
}
ZK_HD uint32_t mad_hi_cc(uint32_t a, uint32_t b, uint32_t c, uint32_t &cf) {
    uint64_t s = (((uint64_t)a * b) >> 32) + c;
    cf = (uint32_t)(s >> 32);
    return (uint32_t)s;
}
ZK_HD uint32_t madc_hi_cc(uint32_t a, uint32_t b, uint32_t c, uint32_t &cf) {
    uint64_t s = (((uint64_t)a * b) >> 32) + c + cf;
    cf = (uint32_t)(s >> 32);
    return (uint32_t)s;
}
ZK_HD uint32_t madc_hi(uint32_t a, uint32_t b, uint32_t c, uint32_t &cf) {
    return (uint32_t)((((uint64_t)a * b) >> 32) + c + cf);
}

#endif /* ZK_PTX */

} /* namespace zk */
