"""The two BLS12-381 prime fields on the CPU: Fp (6x64 limbs) and Fr (4x64 limbs), Montgomery form."""

from kernels.constants import FP_LIMBS, FR_LIMBS, P, R
from kernels.cpu.montgomery import build

fp = build(P, FP_LIMBS, "Fp")
fr = build(R, FR_LIMBS, "Fr")
