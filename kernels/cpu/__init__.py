"""CPU backend: Numba njit kernels over numpy limb arrays (64-bit limbs, Montgomery form)."""
