"""The ZCash/IETF compressed encoding of BLS12-381 points, and the 192-byte Groth16 proof.

G1: 48 bytes, x big-endian. G2: 96 bytes, x.c1 then x.c0, each 48 bytes big-endian. The three
top bits of the first byte are flags: 0x80 compressed (always set here; the 96/192-byte
uncompressed forms are not accepted), 0x40 point at infinity (then every other bit is zero),
0x20 sign: y is the lexicographically larger of {y, -y} (in Fp2: decided by c1, by c0 if c1 = 0).
A proof is A (G1) || B (G2) || C (G1) = 192 bytes.

Decoding checks, in order, with a one-line reason naming the point: length, flags, x < p,
x on the curve, y in the prime-order subgroup. The last two are delegated to blst through pyblst:
`uncompress` calls blst_p1/p2_uncompress (encoding, on curve) and then blst_p1/p2_in_g1/g2
(subgroup; tests/formats/test_zcash.py feeds it the order-3 point (0, 2) to keep that true).
"""

from __future__ import annotations

import numpy as np
import pyblst

from engine.errors import InputError
from engine.formats import points as pts
from engine.formats.points import G1Point, G2Point
from engine.groth16.keys import Proof
from kernels.constants import FP_BYTES, FP_LIMBS, P
from kernels.cpu import fr_vec

G1_BYTES = FP_BYTES
G2_BYTES = 2 * FP_BYTES
PROOF_BYTES = 2 * G1_BYTES + G2_BYTES

_COMPRESSED, _INFINITY, _SIGN = 0x80, 0x40, 0x20
_FLAGS = _COMPRESSED | _INFINITY | _SIGN


# ---- encoding -----------------------------------------------------------------------------------

def _be(v: int) -> bytes:
    return v.to_bytes(FP_BYTES, "big")


def compress_g1(pt: G1Point) -> bytes:
    if pt is None:
        return bytes([_COMPRESSED | _INFINITY]) + bytes(G1_BYTES - 1)
    out = bytearray(_be(pt[0]))
    out[0] |= _COMPRESSED | (_SIGN if pts.fp_is_larger(pt[1]) else 0)
    return bytes(out)


def compress_g2(pt: G2Point) -> bytes:
    if pt is None:
        return bytes([_COMPRESSED | _INFINITY]) + bytes(G2_BYTES - 1)
    (x0, x1), y = pt
    out = bytearray(_be(x1) + _be(x0))
    out[0] |= _COMPRESSED | (_SIGN if pts.fp2_is_larger(y) else 0)
    return bytes(out)


def _be_rows(std: np.ndarray) -> np.ndarray:
    """(m, 6) standard-form limbs -> (m, 48) big-endian bytes."""
    return std[:, ::-1].astype(">u8").view(np.uint8).reshape(len(std), FP_BYTES)


def _flag_rows(out: np.ndarray, inf: np.ndarray, larger: np.ndarray) -> np.ndarray:
    out[:, 0] |= np.where(larger, _COMPRESSED | _SIGN, _COMPRESSED).astype(np.uint8)
    out[inf] = 0
    out[inf, 0] = _COMPRESSED | _INFINITY
    return out


def compress_g1_array(arr: np.ndarray) -> np.ndarray:
    """(m, 48) uint8 encodings of an (m, 2, 6) Montgomery array of canonical coordinates."""
    a = np.ascontiguousarray(arr, dtype=np.uint64).reshape(-1, 2, FP_LIMBS)
    std = fr_vec.fp_from_mont(a.reshape(-1, FP_LIMBS)).reshape(len(a), 2, FP_LIMBS)
    larger = ~pts.limbs_lt(std[:, 1], pts.HALF_P + 1)
    return _flag_rows(_be_rows(std[:, 0]), pts.is_zero_point(a, 2), larger)


def compress_g2_array(arr: np.ndarray) -> np.ndarray:
    """(m, 96) uint8 encodings of an (m, 2, 2, 6) Montgomery array of canonical coordinates."""
    a = np.ascontiguousarray(arr, dtype=np.uint64).reshape(-1, 2, 2, FP_LIMBS)
    std = fr_vec.fp_from_mont(a.reshape(-1, FP_LIMBS)).reshape(len(a), 2, 2, FP_LIMBS)
    y0_larger = ~pts.limbs_lt(std[:, 1, 0], pts.HALF_P + 1)
    y1_larger = ~pts.limbs_lt(std[:, 1, 1], pts.HALF_P + 1)
    y1_zero = ~std[:, 1, 1].any(axis=1)
    larger = np.where(y1_zero, y0_larger, y1_larger)
    out = np.concatenate([_be_rows(std[:, 0, 1]), _be_rows(std[:, 0, 0])], axis=1)
    return _flag_rows(out, pts.is_zero_point(a, 3), larger)


# ---- decoding -----------------------------------------------------------------------------------

def _check_bytes(data: bytes, size: int, what: str) -> tuple[bool, bool]:
    """Length and flag checks; returns (infinity, larger)."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise InputError(f"{what}: expected bytes, got {type(data).__name__}")
    data = bytes(data)
    if len(data) != size:
        raise InputError(f"{what}: expected {size} bytes, got {len(data)}")
    flags = data[0] & _FLAGS
    if not flags & _COMPRESSED:
        raise InputError(f"{what}: compression flag (0x80) not set; only compressed points accepted")
    if flags & _INFINITY:
        if flags & _SIGN or data[0] & ~_FLAGS or any(data[1:]):
            raise InputError(f"{what}: infinity flag set but the other bits are not all zero")
        return True, False
    for k in range(size // FP_BYTES):
        chunk = bytearray(data[k * FP_BYTES:(k + 1) * FP_BYTES])
        if k == 0:
            chunk[0] &= ~_FLAGS & 0xFF
        if int.from_bytes(chunk, "big") >= P:
            part = "" if size == G1_BYTES else (".c1", ".c0")[k]
            raise InputError(f"{what}: x{part} is not below the field modulus p")
    return False, bool(flags & _SIGN)


def _blst(cls, data: bytes, what: str):
    try:
        return cls.uncompress(bytes(data))
    except ValueError as exc:  # pyblst reports every blst failure as ValueError("... BLST_x")
        text = str(exc)
        if "NOT_ON_CURVE" in text:
            raise InputError(f"{what}: not on the curve (x^3 + b has no square root)") from None
        if "NOT_IN_GROUP" in text:
            raise InputError(f"{what}: not in the prime-order subgroup") from None
        raise InputError(f"{what}: rejected by blst ({text})") from None


def g1_blst(data: bytes, what: str = "G1 point") -> pyblst.BlstP1Element:
    """A fully checked G1 point as a blst element (no Python square root: the fast path)."""
    _check_bytes(data, G1_BYTES, what)
    return _blst(pyblst.BlstP1Element, data, what)


def g2_blst(data: bytes, what: str = "G2 point") -> pyblst.BlstP2Element:
    _check_bytes(data, G2_BYTES, what)
    return _blst(pyblst.BlstP2Element, data, what)


def decompress_g1(data: bytes, what: str = "G1 point") -> G1Point:
    infinity, larger = _check_bytes(data, G1_BYTES, what)
    _blst(pyblst.BlstP1Element, data, what)
    if infinity:
        return None
    x = int.from_bytes(bytes([data[0] & ~_FLAGS & 0xFF]) + bytes(data[1:]), "big")
    return x, pts.g1_y_from_x(x, larger)


def decompress_g2(data: bytes, what: str = "G2 point") -> G2Point:
    infinity, larger = _check_bytes(data, G2_BYTES, what)
    _blst(pyblst.BlstP2Element, data, what)
    if infinity:
        return None
    x1 = int.from_bytes(bytes([data[0] & ~_FLAGS & 0xFF]) + bytes(data[1:FP_BYTES]), "big")
    x0 = int.from_bytes(bytes(data[FP_BYTES:]), "big")
    return (x0, x1), pts.g2_y_from_x((x0, x1), larger)


def g1_blst_from_point(pt: G1Point, what: str = "G1 point") -> pyblst.BlstP1Element:
    """Check a Python-int point (canonical, on curve, subgroup) and return it as a blst element."""
    if pt is not None and not all(0 <= c < P for c in pt):
        raise InputError(f"{what}: coordinate is not below the field modulus p")
    if not pts.g1_on_curve(pt):
        raise InputError(f"{what}: not on the curve")
    return _blst(pyblst.BlstP1Element, compress_g1(pt), what)


def g2_blst_from_point(pt: G2Point, what: str = "G2 point") -> pyblst.BlstP2Element:
    if pt is not None and not all(0 <= c < P for coord in pt for c in coord):
        raise InputError(f"{what}: coordinate is not below the field modulus p")
    if not pts.g2_on_curve(pt):
        raise InputError(f"{what}: not on the curve")
    return _blst(pyblst.BlstP2Element, compress_g2(pt), what)


# ---- proofs -------------------------------------------------------------------------------------

def encode_proof(proof: Proof) -> bytes:
    """192 bytes A || B || C; the proof's arrays must hold valid points (the prover's output)."""
    (a,) = pts.g1_from_array(proof.a)
    (b,) = pts.g2_from_array(proof.b)
    (c,) = pts.g1_from_array(proof.c)
    return compress_g1(a) + compress_g2(b) + compress_g1(c)


def _split(data: bytes) -> tuple[bytes, bytes, bytes]:
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise InputError(f"proof: expected bytes, got {type(data).__name__}")
    data = bytes(data)
    if len(data) != PROOF_BYTES:
        raise InputError(f"proof: expected {PROOF_BYTES} bytes, got {len(data)}")
    return data[:G1_BYTES], data[G1_BYTES:G1_BYTES + G2_BYTES], data[G1_BYTES + G2_BYTES:]


def decode_proof(data: bytes) -> Proof:
    """Fully checked proof as Montgomery arrays (InputError names the bad point and check)."""
    a, b, c = _split(data)
    return Proof(
        a=pts.g1_to_array([decompress_g1(a, "proof A (G1)")])[0],
        b=pts.g2_to_array([decompress_g2(b, "proof B (G2)")])[0],
        c=pts.g1_to_array([decompress_g1(c, "proof C (G1)")])[0],
    )


def decode_proof_blst(data: bytes):
    """Fully checked proof as blst elements (A, B, C): the verifier's fast path."""
    a, b, c = _split(data)
    return g1_blst(a, "proof A (G1)"), g2_blst(b, "proof B (G2)"), g1_blst(c, "proof C (G1)")
