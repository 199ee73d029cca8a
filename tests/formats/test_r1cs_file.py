""".r1cs codec: hand-assembled layout, round trips, rejections, snarkjs interop."""

import json
import struct

import numpy as np
import pytest

from engine.errors import InputError
from engine.formats.r1cs_file import read_r1cs, write_r1cs
from engine.r1cs import R1CS, SparseMatrix
from formats_testlib import DATA, requires_snarkjs, snarkjs
from kernels.constants import R
from kernels.limbs import ints_to_limbs, limbs_to_ints

BN254_R = 21888242871839275222246405745257275088548364400416034343698204186575808495617


def _matrix(entries):
    entries = sorted(entries)
    return SparseMatrix(rows=np.array([e[0] for e in entries], np.int64),
                        cols=np.array([e[1] for e in entries], np.int64),
                        coeffs=ints_to_limbs([e[2] for e in entries], 4))


def _entries(m: SparseMatrix):
    return list(zip(m.rows.tolist(), m.cols.tolist(), limbs_to_ints(m.coeffs)))


# wires [1, out, in, x, y, t]: x * y = t ; (t + in) * 1 = out  (the tiny fixture circuit)
TINY = R1CS(n_wires=6, n_pub_out=1, n_pub_in=1, n_prv_in=2, n_constraints=2,
            a=_matrix([(0, 3, 1), (1, 5, 1), (1, 2, 1)]), b=_matrix([(0, 4, 1), (1, 0, 1)]),
            c=_matrix([(0, 5, 1), (1, 1, 1)]), n_labels=6)


def _lc(terms):
    return struct.pack("<I", len(terms)) + b"".join(
        struct.pack("<I", w) + c.to_bytes(32, "little") for w, c in terms)


def _r1cs(constraints, n_wires=6, m=None, prime=R, extra_sections=(), labels=None):
    head = (struct.pack("<I", 32) + prime.to_bytes(32, "little")
            + struct.pack("<IIIIQI", n_wires, 1, 1, 2, n_wires,
                          len(constraints) if m is None else m))
    body = b"".join(_lc(a) + _lc(b) + _lc(c) for a, b, c in constraints)
    labels = struct.pack(f"<{n_wires}Q", *range(n_wires)) if labels is None else labels
    secs = [(1, head), (2, body), (3, labels), *extra_sections]
    return (b"r1cs" + struct.pack("<II", 1, len(secs))
            + b"".join(struct.pack("<IQ", s, len(p)) + p for s, p in secs))


TINY_CONSTRAINTS = [([(3, 1)], [(4, 1)], [(5, 1)]), ([(2, 1), (5, 1)], [(0, 1)], [(1, 1)])]


def test_layout_known_answer(tmp_path):
    write_r1cs(tmp_path / "t.r1cs", TINY)
    assert (tmp_path / "t.r1cs").read_bytes() == _r1cs(TINY_CONSTRAINTS)
    assert (DATA / "tiny.r1cs").read_bytes() == _r1cs(TINY_CONSTRAINTS)


def test_read_sorts_terms_and_keeps_header(tmp_path):
    # terms out of wire order in the file (circom does not promise an order)
    shuffled = [([(3, 1)], [(4, 1)], [(5, 1)]), ([(5, 1), (2, 1)], [(0, 1)], [(1, 1)])]
    (tmp_path / "t.r1cs").write_bytes(_r1cs(shuffled))
    got = read_r1cs(tmp_path / "t.r1cs")
    assert (got.n_wires, got.n_pub_out, got.n_pub_in, got.n_prv_in, got.n_constraints,
            got.n_labels) == (6, 1, 1, 2, 2, 6)
    for mine, ref in ((got.a, TINY.a), (got.b, TINY.b), (got.c, TINY.c)):
        assert _entries(mine) == _entries(ref)
    assert got.wire_to_label.tolist() == list(range(6))


def test_random_round_trip(tmp_path):
    rng = np.random.default_rng(7)
    m, n = 300, 120

    def rand():
        key = np.unique(rng.integers(0, m, 700) * n + rng.integers(0, n, 700))
        vals = [int.from_bytes(rng.bytes(32), "little") % R for _ in key]
        return SparseMatrix(rows=key // n, cols=key % n, coeffs=ints_to_limbs(vals, 4))

    r1cs = R1CS(n_wires=n, n_pub_out=3, n_pub_in=4, n_prv_in=20, n_constraints=m, a=rand(),
                b=rand(), c=rand(), n_labels=500,
                wire_to_label=np.arange(n, dtype=np.uint64) * 3)
    write_r1cs(tmp_path / "r.r1cs", r1cs)
    got = read_r1cs(tmp_path / "r.r1cs")
    fields = ("n_wires", "n_pub_out", "n_pub_in", "n_prv_in", "n_constraints", "n_labels")
    assert [getattr(got, f) for f in fields] == [getattr(r1cs, f) for f in fields]
    for mine, ref in ((got.a, r1cs.a), (got.b, r1cs.b), (got.c, r1cs.c)):
        assert _entries(mine) == _entries(ref)
    assert got.wire_to_label.tolist() == (np.arange(n) * 3).tolist()


def test_empty_constraint_system(tmp_path):
    empty = SparseMatrix(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros((0, 4), np.uint64))
    r1cs = R1CS(n_wires=1, n_pub_out=0, n_pub_in=0, n_prv_in=0, n_constraints=0, a=empty,
                b=empty, c=empty)
    write_r1cs(tmp_path / "e.r1cs", r1cs)
    got = read_r1cs(tmp_path / "e.r1cs")
    assert got.n_constraints == 0 and got.a.nnz == 0 and got.n_labels == 1


@pytest.mark.parametrize("data, reason", [
    (_r1cs(TINY_CONSTRAINTS, prime=BN254_R), "prime .* is not the BLS12-381 scalar field"),
    (_r1cs(TINY_CONSTRAINTS, m=3), r"section 2 \(constraints\): truncated"),
    (_r1cs(TINY_CONSTRAINTS, m=1), "trailing bytes after 1 constraints"),
    (_r1cs(TINY_CONSTRAINTS, m=2**31), "cannot hold 2147483648 constraints"),
    (_r1cs([([(6, 1)], [], [])]), "constraint 0 uses wire 6 >= nWires 6"),
    (_r1cs([([(1, R)], [], [])]), "constraint 0: coefficient not below r"),
    (_r1cs([([], [(2, 1), (2, 5)], [])]), "lists wire 2 twice in B"),
    (_r1cs(TINY_CONSTRAINTS, extra_sections=[(4, b""), (5, b"")]), "custom gates"),
    (_r1cs(TINY_CONSTRAINTS, n_wires=3), "exceeds nWires"),
    (_r1cs(TINY_CONSTRAINTS, labels=b"\x00" * 40), r"section 3 .*truncated"),
    (_r1cs(TINY_CONSTRAINTS)[:-3], "truncated"),
    (b"r1cs" + struct.pack("<II", 1, 0), "section 1 \\(header\\): missing"),
    (b"zkey" + bytes(8), "not a r1cs file"),
])
def test_rejections(tmp_path, data, reason):
    path = tmp_path / "bad.r1cs"
    path.write_bytes(data)
    with pytest.raises(InputError, match=reason) as exc:
        read_r1cs(path)
    assert "bad.r1cs" in str(exc.value)


def test_truncation_names_the_constraint(tmp_path):
    data = _r1cs(TINY_CONSTRAINTS)
    # cut the constraints section payload by one byte and fix its declared size
    head_len = 4 + 32 + 4 * 4 + 8 + 4
    sec2_at = 12 + 12 + head_len
    size = struct.unpack_from("<Q", data, sec2_at + 4)[0]
    body = data[sec2_at + 12:sec2_at + 12 + size - 1]
    rest = data[sec2_at + 12 + size:]
    patched = data[:sec2_at] + struct.pack("<IQ", 2, size - 1) + body + rest
    (tmp_path / "c.r1cs").write_bytes(patched)
    with pytest.raises(InputError, match=r"truncated in constraint 1 \(C\) of 2"):
        read_r1cs(tmp_path / "c.r1cs")


@pytest.mark.interop
@requires_snarkjs
def test_snarkjs_reads_our_r1cs(tmp_path):
    write_r1cs(tmp_path / "t.r1cs", TINY)
    snarkjs("r1cs", "export", "json", tmp_path / "t.r1cs", tmp_path / "t.json")
    got = json.loads((tmp_path / "t.json").read_text())
    assert (got["nVars"], got["nOutputs"], got["nPubInputs"], got["nPrvInputs"],
            got["nConstraints"], got["prime"]) == (6, 1, 1, 2, 2, str(R))
    as_dicts = [[{str(w): str(c) for w, c in lc} for lc in con] for con in TINY_CONSTRAINTS]
    assert got["constraints"] == as_dicts
    assert got["map"] == list(range(6))
