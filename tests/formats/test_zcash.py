"""ZCash compressed encoding against py_ecc's implementation, and every rejection path."""

import numpy as np
import pyblst
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from py_ecc.bls.point_compression import compress_G1, compress_G2
from py_ecc.optimized_bls12_381 import G1, G2, multiply

from engine.errors import InputError
from engine.formats import points as pts
from engine.formats import zcash
from engine.groth16.keys import Proof
from formats_testlib import G1_ORDER3, g1_ref, g2_non_subgroup, g2_ref
from kernels.constants import P, R

scalars = st.integers(min_value=1, max_value=R - 1)


def _py_ecc_g1(k: int) -> bytes:
    return compress_G1(multiply(G1, k)).to_bytes(48, "big")


def _py_ecc_g2(k: int) -> bytes:
    z1, z2 = compress_G2(multiply(G2, k))
    return z1.to_bytes(48, "big") + z2.to_bytes(48, "big")


@settings(max_examples=20, deadline=None)
@given(scalars)
def test_g1_matches_py_ecc(k):
    enc = zcash.compress_g1(g1_ref(k))
    assert enc == _py_ecc_g1(k)
    assert zcash.decompress_g1(enc) == g1_ref(k)
    assert zcash.g1_blst(enc).compress() == enc


@settings(max_examples=10, deadline=None)
@given(scalars)
def test_g2_matches_py_ecc(k):
    enc = zcash.compress_g2(g2_ref(k))
    assert enc == _py_ecc_g2(k)
    assert zcash.decompress_g2(enc) == g2_ref(k)
    assert zcash.g2_blst(enc).compress() == enc


def test_infinity():
    assert zcash.compress_g1(None) == bytes([0xC0]) + bytes(47)
    assert zcash.compress_g2(None) == bytes([0xC0]) + bytes(95)
    assert zcash.decompress_g1(zcash.compress_g1(None)) is None
    assert zcash.decompress_g2(zcash.compress_g2(None)) is None


def test_array_compression_equals_pointwise():
    g1 = [g1_ref(k) for k in (1, 2, 3, R - 1)] + [None]
    g2 = [g2_ref(k) for k in (1, 5, R - 2)] + [None]
    enc1 = zcash.compress_g1_array(pts.g1_to_array(g1))
    enc2 = zcash.compress_g2_array(pts.g2_to_array(g2))
    assert [bytes(row) for row in enc1] == [zcash.compress_g1(p) for p in g1]
    assert [bytes(row) for row in enc2] == [zcash.compress_g2(p) for p in g2]


def test_g2_sign_uses_c0_only_when_c1_is_zero():
    """The sign rule itself (compression does not validate, so any coordinates do)."""
    half = (P - 1) // 2
    cases = [((half + 1, 0), True), ((half, 0), False), ((0, half + 1), True), ((P - 1, 1), False)]
    for y, larger in cases:
        pt = ((1, 2), y)
        assert bool(zcash.compress_g2(pt)[0] & 0x20) == larger
        assert bytes(zcash.compress_g2_array(pts.g2_to_array([pt]))[0]) == zcash.compress_g2(pt)


def test_pyblst_uncompress_checks_the_subgroup():
    """The fact the decoders rely on: blst rejects an on-curve point outside G1/G2."""
    with pytest.raises(ValueError, match="NOT_IN_GROUP"):
        pyblst.BlstP1Element.uncompress(zcash.compress_g1(G1_ORDER3))
    with pytest.raises(ValueError, match="NOT_IN_GROUP"):
        pyblst.BlstP2Element.uncompress(zcash.compress_g2(g2_non_subgroup()))


def _g1_off_curve_x() -> int:
    return next(x for x in range(1, 100) if pow(x ** 3 + 4, (P - 1) // 2, P) == P - 1)


def _good1() -> bytes:
    return zcash.compress_g1(g1_ref(5))


@pytest.mark.parametrize("mutate, reason", [
    (lambda b: b[:47], "expected 48 bytes, got 47"),
    (lambda b: b + b"\x00", "expected 48 bytes, got 49"),
    (lambda b: bytes([b[0] & 0x7F]) + b[1:], "compression flag"),
    (lambda b: bytes([0xC0]) + bytes(46) + b"\x01", "infinity flag set"),
    (lambda b: bytes([0xE0]) + bytes(47), "infinity flag set"),
    (lambda b: bytes([0xC1]) + bytes(47), "infinity flag set"),
    (lambda b: bytes([0x80 | 0x1A]) + b"\xff" * 47, "not below the field modulus"),
    (lambda b: bytes([0x80]) + _g1_off_curve_x().to_bytes(47, "big"), "not on the curve"),
    (lambda b: zcash.compress_g1(G1_ORDER3), "not in the prime-order subgroup"),
])
def test_g1_rejections(mutate, reason):
    data = mutate(_good1())
    for decode in (zcash.decompress_g1, zcash.g1_blst):
        with pytest.raises(InputError, match=reason) as exc:
            decode(data, "proof A (G1)")
        assert str(exc.value).startswith("proof A (G1): ")


def test_g1_x_equal_to_p_rejected():
    data = bytearray(P.to_bytes(48, "big"))
    data[0] |= 0x80
    with pytest.raises(InputError, match="not below the field modulus"):
        zcash.decompress_g1(bytes(data))


@pytest.mark.parametrize("part", ["x.c1", "x.c0"])
def test_g2_noncanonical_component(part):
    c1, c0 = (P, 1) if part == "x.c1" else (1, P)
    data = bytearray(c1.to_bytes(48, "big") + c0.to_bytes(48, "big"))
    data[0] |= 0x80
    with pytest.raises(InputError, match=rf"proof B \(G2\): {part} is not below the field modulus"):
        zcash.decompress_g2(bytes(data), "proof B (G2)")


def test_g2_rejections():
    with pytest.raises(InputError, match="not in the prime-order subgroup"):
        zcash.decompress_g2(zcash.compress_g2(g2_non_subgroup()), "proof B (G2)")
    with pytest.raises(InputError, match="expected 96 bytes"):
        zcash.g2_blst(bytes(48))
    off = next(k for k in range(1, 200) if pts.g2_y_from_x((k, 0), False) is None)
    data = bytearray(zcash.compress_g2(g2_ref(1)))
    data[:48] = bytes([0x80]) + bytes(47)
    data[48:] = off.to_bytes(48, "big")
    with pytest.raises(InputError, match="not on the curve"):
        zcash.g2_blst(bytes(data))


def test_not_bytes():
    with pytest.raises(InputError, match="expected bytes"):
        zcash.decompress_g1("00" * 48)


def test_checked_points_from_ints():
    assert zcash.g1_blst_from_point(g1_ref(3)).compress() == _py_ecc_g1(3)
    with pytest.raises(InputError, match="not on the curve"):
        zcash.g1_blst_from_point((1, 1))
    with pytest.raises(InputError, match="subgroup"):
        zcash.g1_blst_from_point(G1_ORDER3)
    with pytest.raises(InputError, match="not below"):
        x, y = g1_ref(3)
        zcash.g1_blst_from_point((x + P, y))
    with pytest.raises(InputError, match="subgroup"):
        zcash.g2_blst_from_point(g2_non_subgroup())


def test_proof_round_trip():
    a, b, c = g1_ref(11), g2_ref(12), g1_ref(13)
    proof = Proof(a=pts.g1_to_array([a])[0], b=pts.g2_to_array([b])[0], c=pts.g1_to_array([c])[0])
    enc = zcash.encode_proof(proof)
    assert enc == _py_ecc_g1(11) + _py_ecc_g2(12) + _py_ecc_g1(13)
    back = zcash.decode_proof(enc)
    for f in ("a", "b", "c"):
        assert np.array_equal(getattr(back, f), getattr(proof, f))
    elems = zcash.decode_proof_blst(enc)
    assert b"".join(e.compress() for e in elems) == enc


@pytest.mark.parametrize("where, name", [(0, "proof A"), (48, "proof B"), (144, "proof C")])
def test_proof_errors_name_the_point(where, name):
    enc = bytearray(zcash.compress_g1(g1_ref(1)) + zcash.compress_g2(g2_ref(1)) +
                    zcash.compress_g1(g1_ref(1)))
    enc[where] &= 0x7F
    with pytest.raises(InputError, match=f"^{name}"):
        zcash.decode_proof(bytes(enc))
    with pytest.raises(InputError, match="expected 192 bytes, got 191"):
        zcash.decode_proof(bytes(enc[:-1]))
