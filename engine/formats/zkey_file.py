"""Groth16 proving keys as snarkjs `.zkey` files (BLS12-381), read and written.

binfile magic "zkey", version 1, sections (snarkjs zkey_utils.js / zkey_new.js):
  1 protocol: u32, 1 = Groth16 (2 PLONK and 10 FFLONK are rejected)
  2 Groth16 header: u32 n8q (48), q (= p), u32 n8r (32), r, u32 nVars, u32 nPublic,
    u32 domainSize, alpha1, beta1 (G1), beta2, gamma2 (G2), delta1 (G1), delta2 (G2)
  3 IC: nPublic + 1 G1 points
  4 coefficients: u32 count, then per entry u32 matrix (0 = A, 1 = B), u32 constraint,
    u32 signal, 32-byte value. The value bytes are the little-endian integer c * R^2 mod r for
    the R1CS coefficient c (R = 2^256): the Montgomery form of c * R. The extra R cancels
    against the witness, which snarkjs multiplies in *standard* form (mont(c R) * w / R = mont(c w)).
    snarkjs `zkey new` appends A[nConstraints + i][i] = 1 for i = 0..nPublic.
  5 A, 6 B1: nVars G1 points; 7 B2: nVars G2 points; 8 C: nVars - nPublic - 1 G1 points
    (private wires); 9 H: domainSize G1 points
  10 MPC contributions: 64-byte circuit hash, u32 count, contributions. We write the hash as
    zeros and no contributions: snarkjs proves, exports and contributes on top of such a file, but
    `zkey verify` cannot pass for a dev key (delta was never a logged contribution).
  0x7A6C (ours, ignored by snarkjs, optional): u32 flags, bit 0 = insecure dev setup.
Points are "LEM": x then y (G2: x.c0 x.c1 y.c0 y.c1), each 48 bytes little-endian Montgomery
(R = 2^384); infinity is all zeros. That is exactly the kernels.limbs array layout, so a section
maps onto an array with one np.frombuffer.

Checks on read: header sizes and primes, exact section sizes, coefficient ranges, every
coordinate below p, every point on its curve (vectorised), infinity only where snarkjs can
produce it (not alpha, beta, gamma, delta), and the prime-order subgroup. The subgroup check is
blst per point (pyblst uncompress): about 65 us per G1 and 90 us per G2 point on the 2-core dev
machine, single-threaded because pyblst holds the GIL. For a 2^17 key that is ~45 s, against
~0.5 s for everything else, so `subgroup_check="vk"` limits it to the header and IC points (the
points soundness depends on) for keys this program wrote itself or already checked.
"""

from __future__ import annotations

import os
from typing import Literal

import numpy as np
import pyblst

from engine.formats import binfile, zcash
from engine.formats.points import g1_valid_mask, g2_valid_mask, is_zero_point, limbs_lt
from engine.groth16.keys import ProvingKey, VerifyingKey
from kernels.constants import FP_BYTES, FP_LIMBS, FR_BYTES, FR_LIMBS, FR_TWO_ADICITY, P, R
from kernels.cpu import fr_vec

MAGIC, VERSION = "zkey", 1
GROTH16 = 1
EXT_SECTION = 0x7A6C
_FLAG_INSECURE_DEV = 1

_G1 = (2, FP_LIMBS)
_G2 = (2, 2, FP_LIMBS)
_COEF = np.dtype([("matrix", "<u4"), ("constraint", "<u4"), ("signal", "<u4"),
                  ("value", "<u8", (FR_LIMBS,))])
_SECTIONS = {3: "IC", 5: "A points", 6: "B1 points", 7: "B2 points", 8: "C points",
             9: "H points"}


def _check_points(bf: binfile.BinFile, where: str, arr: np.ndarray, g2: bool,
                  allow_infinity: bool, subgroup: bool) -> None:
    canonical, on_curve = (g2_valid_mask if g2 else g1_valid_mask)(arr)
    bad = np.flatnonzero(~canonical)
    if bad.size:
        raise bf.error(f"point {bad[0]}: coordinate not below p", where)
    bad = np.flatnonzero(~on_curve)
    if bad.size:
        raise bf.error(f"point {bad[0]}: not on the curve ({bad.size} such points)", where)
    if not allow_infinity:
        bad = np.flatnonzero(is_zero_point(arr.reshape((-1,) + (_G2 if g2 else _G1)), 3 if g2 else 2))
        if bad.size:
            raise bf.error(f"point {bad[0]}: is the point at infinity", where)
    if subgroup:
        enc = (zcash.compress_g2_array if g2 else zcash.compress_g1_array)(arr)
        cls = pyblst.BlstP2Element if g2 else pyblst.BlstP1Element
        raw, size = enc.tobytes(), enc.shape[1]
        for i in range(len(enc)):
            try:
                cls.uncompress(raw[i * size:(i + 1) * size])
            except ValueError:
                raise bf.error(f"point {i}: not in the prime-order subgroup", where) from None


def _header(bf: binfile.BinFile) -> dict:
    proto = bf.reader(1, "protocol")
    pid = proto.u32()
    proto.done()
    if pid != GROTH16:
        raise proto.error(f"protocol id {pid} is not Groth16 ({GROTH16})")
    r = bf.reader(2, "Groth16 header")
    if (n8q := r.u32()) != FP_BYTES or r.bigint(n8q) != P:
        raise r.error("base field is not BLS12-381 (n8q / q mismatch)")
    if (n8r := r.u32()) != FR_BYTES or r.bigint(n8r) != R:
        raise r.error("scalar field is not BLS12-381 (n8r / r mismatch)")
    h = dict(n_vars=r.u32(), n_public=r.u32(), domain_size=r.u32())
    for name, shape in (("alpha1", _G1), ("beta1", _G1), ("beta2", _G2), ("gamma2", _G2),
                        ("delta1", _G1), ("delta2", _G2)):
        h[name] = r.array("<u8", shape).astype(np.uint64, copy=False)
    r.done()
    d = h["domain_size"]
    if d == 0 or d & (d - 1) or d.bit_length() - 1 > FR_TWO_ADICITY:
        raise r.error(f"domainSize {d} is not a power of two up to 2^{FR_TWO_ADICITY}")
    if h["n_public"] + 1 > h["n_vars"]:
        raise r.error(f"nPublic {h['n_public']} + 1 exceeds nVars {h['n_vars']}")
    return h


def _coefficients(bf: binfile.BinFile, h: dict) -> np.ndarray:
    r = bf.reader(4, "coefficients")
    count = r.u32()
    if len(r.data) - r.pos != count * _COEF.itemsize:
        raise r.error(f"has {len(r.data) - r.pos} bytes of entries, count {count} needs "
                      f"{count * _COEF.itemsize}")
    coefs = r.array(_COEF, (count,))
    r.done()
    for field, bound in (("matrix", 2), ("constraint", h["domain_size"]), ("signal", h["n_vars"])):
        bad = np.flatnonzero(coefs[field] >= bound)
        if bad.size:
            raise r.error(f"entry {bad[0]}: {field} {coefs[field][bad[0]]} out of range (< {bound})")
    bad = np.flatnonzero(~limbs_lt(coefs["value"], R))
    if bad.size:
        raise r.error(f"entry {bad[0]}: value not below r")
    return coefs


def _points(bf: binfile.BinFile, sid: int, count: int, g2: bool) -> np.ndarray:
    r = bf.reader(sid, _SECTIONS[sid])
    shape = _G2 if g2 else _G1
    item = 8 * int(np.prod(shape))
    if len(r.data) != count * item:
        raise r.error(f"has {len(r.data)} bytes, expected {count} points ({count * item} bytes)")
    return r.array("<u8", (count,) + shape).astype(np.uint64, copy=False)


def read_zkey(path: str | os.PathLike, *,
              subgroup_check: Literal["all", "vk"] = "all") -> ProvingKey:
    bf = binfile.read_binfile(path, MAGIC, VERSION)
    h = _header(bf)
    n_vars, n_public, domain = h["n_vars"], h["n_public"], h["domain_size"]
    coefs = _coefficients(bf, h)
    sections = {sid: _points(bf, sid, count, sid == 7) for sid, count in (
        (3, n_public + 1), (5, n_vars), (6, n_vars), (7, n_vars), (8, n_vars - n_public - 1),
        (9, domain))}
    all_points = subgroup_check == "all"
    for name in ("alpha1", "beta1", "beta2", "gamma2", "delta1", "delta2"):
        _check_points(bf, f"section 2 (Groth16 header) {name}", h[name][None], name.endswith("2"),
                      allow_infinity=False, subgroup=True)
    for sid, arr in sections.items():
        _check_points(bf, f"section {sid} ({_SECTIONS[sid]})", arr, sid == 7, allow_infinity=True,
                      subgroup=all_points or sid == 3)
    insecure_dev = False
    if EXT_SECTION in bf.sections:
        ext = bf.reader(EXT_SECTION, "zkp-ledger flags")
        insecure_dev = bool(ext.u32() & _FLAG_INSECURE_DEV)
        ext.done()
    value = fr_vec.from_mont(fr_vec.from_mont(np.ascontiguousarray(coefs["value"])))
    vk = VerifyingKey(alpha1=h["alpha1"], beta2=h["beta2"], gamma2=h["gamma2"],
                      delta2=h["delta2"], ic=sections[3], insecure_dev=insecure_dev)
    return ProvingKey(
        n_vars=n_vars, n_public=n_public, domain_power=domain.bit_length() - 1, vk=vk,
        beta1=h["beta1"], delta1=h["delta1"],
        coeff_matrix=coefs["matrix"].astype(np.int64),
        coeff_constraint=coefs["constraint"].astype(np.int64),
        coeff_signal=coefs["signal"].astype(np.int64), coeff_value=value,
        a=sections[5], b1=sections[6], b2=sections[7], c=sections[8], h=sections[9],
        insecure_dev=insecure_dev)


def write_zkey(path: str | os.PathLike, pk: ProvingKey) -> None:
    vk = pk.vk
    n_private = pk.n_vars - pk.n_public - 1
    expected = {"vk.ic": (vk.ic, (pk.n_public + 1,) + _G1), "a": (pk.a, (pk.n_vars,) + _G1),
                "b1": (pk.b1, (pk.n_vars,) + _G1), "b2": (pk.b2, (pk.n_vars,) + _G2),
                "c": (pk.c, (n_private,) + _G1), "h": (pk.h, (pk.domain_size,) + _G1)}
    for name, (arr, shape) in expected.items():
        if np.shape(arr) != shape:
            raise ValueError(f"proving key {name} has shape {np.shape(arr)}, expected {shape}")
    coefs = np.zeros(len(pk.coeff_value), dtype=_COEF)
    coefs["matrix"], coefs["constraint"] = pk.coeff_matrix, pk.coeff_constraint
    coefs["signal"] = pk.coeff_signal
    std = np.ascontiguousarray(pk.coeff_value, dtype=np.uint64).reshape(-1, FR_LIMBS)
    coefs["value"] = fr_vec.to_mont(fr_vec.to_mont(std))
    g = [np.ascontiguousarray(x, dtype="<u8") for x in
         (vk.alpha1, pk.beta1, vk.beta2, vk.gamma2, pk.delta1, vk.delta2)]
    header = [binfile.u32(FP_BYTES), binfile.bigint(P, FP_BYTES), binfile.u32(FR_BYTES),
              binfile.bigint(R, FR_BYTES), binfile.u32(pk.n_vars, pk.n_public, pk.domain_size), *g]
    flags = _FLAG_INSECURE_DEV if (pk.insecure_dev or vk.insecure_dev) else 0
    pts = {sid: np.ascontiguousarray(arr, dtype="<u8") for sid, arr in
           ((3, vk.ic), (5, pk.a), (6, pk.b1), (7, pk.b2), (8, pk.c), (9, pk.h))}
    binfile.write_binfile(path, MAGIC, VERSION, [
        (1, [binfile.u32(GROTH16)]), (2, header), (3, [pts[3]]),
        (4, [binfile.u32(len(coefs)), coefs]), *((sid, [pts[sid]]) for sid in (5, 6, 7, 8, 9)),
        (10, [bytes(64), binfile.u32(0)]), (EXT_SECTION, [binfile.u32(flags)])])
