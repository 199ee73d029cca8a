"""The CPU (Numba) implementation of kernels.backend.Backend: thin wiring, no arithmetic here."""

from __future__ import annotations

from functools import reduce

import numpy as np

from kernels.constants import G1_X, G1_Y, G2_X, G2_Y
from kernels.cpu import fr_vec, msm, points, sparse
from kernels.cpu import ntt as ntt_mod


class CpuBackend:
    name = "cpu"

    fr_to_mont = staticmethod(fr_vec.to_mont)
    fr_from_mont = staticmethod(fr_vec.from_mont)
    fr_mul = staticmethod(fr_vec.mul)
    fr_sub = staticmethod(fr_vec.sub)
    ntt = staticmethod(ntt_mod.ntt)
    intt = staticmethod(ntt_mod.intt)
    coset_ntt = staticmethod(ntt_mod.coset_ntt)
    csr_row_ptr = staticmethod(sparse.csr_row_ptr)
    msm_g1 = staticmethod(msm.msm_g1)
    msm_g2 = staticmethod(msm.msm_g2)
    msm_g1_batch = staticmethod(msm.msm_g1_batch)
    fixed_base_g1 = staticmethod(msm.fixed_base_g1)
    fixed_base_g2 = staticmethod(msm.fixed_base_g2)
    g1_mul = staticmethod(points.g1_mul)
    g2_mul = staticmethod(points.g2_mul)

    @staticmethod
    def sparse_matvec(row_ptr, cols, vals, w, n_rows: int) -> np.ndarray:
        out = np.empty((n_rows, 4), dtype=np.uint64)
        sparse.sparse_matvec(row_ptr, cols, vals, w, out)
        return out

    @staticmethod
    def g1_generator() -> np.ndarray:
        return points.g1_from_ints([(G1_X, G1_Y)])[0]

    @staticmethod
    def g2_generator() -> np.ndarray:
        return points.g2_from_ints([(G2_X, G2_Y)])[0]

    @staticmethod
    def g1_add_many(pts: list[np.ndarray]) -> np.ndarray:
        return reduce(points.g1_add, pts)

    @staticmethod
    def g2_add_many(pts: list[np.ndarray]) -> np.ndarray:
        return reduce(points.g2_add, pts)
