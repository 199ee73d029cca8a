"""Poseidon parameter generation against the reference's published outputs.

Known answers, none produced by this project:
- hadeshash `code/test_vectors.txt` (IAIK, https://extgit.iaik.tugraz.at/krypto/hadeshash, the
  Poseidon paper's reference code): `poseidonperm_x5_255_3` and `poseidonperm_x5_255_5`
  (BLS12-381 Fr, t = 3 and 5) map [0, 1, ..., t-1] to the states below; the same vectors are
  asserted by e.g. NilFoundation crypto3 and arkworks-based implementations.
- circomlibjs 0.1.7 (BN254, parameters from the same reference script): its round-number table
  `N_ROUNDS_P` (src/poseidon_reference.js) and `poseidon([1, ..., t-1])` = permutation of
  [0, 1, ..., t-1], element 0, for t = 2..9, computed with node from the npm package.
Generating BN254 parameters with our code and matching circomlib exercises the Grain stream,
the rejection sampling and the MDS checks at every width from 2 to 9.
"""

from __future__ import annotations

import pytest

from itertools import combinations

from kernels.constants import R
from kernels.modp_linalg import right_kernel
from kernels.poseidon_mds import cauchy_candidate, is_secure, passes_test_1, passes_test_2, \
    passes_test_3
from kernels.poseidon_params import Grain, generate, poseidon_params, round_numbers
from kernels.poseidon_ref import permute

BN254 = 21888242871839275222246405745257275088548364400416034343698204186575808495617

HADESHASH_X5_255_3 = [
    0x28CE19420FC246A05553AD1E8C98F5C9D67166BE2C18E9E4CB4B4E317DD2A78A,
    0x51F3E312C95343A896CFD8945EA82BA956C1118CE9B9859B6EA56637B4B1DDC4,
    0x3B2B69139B235626A0BFB56C9527AE66A7BF486AD8C11C14D1DA0C69BBE0F79A,
]
HADESHASH_X5_255_5 = [
    0x2A918B9C9F9BD7BB509331C81E297B5707F6FC7393DCEE1B13901A0B22202E18,
    0x65EBF8671739EEB11FB217F2D5C5BF4A0C3F210E3F3CD3B08B5DB75675D797F7,
    0x2CC176FC26BC70737A696A9DFD1B636CE360EE76926D182390CDB7459CF585CE,
    0x4DC4E29D283AFD2A491FE6AEF122B9A968E74EFF05341F3CC23FDA1781DCB566,
    0x03FF622DA276830B9451B88B85E6184FD6AE15C8AB3EE25A5667BE8592CCE3B1,
]
CIRCOMLIB_N_ROUNDS_P = [56, 57, 56, 60, 60, 63, 64, 63, 60, 66, 60, 65, 70, 60, 64, 68]
CIRCOMLIBJS_POSEIDON_1_TO_N = {  # t: poseidon([1, ..., t-1]) over BN254
    2: 0x29176100EAA962BDC1FE6C654D6A3C130E96A4D1168B33848B897DC502820133,
    3: 0x115CC0F5E7D690413DF64C6B9662E9CF2A3617F2743245519E19607A4417189A,
    4: 0x0E7732D89E6939C0FF03D5E58DAB6302F3230E269DC5B968F725DF34AB36D732,
    5: 0x299C867DB6C1FDD79DCEFA40E4510B9837E60EBB1CE0663DBAA525DF65250465,
    6: 0x0DAB9449E4A1398A15224C0B15A49D598B2174D305A316C918125F8FEEB123C0,
    7: 0x2D1A03850084442813C8EBF094DEA47538490A68B05F2239134A4CCA2F6302E1,
    8: 0x1C2F3482DBB140C4EBB9ADA49ABDBC374A9A85FCFC6533EC2E9DF45B4921C318,
    9: 0x2921AB9BD0140CBC98E40395C0FEFB40337A4D54FBBECD9A4D43B3D8D0C4D8D1,
}


# ---- round numbers ----------------------------------------------------------------------------

def test_round_numbers_of_the_reference_instances():
    # hadeshash's BLS12-381 instances (generate_parameters_grain.sage header, test vectors)
    assert round_numbers(3) == (8, 57)
    assert round_numbers(5) == (8, 60)
    assert round_numbers(9) == (8, 63)
    assert round_numbers(17) == (8, 68)


@pytest.mark.parametrize("prime", [BN254, R], ids=["bn254", "bls12_381"])
def test_round_numbers_match_circomlib_table(prime):
    # Both fields have n = 254/255 bits, where the security bounds give the same numbers.
    assert [round_numbers(t, prime) for t in range(2, 18)] == [
        (8, r_p) for r_p in CIRCOMLIB_N_ROUNDS_P]


# ---- Grain LFSR -------------------------------------------------------------------------------

def literal_grain_bits(field, sbox, n, t, r_f, r_p, count):
    """The paper's appendix F, one bit at a time with a Python list as the register."""
    header = [(field, 2), (sbox, 4), (n, 12), (t, 12), (r_f, 10), (r_p, 10)]
    reg = [int(c) for v, w in header for c in format(v, f"0{w}b")] + [1] * 30
    assert len(reg) == 80

    def step():
        new = reg[62] ^ reg[51] ^ reg[38] ^ reg[23] ^ reg[13] ^ reg[0]
        reg.pop(0)
        reg.append(new)
        return new

    for _ in range(160):
        step()
    out = []
    while len(out) < count:
        first, second = step(), step()
        if first:
            out.append(second)
    return out


@pytest.mark.parametrize("t,r_p", [(3, 57), (9, 63)])
def test_grain_stream_equals_the_literal_description(t, r_p):
    bits = literal_grain_bits(1, 0, 255, t, 8, r_p, 2000)
    grain = Grain(1, 0, 255, t, 8, r_p)
    got = [grain.integer(1) for _ in range(100)]  # bit by bit, then in big chunks
    got += [int(c) for k in (255, 745, 900) for c in format(grain.integer(k), f"0{k}b")]
    assert got == bits


# ---- permutation vectors ----------------------------------------------------------------------

def test_hadeshash_poseidonperm_x5_255_3():
    params = poseidon_params(3)
    assert (params.t, params.r_f, params.r_p) == (3, 8, 57)
    assert permute(params, [0, 1, 2]) == HADESHASH_X5_255_3


def test_hadeshash_poseidonperm_x5_255_5():
    params = poseidon_params(5)
    assert (params.t, params.r_f, params.r_p) == (5, 8, 60)
    assert permute(params, [0, 1, 2, 3, 4]) == HADESHASH_X5_255_5


@pytest.mark.parametrize("t", sorted(CIRCOMLIBJS_POSEIDON_1_TO_N))
def test_generator_reproduces_circomlib_over_bn254(t):
    params = generate(t, prime=BN254)
    assert permute(params, list(range(t)))[0] == CIRCOMLIBJS_POSEIDON_1_TO_N[t]


def test_params_are_cached_and_validated():
    assert poseidon_params(3) is poseidon_params(3)
    for bad in (1, 18):
        with pytest.raises(ValueError, match="width"):
            poseidon_params(bad)
    with pytest.raises(ValueError, match="width"):
        generate(1)


def test_round_constants_are_canonical_and_shaped():
    for t in (3, 9, 17):
        params = poseidon_params(t)
        assert len(params.round_constants) == params.r_f + params.r_p
        assert all(len(row) == t and all(0 <= c < R for c in row)
                   for row in params.round_constants)


# ---- MDS matrix -------------------------------------------------------------------------------

def square_submatrices(m):
    n = len(m)
    for k in range(1, n + 1):
        for rows in combinations(range(n), k):
            for cols in combinations(range(n), k):
                yield [[m[i][j] for j in cols] for i in rows]


@pytest.mark.parametrize("t", [3, 5])
def test_mds_is_maximum_distance_separable(t):
    # MDS <=> every square submatrix is nonsingular (true of any Cauchy matrix)
    mds = poseidon_params(t).mds
    assert all(not right_kernel(sub, len(sub), R) for sub in square_submatrices(mds))


@pytest.mark.parametrize("t", [3, 9, 17])
def test_generated_mds_passes_the_reference_checks(t):
    assert is_secure([list(row) for row in poseidon_params(t).mds], R)


def test_mds_checks_reject_weak_matrices():
    p = R
    # a multiple of the identity: M^1 = c I
    assert not passes_test_1([[7, 0, 0], [0, 7, 0], [0, 0, 7]], p)
    # e_1 is an eigenvector (column 1 = 5 e_1) and lies in S_1 = span(e_1, e_2)
    assert not passes_test_1([[2, 0, 3], [1, 5, 4], [6, 0, 9]], p)
    # block diagonal: the orbit of e_0 stays in span(e_0, e_1)
    block = [[1, 2, 0], [3, 4, 0], [0, 0, 5]]
    assert not passes_test_2(block, p)
    # a cyclic shift: e_0 is cyclic (test 2 passes) but M^3 = I (test 3 fails)
    shift = [[0, 0, 1], [1, 0, 0], [0, 1, 0]]
    assert passes_test_2(shift, p) and not passes_test_3(shift, p)
    # a Cauchy matrix with generic entries passes everything
    assert is_secure([[pow(x + y, -1, p) for y in (4, 5, 6)] for x in (1, 2, 3)], p)


def test_cauchy_candidate_redraws_duplicates_and_rejects_zero_sums():
    p = 101
    draws = iter([1, 1, 2, 3,  # duplicate: the whole 2t = 4 values are drawn again
                  1, 2, 3, 4 + p])  # reduced mod p (no rejection): xs = (1, 2), ys = (3, 4)
    m = cauchy_candidate(lambda: next(draws), 2, p)
    assert m == [[pow(4, -1, p), pow(5, -1, p)], [pow(5, -1, p), pow(6, -1, p)]]
    draws = iter([1, 2, p - 1, 5])  # x_0 + y_0 = 0
    assert cauchy_candidate(lambda: next(draws), 2, p) is None
