"""snarkjs JSON files for Groth16 on BLS12-381: proof.json, public.json, verification_key.json.

What snarkjs 0.7.x writes (groth16_prove.js, zkey_export_verificationkey.js; ffjavascript
toObject + stringifyBigInts, JSON.stringify(.., null, 1)):
  proof:  {"pi_a": [x, y, "1"], "pi_b": [[x.c0, x.c1], [y.c0, y.c1], ["1", "0"]], "pi_c": [..],
           "protocol": "groth16", "curve": "bls12381"}
  public: ["123", ...], the public signals in wire order (outputs, then public inputs)
  vkey:   {"protocol", "curve", "nPublic", "vk_alpha_1", "vk_beta_2", "vk_gamma_2",
           "vk_delta_2", "vk_alphabeta_12", "IC": [G1, ...]}
Numbers are decimal strings in standard form; points are affine with z = 1 ("1" / ["1", "0"]);
the point at infinity is [0, 1, 0] (G2: [["0","0"], ["1","0"], ["0","0"]]).
`vk_alphabeta_12` (the GT value e(alpha, beta)) is never read by `snarkjs groth16 verify`; we
ignore it on input and leave it out on output. Keys from our dev setup carry
"insecure_dev": true, which snarkjs ignores.

Reading is strict: every number must be a canonical decimal string below its modulus (p for
coordinates, r for public signals), every point on its curve and in the prime-order subgroup.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from engine.errors import InputError
from engine.formats import points as pts
from engine.formats import zcash
from engine.formats.points import G1Point, G2Point
from engine.groth16.keys import Proof, VerifyingKey
from kernels.constants import P, R

PROTOCOL, CURVE = "groth16", "bls12381"
_DIGITS = re.compile(r"[0-9]+")


class _Ctx:
    """Where we are, for error messages."""

    def __init__(self, file: str | None):
        self.file = file

    def error(self, what: str, message: str) -> InputError:
        return InputError(f"{what}: {message}", file=self.file)

    def number(self, value: Any, what: str, modulus: int, modulus_name: str) -> int:
        if not isinstance(value, str) or not _DIGITS.fullmatch(value):
            raise self.error(what, f"expected a decimal string, got {value!r:.60}")
        n = int(value)
        if n >= modulus:
            raise self.error(what, f"{value:.40} is not below {modulus_name}")
        return n

    def checked(self, check, point, what: str) -> None:
        """On curve and in the subgroup (zcash's blst-backed checks), errors naming the file."""
        try:
            check(point, what)
        except InputError as exc:
            raise InputError(str(exc), file=self.file) from None

    def array(self, value: Any, what: str, lengths: tuple[int, ...]) -> list:
        if not isinstance(value, list) or len(value) not in lengths:
            raise self.error(what, f"expected a list of {' or '.join(map(str, lengths))} items")
        return value

    def g1(self, value: Any, what: str) -> G1Point:
        v = self.array(value, what, (2, 3))
        x, y, *z = (self.number(c, f"{what}[{i}]", P, "p") for i, c in enumerate(v))
        if z and z[0] == 0:
            if (x, y) != (0, 1):
                raise self.error(what, "z = 0 but the point is not the canonical [0, 1, 0]")
            return None
        if z and z[0] != 1:
            raise self.error(what, "only affine points (z = 1) are accepted")
        self.checked(zcash.g1_blst_from_point, (x, y), what)
        return x, y

    def fp2(self, value: Any, what: str) -> tuple[int, int]:
        c0, c1 = self.array(value, what, (2,))
        return (self.number(c0, f"{what}[0]", P, "p"), self.number(c1, f"{what}[1]", P, "p"))

    def g2(self, value: Any, what: str) -> G2Point:
        v = self.array(value, what, (2, 3))
        x, y, *z = (self.fp2(c, f"{what}[{i}]") for i, c in enumerate(v))
        if z and z[0] == (0, 0):
            if (x, y) != ((0, 0), (1, 0)):
                raise self.error(what, "z = 0 but the point is not the canonical infinity")
            return None
        if z and z[0] != (1, 0):
            raise self.error(what, "only affine points (z = [1, 0]) are accepted")
        self.checked(zcash.g2_blst_from_point, (x, y), what)
        return x, y

    def header(self, obj: Any, what: str, required: bool) -> dict:
        if not isinstance(obj, dict):
            raise self.error(what, "expected a JSON object")
        protocol, curve = obj.get("protocol"), obj.get("curve")
        if (required or protocol is not None) and protocol != PROTOCOL:
            raise self.error(what, f"protocol {protocol!r} is not {PROTOCOL!r}")
        if required or curve is not None:
            norm = "".join(re.findall(r"[A-Za-z0-9]+", curve)).upper() if isinstance(curve, str) else ""
            if norm != CURVE.upper():
                raise self.error(what, f"curve {curve!r} is not {CURVE!r}")
        return obj


def _s(v: int) -> str:
    return str(v)


def _g1_json(pt: G1Point) -> list[str]:
    return ["0", "1", "0"] if pt is None else [_s(pt[0]), _s(pt[1]), "1"]


def _g2_json(pt: G2Point) -> list[list[str]]:
    if pt is None:
        return [["0", "0"], ["1", "0"], ["0", "0"]]
    (x0, x1), (y0, y1) = pt
    return [[_s(x0), _s(x1)], [_s(y0), _s(y1)], ["1", "0"]]


# ---- proof --------------------------------------------------------------------------------------

def proof_to_json(proof: Proof) -> dict:
    (a,), (b,), (c,) = pts.g1_from_array(proof.a), pts.g2_from_array(proof.b), pts.g1_from_array(proof.c)
    return {"pi_a": _g1_json(a), "pi_b": _g2_json(b), "pi_c": _g1_json(c),
            "protocol": PROTOCOL, "curve": CURVE}


def proof_from_json(obj: Any, file: str | None = None) -> Proof:
    ctx = _Ctx(file)
    ctx.header(obj, "proof", required=False)
    for key in ("pi_a", "pi_b", "pi_c"):
        if key not in obj:
            raise ctx.error("proof", f"missing {key!r}")
    return Proof(a=pts.g1_to_array([ctx.g1(obj["pi_a"], "proof pi_a")])[0],
                 b=pts.g2_to_array([ctx.g2(obj["pi_b"], "proof pi_b")])[0],
                 c=pts.g1_to_array([ctx.g1(obj["pi_c"], "proof pi_c")])[0])


# ---- public signals -----------------------------------------------------------------------------

def public_to_json(values: Sequence[int]) -> list[str]:
    for i, v in enumerate(values):
        if not 0 <= v < R:
            raise InputError(f"public signal {i} is not in [0, r)")
    return [_s(int(v)) for v in values]


def public_from_json(obj: Any, file: str | None = None) -> list[int]:
    ctx = _Ctx(file)
    if not isinstance(obj, list):
        raise ctx.error("public signals", "expected a JSON list of decimal strings")
    return [ctx.number(v, f"public signal {i}", R, "the scalar field modulus r")
            for i, v in enumerate(obj)]


# ---- verification key ---------------------------------------------------------------------------

def vkey_to_json(vk: VerifyingKey) -> dict:
    (alpha,) = pts.g1_from_array(vk.alpha1)
    beta, gamma, delta = (pts.g2_from_array(x)[0] for x in (vk.beta2, vk.gamma2, vk.delta2))
    out = {"protocol": PROTOCOL, "curve": CURVE, "nPublic": vk.n_public,
           "vk_alpha_1": _g1_json(alpha), "vk_beta_2": _g2_json(beta),
           "vk_gamma_2": _g2_json(gamma), "vk_delta_2": _g2_json(delta),
           "IC": [_g1_json(p) for p in pts.g1_from_array(vk.ic)]}
    if vk.insecure_dev:
        out["insecure_dev"] = True
    return out


def vkey_from_json(obj: Any, file: str | None = None) -> VerifyingKey:
    ctx = _Ctx(file)
    ctx.header(obj, "verification key", required=True)
    for key in ("nPublic", "vk_alpha_1", "vk_beta_2", "vk_gamma_2", "vk_delta_2", "IC"):
        if key not in obj:
            raise ctx.error("verification key", f"missing {key!r}")
    n_public, ic = obj["nPublic"], obj["IC"]
    if not isinstance(n_public, int) or isinstance(n_public, bool) or n_public < 0:
        raise ctx.error("verification key nPublic", "expected a non-negative integer")
    ctx.array(ic, "verification key IC", (n_public + 1,))
    insecure = obj.get("insecure_dev", False)
    if not isinstance(insecure, bool):
        raise ctx.error("verification key insecure_dev", "expected true or false")
    g2 = {k: pts.g2_to_array([ctx.g2(obj[k], k)])[0]
          for k in ("vk_beta_2", "vk_gamma_2", "vk_delta_2")}
    return VerifyingKey(
        alpha1=pts.g1_to_array([ctx.g1(obj["vk_alpha_1"], "vk_alpha_1")])[0],
        beta2=g2["vk_beta_2"], gamma2=g2["vk_gamma_2"], delta2=g2["vk_delta_2"],
        ic=pts.g1_to_array([ctx.g1(p, f"IC[{i}]") for i, p in enumerate(ic)]),
        insecure_dev=insecure)


# ---- files --------------------------------------------------------------------------------------

def _load(path: str | os.PathLike) -> Any:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", file=str(path)) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"not valid JSON ({exc})", file=str(path)) from None


def _dump(path: str | os.PathLike, obj: Any) -> None:
    Path(path).write_text(json.dumps(obj, indent=1) + "\n", encoding="utf-8")


def read_proof(path: str | os.PathLike) -> Proof:
    return proof_from_json(_load(path), str(path))


def write_proof(path: str | os.PathLike, proof: Proof) -> None:
    _dump(path, proof_to_json(proof))


def read_public(path: str | os.PathLike) -> list[int]:
    return public_from_json(_load(path), str(path))


def write_public(path: str | os.PathLike, values: Sequence[int]) -> None:
    _dump(path, public_to_json(values))


def read_vkey(path: str | os.PathLike) -> VerifyingKey:
    return vkey_from_json(_load(path), str(path))


def write_vkey(path: str | os.PathLike, vk: VerifyingKey) -> None:
    _dump(path, vkey_to_json(vk))
