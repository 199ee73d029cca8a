/* Element-wise G1/G2 batch kernels: XYZZ -> affine (one inversion per point; for MSM results and
 * other short arrays, not for bulk data) and affine point addition for the backend's add_many.
 *
 * Buffers are the backend's layouts reinterpreted: G1 affine (m, 2, 6) uint64 = g1_affine_t[m],
 * G2 affine (m, 2, 2, 6) = g2_affine_t[m], XYZZ (m, 4, ...) = g1_xyzz_t / g2_xyzz_t.
 */
#include "curve.cuh"

#define ZK_GRID_LOOP(i, n)                                                                     \
    for (uint64_t i = blockIdx.x * (uint64_t)blockDim.x + threadIdx.x; i < n;                  \
         i += (uint64_t)gridDim.x * blockDim.x)

extern "C" __global__ void g1_xyzz_to_affine_batch(const g1_xyzz_t *p, g1_affine_t *out, uint64_t n) {
    ZK_GRID_LOOP(i, n) out[i] = xyzz_to_affine(p[i]);
}
extern "C" __global__ void g2_xyzz_to_affine_batch(const g2_xyzz_t *p, g2_affine_t *out, uint64_t n) {
    ZK_GRID_LOOP(i, n) out[i] = xyzz_to_affine(p[i]);
}

/* out[i] = a[i] + b[i] for affine points, through XYZZ (complete: any mix of infinity, equal,
 * opposite points). */
extern "C" __global__ void g1_affine_add_batch(const g1_affine_t *a, const g1_affine_t *b,
                                               g1_affine_t *out, uint64_t n) {
    ZK_GRID_LOOP(i, n) out[i] = xyzz_to_affine(xyzz_add_affine(xyzz_from_affine(a[i]), b[i]));
}
extern "C" __global__ void g2_affine_add_batch(const g2_affine_t *a, const g2_affine_t *b,
                                               g2_affine_t *out, uint64_t n) {
    ZK_GRID_LOOP(i, n) out[i] = xyzz_to_affine(xyzz_add_affine(xyzz_from_affine(a[i]), b[i]));
}
