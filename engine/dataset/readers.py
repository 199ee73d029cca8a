"""Streaming dataset readers: Parquet, CSV and NDJSON as record batches with global row indexes.

`open_dataset(path)` picks the format by extension (or `format=`), fixes the schema from the file
(Parquet metadata, or the first block of text for CSV and NDJSON) and returns a `DatasetReader`;
iterating it yields `Batch(start_row, data)` of exactly `batch_rows` rows (the last may be
shorter), so memory is bounded by a batch plus one text block, never by the file. A reader can be
iterated again (a pipeline makes several passes); every pass reopens the file.
`DatasetReader.read_rows(start, stop, columns)` reads one row range (a shard job's rows): Parquet
opens only the row groups holding it, found from the row counts in the footer; text has no
index, so CSV and NDJSON stream from the start but keep nothing before the range (CSV converts
only the columns asked for, NDJSON counts the lines of earlier blocks without parsing them).

Rows are numbered globally from 0 (data rows: a CSV header is not a row). Bad input raises
`InputError` naming the file, the 0-based row and the column where the failure has one. A column
whose type the canonical row encoding does not cover (lists, structs, ...) is refused at open.

The file's sha256 and size come from a separate pass (`DatasetReader.digest`): hashing runs at
over 1 GB/s, a small share of decoding, and Parquet is not read front to back (footer first,
then column chunks) so it cannot be hashed on the way. Each pass and the digest check that the
file's size, mtime and inode are still those seen at open; a file changed under the reader is
an error rather than a digest of other bytes than the rows read.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from engine.dataset.csv_reader import CsvSource
from engine.dataset.ndjson_reader import NdjsonSource
from engine.dataset.row_encoding import check_supported
from engine.errors import InputError

FORMATS = ("parquet", "csv", "tsv", "ndjson")
DEFAULT_BATCH_ROWS = 1 << 16
DEFAULT_BLOCK_BYTES = 4 << 20
_EXTENSIONS = {".parquet": "parquet", ".pq": "parquet", ".csv": "csv", ".tsv": "tsv",
               ".ndjson": "ndjson", ".jsonl": "ndjson"}
_COMPRESSIONS = (".gz", ".bz2", ".zst", ".lz4")


@dataclass(frozen=True)
class Batch:
    """Rows start_row .. start_row + data.num_rows - 1 of the dataset."""

    start_row: int
    data: pa.RecordBatch

    @property
    def num_rows(self) -> int:
        return self.data.num_rows


@dataclass(frozen=True)
class FileDigest:
    sha256: str  # hex
    size: int  # bytes


def detect_format(path: str | os.PathLike, format: str | None = None) -> str:
    """The format named, or the one the extension says (a compression suffix is looked through)."""
    if format is not None:
        if format not in FORMATS:
            raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {format!r}")
        return format
    suffixes = [s.lower() for s in Path(path).suffixes]
    if suffixes and suffixes[-1] in _COMPRESSIONS:
        suffixes.pop()
    if suffixes and suffixes[-1] in _EXTENSIONS:
        return _EXTENSIONS[suffixes[-1]]
    raise InputError(f"cannot tell the format from the extension; name it ({', '.join(FORMATS)})",
                     file=str(path))


class _ParquetSource:
    def __init__(self, path: Path, display: str, batch_rows: int):
        self._path, self._display, self._batch_rows = path, display, batch_rows
        with self._open() as pf:
            self.schema = pf.schema_arrow
            num_rows = pf.metadata.num_rows
        if num_rows == 0:
            raise InputError("no rows: the Parquet file holds a schema only", file=display)

    def _open(self) -> pq.ParquetFile:
        try:
            # pre_buffer would coalesce the reads of every row group iter_batches asks for:
            # measured, it held the whole 66 MiB file of 3M rows in memory (and was slower).
            return pq.ParquetFile(self._path, page_checksum_verification=True, pre_buffer=False)
        except (pa.ArrowException, OSError) as exc:
            raise InputError(f"not a readable Parquet file: {exc}", file=self._display) from None

    def batches(self, skip_rows: int = 0,
                columns: list[str] | None = None) -> Iterator[pa.RecordBatch]:
        """The rows from `skip_rows` on: the row groups before it are never read (the footer
        holds every group's row count), the rest of the first group read is sliced off."""
        with self._open() as pf:
            sizes = [pf.metadata.row_group(g).num_rows for g in range(pf.metadata.num_row_groups)]
            group, rows = 0, 0
            while group < len(sizes) and rows + sizes[group] <= skip_rows:
                rows += sizes[group]
                group += 1
            stream = pf.iter_batches(batch_size=self._batch_rows,
                                     row_groups=list(range(group, len(sizes))), columns=columns)
            while True:
                try:
                    batch = next(stream)
                except StopIteration:
                    return
                except (pa.ArrowException, OSError) as exc:
                    raise InputError(f"cannot decode the rows from here on: {exc}",
                                     file=self._display, row=rows) from None
                batch, rows = batch.slice(max(0, skip_rows - rows)), rows + batch.num_rows
                if batch.num_rows:
                    yield batch


def _rebatch(batches: Iterator[pa.RecordBatch], size: int) -> Iterator[pa.RecordBatch]:
    """Cut and join batches into batches of exactly `size` rows (the last may be shorter)."""
    pending: list[pa.RecordBatch] = []
    held = 0
    for batch in batches:
        while batch.num_rows:
            take = min(size - held, batch.num_rows)
            pending.append(batch.slice(0, take))
            held += take
            batch = batch.slice(take)
            if held == size:
                yield pending[0] if len(pending) == 1 else pa.concat_batches(pending)
                pending, held = [], 0
    if held:
        yield pending[0] if len(pending) == 1 else pa.concat_batches(pending)


class DatasetReader:
    """A dataset file with a fixed schema, iterable (again and again) as `Batch`es."""

    def __init__(self, path: str | os.PathLike, *, format: str | None = None,
                 batch_rows: int = DEFAULT_BATCH_ROWS, block_bytes: int = DEFAULT_BLOCK_BYTES,
                 column_types: Mapping[str, pa.DataType] | None = None):
        if batch_rows < 1 or block_bytes < 1:
            raise ValueError("batch_rows and block_bytes must be positive")
        self.path = Path(path)
        self.display = str(path)
        self.format = detect_format(path, format)
        self.batch_rows = batch_rows
        self.num_rows: int | None = None  # known after a full pass
        self._stat = self._identity()
        if self._stat[0] == 0:
            raise InputError("file is empty", file=self.display)
        if self.format == "parquet":
            if column_types:
                raise ValueError("column_types applies to CSV and NDJSON; Parquet stores its types")
            self._source = _ParquetSource(self.path, self.display, batch_rows)
        elif self.format == "ndjson":
            self._source = NdjsonSource(self.path, self.display, block_bytes=block_bytes,
                                        column_types=column_types)
        else:
            self._source = CsvSource(self.path, self.display, block_bytes=block_bytes,
                                     delimiter="\t" if self.format == "tsv" else ",",
                                     column_types=column_types)
        self.schema: pa.Schema = self._source.schema
        names = self.schema.names
        repeated = next((n for n in names if names.count(n) > 1), None)
        if repeated is not None:
            raise InputError("column name appears more than once", file=self.display,
                             column=repeated)
        check_supported(self.schema, file=self.display)

    def _identity(self) -> tuple[int, int, int]:
        try:
            st = os.stat(self.path)
        except OSError as exc:
            raise InputError(f"cannot open: {exc.strerror}", file=self.display) from None
        return st.st_size, st.st_mtime_ns, st.st_ino

    def _check_unchanged(self) -> None:
        if self._identity() != self._stat:
            raise InputError("the file changed while it was being read", file=self.display)

    def __iter__(self) -> Iterator[Batch]:
        self._check_unchanged()
        start = 0
        for data in _rebatch(self._source.batches(), self.batch_rows):
            if not data.schema.equals(self.schema):
                raise InputError(f"batch schema {data.schema} differs from the file's schema",
                                 file=self.display, row=start)
            yield Batch(start, data)
            start += data.num_rows
        self._check_unchanged()
        self.num_rows = start

    def read_rows(self, start: int, stop: int, columns: Sequence[str] | None = None) -> Batch:
        """Rows start .. stop - 1 as one Batch of `columns` (all by default, else in the order
        given), without reading what comes after them. Parquet reads only the row groups that
        hold them; CSV and NDJSON stream from the file's start (text has no index), keeping
        nothing before `start` (CSV converts only `columns` there, NDJSON skips whole blocks
        unparsed). InputError if the file ends first (names the first missing row)."""
        if not 0 <= start < stop:
            raise ValueError(f"a row range needs 0 <= start < stop, got {start}..{stop}")
        names = None if columns is None else list(columns)
        schema = self.schema
        if names is not None:
            unknown = next((c for c in names if c not in schema.names), None)
            if unknown is not None:
                raise InputError("no such column in the file", file=self.display, column=unknown)
            schema = pa.schema([schema.field(c) for c in names])
        self._check_unchanged()
        pieces: list[pa.RecordBatch] = []
        held = 0
        stream = self._source.batches(skip_rows=start, columns=names)
        try:
            for data in stream:
                pieces.append(data.slice(0, stop - start - held))
                held += pieces[-1].num_rows
                if held == stop - start:
                    break
        finally:
            stream.close()
        self._check_unchanged()
        if held < stop - start:
            raise InputError(f"the file ends before this row (rows {start}..{stop - 1} asked for)",
                             file=self.display, row=start + held)
        data = pa.concat_batches(pieces) if len(pieces) > 1 else pieces[0]
        data = data.select(names) if names is not None else data
        if not data.schema.equals(schema):
            raise InputError(f"batch schema {data.schema} differs from the file's schema",
                             file=self.display, row=start)
        return Batch(start, data)

    def digest(self) -> FileDigest:
        """sha256 and byte size of the file, checked to be the file this reader opened."""
        self._check_unchanged()
        with open(self.path, "rb") as f:
            sha = hashlib.file_digest(f, "sha256").hexdigest()
        self._check_unchanged()
        return FileDigest(sha, self._stat[0])


def open_dataset(path: str | os.PathLike, *, format: str | None = None,
                 batch_rows: int = DEFAULT_BATCH_ROWS, block_bytes: int = DEFAULT_BLOCK_BYTES,
                 column_types: Mapping[str, pa.DataType] | None = None) -> DatasetReader:
    """Open a dataset for streaming; `column_types` overrides inferred CSV/NDJSON types."""
    return DatasetReader(path, format=format, batch_rows=batch_rows, block_bytes=block_bytes,
                         column_types=column_types)


def file_digest(path: str | os.PathLike) -> FileDigest:
    """sha256 and byte size of any file (no format involved)."""
    with open(path, "rb") as f:
        sha = hashlib.file_digest(f, "sha256").hexdigest()
        return FileDigest(sha, f.tell())
