"""Row integrity without proofs: a file's row count, sha256 and BLAKE3 row root, and one row's
inclusion proof.

`digest_file` is what `zkp-ledger digest` prints: the same canonical rows (docs/row-encoding.md)
and the same BLAKE3 RFC 6962 tree (docs/row-merkle.md) a notarization commits to, computed in one
streaming pass without a statement or any proving, so a holder of the file can compare it with a
ledger entry in seconds. `row_proof` builds the tree's levels (32 bytes per row per level) to
give the audit path of one row; anyone can check it with engine.merkle or the few-line checker in
docs/row-merkle.md.

This only needs engine/: it lives in ledger/ because the ledger CLI is its one user; it can move
to engine/ unchanged.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from engine import merkle
from engine.dataset import DatasetReader, encode_rows, open_dataset
from engine.errors import InputError, VerificationError


@dataclass(frozen=True)
class FileRows:
    """What a file's rows commit to: row count, BLAKE3 row root, and the file's sha256."""

    file: str
    format: str
    rows: int
    sha256: str
    byte_size: int
    blake3_root: str

    def to_json(self) -> dict:
        return {"file": self.file, "format": self.format, "rows": self.rows,
                "sha256": self.sha256, "byte_size": self.byte_size,
                "blake3_root": self.blake3_root}


@dataclass(frozen=True)
class RowProof:
    """Row `row_index` of a `row_count`-row dataset: its canonical bytes and audit path."""

    row_index: int
    row_count: int
    row_bytes: bytes
    leaf_hash: bytes
    proof: tuple[bytes, ...]
    root: bytes

    def verify(self) -> None:
        """VerificationError unless the row bytes, path and root agree (engine.merkle)."""
        leaf = merkle.BLAKE3.leaf(self.row_bytes)
        if leaf != self.leaf_hash:
            raise VerificationError(f"row {self.row_index}: the leaf hash is not "
                                    f"BLAKE3(0x00 || row bytes)")
        merkle.verify_inclusion(merkle.BLAKE3, self.row_index, self.row_count, leaf,
                                list(self.proof), self.root)

    def to_json(self) -> dict:
        return {"row_index": self.row_index, "row_count": self.row_count,
                "row_bytes": self.row_bytes.hex(), "leaf_hash": self.leaf_hash.hex(),
                "proof": merkle.proof_to_hex(self.proof), "root": self.root.hex()}


def _leaves(path: str | os.PathLike, format: str | None, want: int | None
            ) -> tuple[DatasetReader, np.ndarray, bytes | None]:
    """(reader, (n, 32) leaf hashes, canonical bytes of row `want` if asked and present)."""
    reader = open_dataset(path, format=format)
    leaves, row = [], None
    for batch in reader:
        rows = encode_rows(batch.data, batch.start_row, file=reader.display)
        leaves.append(merkle.BLAKE3.leaves(rows.buffer, rows.offsets))
        if want is not None and batch.start_row <= want < batch.start_row + batch.num_rows:
            row = rows.row(want - batch.start_row)
    if reader.num_rows == 0:
        raise InputError("the dataset has no rows", file=reader.display)
    return reader, np.concatenate(leaves), row


def digest_file(path: str | os.PathLike, *, format: str | None = None) -> FileRows:
    reader, leaves, _ = _leaves(path, format, None)
    digest = reader.digest()
    return FileRows(reader.display, reader.format, reader.num_rows, digest.sha256, digest.size,
                    merkle.root(merkle.BLAKE3, leaves).hex())


def row_proof(path: str | os.PathLike, row_index: int, *, format: str | None = None) -> RowProof:
    """The inclusion proof of one row (0-based) of the file's BLAKE3 row tree."""
    if isinstance(row_index, bool) or not isinstance(row_index, int) or row_index < 0:
        raise InputError(f"row index must be a non-negative integer, got {row_index!r}",
                         file=str(path))
    reader, leaves, row = _leaves(path, format, row_index)
    if row is None:
        raise InputError(f"the dataset has {reader.num_rows} rows (0..{reader.num_rows - 1})",
                         file=reader.display, row=row_index)
    tree = merkle.MerkleTree(merkle.BLAKE3, leaves)
    return RowProof(row_index, tree.size, row, leaves[row_index].tobytes(),
                    tuple(tree.inclusion_proof(row_index)), tree.root)


__all__ = ["FileRows", "RowProof", "digest_file", "row_proof"]
