"""The iden3 binary container: layout known answer and every structural rejection."""

import struct

import numpy as np
import pytest

from engine.errors import InputError
from engine.formats import binfile


def _file(magic=b"zkey", version=1, sections=((1, b"\x01\x00\x00\x00"),), count=None):
    out = struct.pack("<4sII", magic, version, len(sections) if count is None else count)
    for sid, payload in sections:
        out += struct.pack("<IQ", sid, len(payload)) + payload
    return out


def test_write_layout_known_answer(tmp_path):
    path = tmp_path / "x.bin"
    binfile.write_binfile(path, "wtns", 2, [(1, [b"ab", np.array([7], dtype="<u4")]), (2, [])])
    assert path.read_bytes() == (b"wtns" + struct.pack("<II", 2, 2) + struct.pack("<IQ", 1, 6)
                                 + b"ab\x07\x00\x00\x00" + struct.pack("<IQ", 2, 0))
    assert not (tmp_path / "x.bin.tmp").exists()


def test_parse_sections_and_reader():
    bf = binfile.parse_binfile(_file(sections=((1, b"\x05\x00\x00\x00" + bytes(8)), (3, b"xy"))),
                               "zkey", 1, "k.zkey")
    assert bf.version == 1 and sorted(bf.sections) == [1, 3]
    r = bf.reader(1, "protocol")
    assert r.u32() == 5 and r.u64() == 0
    r.done()
    assert bytes(bf.section(3, "IC")) == b"xy"


@pytest.mark.parametrize("data, reason", [
    (b"zke", "too short for a zkey file"),
    (_file(magic=b"r1cs"), r"not a zkey file \(magic b'r1cs'\)"),
    (_file(version=2), "zkey version 2 not supported"),
    (_file(version=0), "zkey version 0 not supported"),
    (_file(count=2), "header of section entry 1 of 2 missing"),
    (_file()[:-1], "zkey section 1: truncated, declares 4 bytes but only 3 remain"),
    (_file() + b"\x00", "1 trailing bytes after the last section"),
])
def test_structural_rejections(data, reason):
    with pytest.raises(InputError, match=reason) as exc:
        binfile.parse_binfile(data, "zkey", 1, "k.zkey")
    assert str(exc.value).startswith("file k.zkey: ")


def test_missing_and_duplicate_sections():
    bf = binfile.parse_binfile(_file(sections=((1, b""), (1, b""))), "zkey", 1, "k.zkey")
    with pytest.raises(InputError, match=r"zkey section 1 \(protocol\): occurs 2 times"):
        bf.section(1, "protocol")
    with pytest.raises(InputError, match=r"file k.zkey: zkey section 9 \(H points\): missing"):
        bf.section(9, "H points")


def test_reader_truncation_and_trailing_bytes():
    bf = binfile.parse_binfile(_file(sections=((2, b"\x01\x02\x03"),)), "zkey", 1, "k.zkey")
    r = bf.reader(2, "Groth16 header")
    with pytest.raises(InputError, match=r"section 2 \(Groth16 header\): truncated: needs 4 bytes"):
        r.u32()
    r = bf.reader(2, "Groth16 header")
    r.take(1)
    with pytest.raises(InputError, match="2 unexpected trailing bytes"):
        r.done()


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="cannot read"):
        binfile.read_binfile(tmp_path / "nope.zkey", "zkey", 1)


def test_reader_array_is_writable_copy():
    payload = np.arange(4, dtype="<u8").tobytes()
    bf = binfile.parse_binfile(_file(sections=((5, payload),)), "zkey", 1, "k")
    arr = bf.reader(5, "A points").array("<u8", (2, 2))
    arr[0, 0] = 9  # must not alias the file buffer
    assert arr.tolist() == [[9, 1], [2, 3]] and arr.flags.writeable
