"""Constraint systems as iden3 `.r1cs` files (format version 1, as circom writes them).

binfile magic "r1cs", version 1, sections:
  1 header: u32 n8 (32), n8-byte prime (must be BLS12-381 r), u32 nWires, u32 nPubOut,
    u32 nPubIn, u32 nPrvIn, u64 nLabels, u32 mConstraints
  2 constraints: per constraint, the linear combinations A, B, C, each a u32 term count then
    per term u32 wire index and an n8-byte little-endian coefficient in *standard* form
  3 wire-to-label map: nWires u64 label ids
  4, 5 custom gates (PLONK-only circom feature): rejected, Groth16 cannot use them.
Reading scans the variable-length constraint section once (Numba) for term offsets, then gathers
every term with numpy; writing lays out the section with numpy. No per-term Python loop.
A file without a label map is read with the identity map; writing without one writes the
identity map (nLabels is then at least nWires, as circom guarantees).
"""

from __future__ import annotations

import os

import numba
import numpy as np

from engine.formats import binfile
from engine.formats.points import limbs_lt
from engine.r1cs import R1CS, SparseMatrix
from kernels.constants import FR_BYTES, R

MAGIC, VERSION = "r1cs", 1
_TERM = 4 + FR_BYTES  # u32 wire + coefficient


@numba.njit(cache=True)
def _scan(buf, n_lcs, term_size, starts, counts):
    """Fill starts/counts for n_lcs consecutive linear combinations; return the end offset,
    or -1 - k if combination k runs past the buffer."""
    pos = 0
    n = buf.shape[0]
    for k in range(n_lcs):
        if pos + 4 > n:
            return -1 - k
        c = (np.int64(buf[pos]) | (np.int64(buf[pos + 1]) << 8) | (np.int64(buf[pos + 2]) << 16)
             | (np.int64(buf[pos + 3]) << 24))
        starts[k] = pos + 4
        counts[k] = c
        pos += 4 + c * term_size
        if pos > n:
            return -1 - k
    return pos


def _read_header(bf: binfile.BinFile) -> dict:
    head = bf.reader(1, "header")
    head.scalar_field()
    h = dict(n_wires=head.u32(), n_pub_out=head.u32(), n_pub_in=head.u32(), n_prv_in=head.u32(),
             n_labels=head.u64(), n_constraints=head.u32())
    head.done()
    if 1 + h["n_pub_out"] + h["n_pub_in"] + h["n_prv_in"] > h["n_wires"]:
        raise head.error(f"1 + outputs + inputs exceeds nWires = {h['n_wires']}")
    return h


def _read_constraints(bf: binfile.BinFile, m: int, n_wires: int):
    name = "section 2 (constraints)"
    data = bf.section(2, "constraints")
    buf = np.frombuffer(data, dtype=np.uint8)
    if 12 * m > len(buf):  # three u32 counts per constraint at least; check before allocating
        raise bf.error(f"truncated: {len(buf)} bytes cannot hold {m} constraints", name)
    starts = np.empty(3 * m, dtype=np.int64)
    counts = np.empty(3 * m, dtype=np.int64)
    end = _scan(buf, 3 * m, _TERM, starts, counts)
    if end < 0:
        k = -1 - end
        raise bf.error(f"truncated in constraint {k // 3} ({'ABC'[k % 3]}) of {m}", name)
    if end != len(buf):
        raise bf.error(f"{len(buf) - end} trailing bytes after {m} constraints", name)
    nnz = int(counts.sum())
    first = np.repeat(starts - _TERM * (np.cumsum(counts) - counts), counts)
    offsets = first + _TERM * np.arange(nnz, dtype=np.int64)
    terms = buf[offsets[:, None] + np.arange(_TERM)]  # (nnz, 36) gathered copy
    wires = terms[:, :4].copy().view("<u4")[:, 0].astype(np.int64)
    coeffs = terms[:, 4:].copy().view("<u8").astype(np.uint64, copy=False)
    lc = np.repeat(np.arange(3 * m, dtype=np.int64), counts)
    if nnz and wires.max() >= n_wires:
        k = int(np.argmax(wires >= n_wires))
        raise bf.error(f"constraint {lc[k] // 3} uses wire {wires[k]} >= nWires {n_wires}", name)
    bad = np.flatnonzero(~limbs_lt(coeffs, R))
    if bad.size:
        raise bf.error(f"constraint {lc[bad[0]] // 3}: coefficient not below r", name)
    # Canonical order (constraint, wire) within each matrix; duplicates are ambiguous.
    order = np.lexsort((wires, lc))
    lc, wires, coeffs = lc[order], wires[order], coeffs[order]
    dup = np.flatnonzero((lc[1:] == lc[:-1]) & (wires[1:] == wires[:-1]))
    if dup.size:
        raise bf.error(f"constraint {lc[dup[0]] // 3} lists wire {wires[dup[0]]} twice in "
                       f"{'ABC'[lc[dup[0]] % 3]}", name)
    mats = []
    for which in range(3):
        sel = (lc % 3) == which
        mats.append(SparseMatrix(rows=lc[sel] // 3, cols=wires[sel], coeffs=coeffs[sel]))
    return mats


def read_r1cs(path: str | os.PathLike) -> R1CS:
    bf = binfile.read_binfile(path, MAGIC, VERSION)
    if 4 in bf.sections or 5 in bf.sections:
        raise bf.error("uses custom gates (sections 4/5), which Groth16 cannot prove")
    h = _read_header(bf)
    a, b, c = _read_constraints(bf, h["n_constraints"], h["n_wires"])
    if 3 in bf.sections:
        labels = bf.reader(3, "wire-to-label map")
        wire_to_label = labels.array("<u8", (h["n_wires"],)).astype(np.uint64, copy=False)
        labels.done()
    else:
        wire_to_label = np.arange(h["n_wires"], dtype=np.uint64)
    return R1CS(a=a, b=b, c=c, wire_to_label=wire_to_label, **h)


def _constraints_section(r1cs: R1CS) -> np.ndarray:
    m = r1cs.n_constraints
    mats = (r1cs.a, r1cs.b, r1cs.c)
    # Block (constraint i, matrix M) holds a u32 count then its terms; blocks in row-major order.
    counts = np.stack([np.bincount(M.rows, minlength=m)[:m] for M in mats], axis=1).ravel()
    sizes = 4 + _TERM * counts
    block_start = (np.cumsum(sizes) - sizes).astype(np.int64)
    out = np.zeros(int(sizes.sum()), dtype=np.uint8)
    out[block_start[:, None] + np.arange(4)] = counts.astype("<u4").view(np.uint8).reshape(-1, 4)
    for which, M in enumerate(mats):
        order = np.lexsort((M.cols, M.rows))
        rows, cols = M.rows[order], M.cols[order]
        coeffs = np.ascontiguousarray(M.coeffs[order], dtype="<u8")
        block = 3 * rows + which
        rank = np.arange(M.nnz) - np.searchsorted(rows, rows)  # index within its row
        term_start = block_start[block] + 4 + _TERM * rank
        term = np.concatenate([cols.astype("<u4").view(np.uint8).reshape(-1, 4),
                               coeffs.view(np.uint8).reshape(-1, FR_BYTES)], axis=1)
        out[term_start[:, None] + np.arange(_TERM)] = term
    return out


def write_r1cs(path: str | os.PathLike, r1cs: R1CS) -> None:
    for name, M in (("A", r1cs.a), ("B", r1cs.b), ("C", r1cs.c)):
        if M.nnz and (M.rows.max() >= r1cs.n_constraints or M.cols.max() >= r1cs.n_wires):
            raise ValueError(f"matrix {name} has an entry outside {r1cs.n_constraints} x "
                             f"{r1cs.n_wires}")
        if not limbs_lt(M.coeffs, R).all():
            raise ValueError(f"matrix {name} has a coefficient not below r")
    labels = (np.arange(r1cs.n_wires, dtype=np.uint64) if r1cs.wire_to_label is None
              else np.asarray(r1cs.wire_to_label, dtype=np.uint64))
    if labels.shape != (r1cs.n_wires,):
        raise ValueError(f"wire_to_label must have {r1cs.n_wires} entries, got {labels.shape}")
    n_labels = max(r1cs.n_labels, int(labels.max()) + 1 if labels.size else 0)
    header = [binfile.u32(FR_BYTES), binfile.bigint(R, FR_BYTES),
              binfile.u32(r1cs.n_wires, r1cs.n_pub_out, r1cs.n_pub_in, r1cs.n_prv_in),
              binfile.u64(n_labels), binfile.u32(r1cs.n_constraints)]
    binfile.write_binfile(path, MAGIC, VERSION, [
        (1, header), (2, [_constraints_section(r1cs)]), (3, [labels.astype("<u8")])])

