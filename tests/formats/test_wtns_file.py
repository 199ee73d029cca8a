""".wtns codec: hand-assembled layout, round trip, rejections, snarkjs interop."""

import json
import struct

import numpy as np
import pytest

from engine.errors import InputError
from engine.formats.wtns_file import read_wtns, write_wtns
from formats_testlib import DATA, requires_snarkjs, snarkjs
from kernels.constants import R
from kernels.limbs import ints_to_limbs, limbs_to_ints

BN254_R = 21888242871839275222246405745257275088548364400416034343698204186575808495617


def _wtns(values, prime=R, n8=32, count=None, version=2):
    head = struct.pack("<I", n8) + prime.to_bytes(n8, "little") + struct.pack("<I", len(values) if count is None else count)
    body = b"".join(v.to_bytes(n8, "little") for v in values)
    return (b"wtns" + struct.pack("<II", version, 2) + struct.pack("<IQ", 1, len(head)) + head
            + struct.pack("<IQ", 2, len(body)) + body)


def test_layout_known_answer(tmp_path):
    values = [1, 22, 7, R - 1]
    write_wtns(tmp_path / "w.wtns", ints_to_limbs(values, 4))
    assert (tmp_path / "w.wtns").read_bytes() == _wtns(values)


def test_round_trip_and_fixture(tmp_path):
    values = [1] + [int(v) for v in np.random.default_rng(3).integers(0, 2**63, 50)] + [R - 1]
    write_wtns(tmp_path / "w.wtns", ints_to_limbs(values, 4))
    got = read_wtns(tmp_path / "w.wtns")
    assert got.dtype == np.uint64 and got.shape == (52, 4) and limbs_to_ints(got) == values
    assert limbs_to_ints(read_wtns(DATA / "tiny.wtns")) == [1, 22, 7, 3, 5, 15]


@pytest.mark.parametrize("data, reason", [
    (_wtns([1, 2], prime=BN254_R), "prime .* is not the BLS12-381 scalar field"),
    (_wtns([1, 2], n8=48, prime=R), "field size 48 bytes"),
    (_wtns([1, R]), "value 1 is not below r"),
    (_wtns([1, 2], count=3), "header says 3 values"),
    (_wtns([5, 2]), "wire 0 .* is not 1"),
    (_wtns([1, 2], version=3), "version 3 not supported"),
    (_wtns([1, 2])[:-5], "truncated"),
    (b"wtns", "too short"),
])
def test_rejections(tmp_path, data, reason):
    path = tmp_path / "bad.wtns"
    path.write_bytes(data)
    with pytest.raises(InputError, match=reason) as exc:
        read_wtns(path)
    assert "bad.wtns" in str(exc.value)


def test_write_rejects_bad_arrays(tmp_path):
    with pytest.raises(ValueError):
        write_wtns(tmp_path / "w", ints_to_limbs([1, R], 4))
    with pytest.raises(ValueError):
        write_wtns(tmp_path / "w", np.zeros((3, 6), np.uint64))


@pytest.mark.interop
@requires_snarkjs
def test_snarkjs_reads_our_witness(tmp_path):
    values = [1, 123456789, R - 1, 2**200]
    write_wtns(tmp_path / "w.wtns", ints_to_limbs(values, 4))
    snarkjs("wtns", "export", "json", tmp_path / "w.wtns", tmp_path / "w.json")
    assert json.loads((tmp_path / "w.json").read_text()) == [str(v) for v in values]
