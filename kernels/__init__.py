"""Numeric kernels: BLS12-381 fields and curves, MSM, NTT (CPU via Numba, CUDA via CuPy).

`kernels` knows nothing of datasets, circuits or storage; it works on numpy arrays of limbs.
"""
