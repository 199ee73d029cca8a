"""Dataset side of a notarization: stream a file, fix what is proved, encode values and rows.

- `readers`: Parquet / CSV / NDJSON as record batches with global row indexes, and the file digest;
- `spec`: the statement (columns, scales, bounds, shard size) and its CLI-style options;
- `field_encoding`: proved values -> exact int64 fixed point -> Fr;
- `row_encoding`: canonical typed row bytes (docs/row-encoding.md), the input of row hashing.
"""

from engine.dataset.field_encoding import encode_batch, encode_column, signed_from_fr, to_fr
from engine.dataset.readers import Batch, DatasetReader, FileDigest, file_digest, open_dataset
from engine.dataset.row_encoding import EncodedRows, check_supported, encode_rows
from engine.dataset.spec import ColumnSpec, StatementOptions, StatementSpec, resolve_statement

__all__ = [
    "Batch", "ColumnSpec", "DatasetReader", "EncodedRows", "FileDigest", "StatementOptions",
    "StatementSpec", "check_supported", "encode_batch", "encode_column", "encode_rows",
    "file_digest", "open_dataset", "resolve_statement", "signed_from_fr", "to_fr",
]
