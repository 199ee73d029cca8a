"""The constants in kernels/constants.py against py_ecc and their defining equations."""

import py_ecc.optimized_bls12_381 as ref

from kernels.constants import (FP_CUBE_ROOT, FR_CUBE_ROOT, FR_ROOT_OF_UNITY, FR_TWO_ADICITY, G1_X, G1_Y,
                               G2_X, G2_Y, P, R, fr_root_of_unity)


def test_moduli_and_generators_match_py_ecc():
    assert (P, R) == (ref.field_modulus, ref.curve_order)
    x, y = ref.normalize(ref.G1)
    assert (G1_X, G1_Y) == (x.n, y.n)
    x2, y2 = ref.normalize(ref.G2)
    assert (G2_X, G2_Y) == (tuple(x2.coeffs), tuple(y2.coeffs))


def test_glv_endomorphism_pairs_lambda_with_beta():
    assert (FR_CUBE_ROOT ** 2 + FR_CUBE_ROOT + 1) % R == 0
    assert pow(FP_CUBE_ROOT, 3, P) == 1 and FP_CUBE_ROOT != 1
    x, y = ref.normalize(ref.multiply(ref.G1, FR_CUBE_ROOT))
    assert (x.n, y.n) == (FP_CUBE_ROOT * G1_X % P, G1_Y)


def test_roots_of_unity_follow_snarkjs():
    # ffjavascript: nqr = 5, w[32] = 5^((r-1)/2^32)
    assert FR_ROOT_OF_UNITY == pow(5, (R - 1) >> 32, R)
    for k in (1, 10, FR_TWO_ADICITY):
        w = fr_root_of_unity(k)
        assert pow(w, 1 << k, R) == 1 and pow(w, 1 << (k - 1), R) != 1
