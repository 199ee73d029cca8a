"""The two BLS12-381 prime fields on the CPU: Fp (6x64 limbs) and Fr (4x64 limbs), Montgomery form.

`fp` and `fr` are the generated modules; inside njit code use `fp.mul(a, b)` etc.
"""

from kernels.cpu import fp, fr

__all__ = ["fp", "fr"]
