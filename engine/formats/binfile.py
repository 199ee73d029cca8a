"""The iden3 binary container shared by .r1cs, .wtns, .zkey (and .ptau) files.

Layout (iden3/binfileutils): 4-byte ASCII magic ("r1cs", "wtns", "zkey"), u32 version, u32
section count, then per section: u32 id, u64 byte length, payload. All integers little-endian.
Sections may come in any order; readers look them up by id, and each id used must occur once.
Unknown ids are ignored by snarkjs, which is what lets us add an extension section safely.

Everything here raises InputError naming the file and, where it applies, the section.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from engine.errors import InputError
from kernels.constants import FR_BYTES, R

_HEADER = struct.Struct("<4sII")
_SECTION = struct.Struct("<IQ")

Chunk = bytes | bytearray | memoryview | np.ndarray


@dataclass(frozen=True)
class BinFile:
    file: str  # for messages
    magic: str
    version: int
    sections: dict[int, list[memoryview]]

    def error(self, message: str, section: str | None = None) -> InputError:
        return InputError(f"{self.magic} {section}: {message}" if section else message,
                          file=self.file)

    def section(self, sid: int, name: str) -> memoryview:
        """The payload of a section that must occur exactly once."""
        found = self.sections.get(sid, [])
        if not found:
            raise self.error("missing", f"section {sid} ({name})")
        if len(found) > 1:
            raise self.error(f"occurs {len(found)} times", f"section {sid} ({name})")
        return found[0]

    def reader(self, sid: int, name: str) -> SectionReader:
        return SectionReader(self, self.section(sid, name), f"section {sid} ({name})")


class SectionReader:
    """Sequential little-endian reads inside one section, with truncation errors."""

    def __init__(self, owner: BinFile, data: memoryview, name: str):
        self.owner, self.data, self.name, self.pos = owner, data, name, 0

    def error(self, message: str) -> InputError:
        return self.owner.error(message, self.name)

    def take(self, n: int) -> memoryview:
        if n < 0 or self.pos + n > len(self.data):
            raise self.error(f"truncated: needs {n} bytes at offset {self.pos}, "
                             f"section has {len(self.data)}")
        out = self.data[self.pos:self.pos + n]
        self.pos += n
        return out

    def u32(self) -> int:
        return int.from_bytes(self.take(4), "little")

    def u64(self) -> int:
        return int.from_bytes(self.take(8), "little")

    def bigint(self, n: int) -> int:
        return int.from_bytes(self.take(n), "little")

    def scalar_field(self) -> None:
        """Read `u32 n8, prime` (the .r1cs/.wtns header prefix) and require BLS12-381's r."""
        n8 = self.u32()
        if n8 != FR_BYTES:
            raise self.error(f"field size {n8} bytes, expected {FR_BYTES} (BLS12-381 Fr)")
        prime = self.bigint(n8)
        if prime != R:
            raise self.error(f"prime {prime:#x} is not the BLS12-381 scalar field r")

    def array(self, dtype, shape: tuple[int, ...]) -> np.ndarray:
        """A writable, aligned copy of the next prod(shape) items."""
        dt = np.dtype(dtype)
        count = int(np.prod(shape, dtype=np.int64))
        raw = self.take(count * dt.itemsize)
        return np.frombuffer(raw, dtype=dt, count=count).reshape(shape).copy()

    def done(self) -> None:
        if self.pos != len(self.data):
            raise self.error(f"has {len(self.data) - self.pos} unexpected trailing bytes "
                             f"(read {self.pos} of {len(self.data)})")


def parse_binfile(data: bytes | memoryview, magic: str, max_version: int, file: str) -> BinFile:
    view = memoryview(data).cast("B")
    if len(view) < _HEADER.size:
        raise InputError(f"too short for a {magic} file ({len(view)} bytes)", file=file)
    got, version, n_sections = _HEADER.unpack_from(view, 0)
    if got != magic.encode():
        raise InputError(f"not a {magic} file (magic {bytes(got)!r})", file=file)
    if not 1 <= version <= max_version:
        raise InputError(f"{magic} version {version} not supported (max {max_version})", file=file)
    sections: dict[int, list[memoryview]] = {}
    pos = _HEADER.size
    for k in range(n_sections):
        if pos + _SECTION.size > len(view):
            raise InputError(f"truncated: header of section entry {k} of {n_sections} missing",
                             file=file)
        sid, size = _SECTION.unpack_from(view, pos)
        pos += _SECTION.size
        if size > len(view) - pos:
            raise InputError(f"{magic} section {sid}: truncated, declares {size} bytes but only "
                             f"{len(view) - pos} remain", file=file)
        sections.setdefault(sid, []).append(view[pos:pos + size])
        pos += size
    if pos != len(view):
        raise InputError(f"{len(view) - pos} trailing bytes after the last section", file=file)
    return BinFile(file, magic, version, sections)


def read_binfile(path: str | os.PathLike, magic: str, max_version: int) -> BinFile:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", file=str(path)) from None
    return parse_binfile(data, magic, max_version, str(path))


def _as_bytes(chunk: Chunk) -> memoryview:
    if isinstance(chunk, np.ndarray):
        return memoryview(np.ascontiguousarray(chunk)).cast("B")
    return memoryview(chunk).cast("B")


def write_binfile(path: str | os.PathLike, magic: str, version: int,
                  sections: Iterable[tuple[int, Iterable[Chunk]]]) -> None:
    """Write sections (id, chunks) in the given order, via a temporary file and a rename."""
    sections = [(sid, [_as_bytes(c) for c in chunks]) for sid, chunks in sections]
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as f:
        f.write(_HEADER.pack(magic.encode(), version, len(sections)))
        for sid, chunks in sections:
            f.write(_SECTION.pack(sid, sum(len(c) for c in chunks)))
            for c in chunks:
                f.write(c)
    os.replace(tmp, path)


def u32(*values: int) -> bytes:
    return struct.pack(f"<{len(values)}I", *values)


def u64(*values: int) -> bytes:
    return struct.pack(f"<{len(values)}Q", *values)


def bigint(value: int, n8: int) -> bytes:
    return value.to_bytes(n8, "little")
