"""A zip writer that streams entries of unknown size through a fast deflate.

The standard library's ``zipfile`` compresses with zlib only. zlib-ng (the
``zlib-ng`` package) deflates the same format three to four times faster at
the same level and makes zips of the same size (docs/performance.md has the
figures), so this writer takes the compressor as a parameter. It writes what
``zipfile`` writes for a seekable file: a local header with a ZIP64 field,
the deflated data, then the CRC and sizes patched into the header, and a
central directory with ZIP64 records wherever a size or offset needs them.
"""

from __future__ import annotations

import datetime as dt
import shutil
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType, TracebackType
from typing import BinaryIO, Protocol

fast_zlib: ModuleType | None
try:
    from zlib_ng import zlib_ng as fast_zlib
except ImportError:  # zlib-ng ships wheels for the common platforms only
    fast_zlib = None

_LIMIT = 0xFFFFFFFF
_VERSION = 45  # 4.5: ZIP64
_MADE_BY = (3 << 8) | _VERSION  # Unix
_UTF8_NAMES = 1 << 11
_DEFLATED = 8
_STORED = 0

_LOCAL = struct.Struct("<IHHHHHIIIHH")
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
_END = struct.Struct("<IHHHHIIH")
_END64 = struct.Struct("<IQHHIIQQQQ")
_LOCATOR64 = struct.Struct("<IIQI")


class Compressor(Protocol):
    """The part of a zlib compress object the writer uses."""

    def compress(self, data: bytes, /) -> bytes:
        """Deflate more data."""

    def flush(self) -> bytes:
        """Finish the stream."""


def compressor_factory(level: int) -> tuple[int, Callable[[], Compressor | None]]:
    """Return the zip method and a raw-deflate factory for a zlib level 0-9.

    Level 0 stores. Other levels deflate with zlib-ng when it is installed,
    else with the standard library's zlib; both read levels the same way.
    """
    if level == 0:
        return _STORED, lambda: None
    module = fast_zlib if fast_zlib is not None else zlib
    return _DEFLATED, lambda: module.compressobj(level, module.DEFLATED, -15)


@dataclass
class _Entry:
    name: bytes
    method: int
    dos_time: int
    dos_date: int
    external_attr: int
    offset: int
    crc: int = 0
    compressed: int = 0
    size: int = 0


def _dos_stamp(moment: dt.datetime) -> tuple[int, int]:
    year = max(1980, moment.year)
    time = (moment.hour << 11) | (moment.minute << 5) | (moment.second // 2)
    date = ((year - 1980) << 9) | (moment.month << 5) | moment.day
    return time, date


class EntryWriter:
    """Writes the data of one entry; close it before the next one starts."""

    def __init__(
        self, writer: ZipWriter, entry: _Entry, compressor: Compressor | None
    ) -> None:
        self._writer = writer
        self._entry = entry
        self._compressor = compressor
        self._crc = 0

    def write(self, data: bytes) -> None:
        """Add bytes to the entry."""
        self._crc = zlib.crc32(data, self._crc)
        self._entry.size += len(data)
        out = self._compressor.compress(data) if self._compressor else data
        if out:
            self._writer.file.write(out)
            self._entry.compressed += len(out)

    def close(self) -> None:
        """Finish the data and patch the CRC and sizes into the local header."""
        if self._compressor is not None:
            tail = self._compressor.flush()
            self._writer.file.write(tail)
            self._entry.compressed += len(tail)
        self._entry.crc = self._crc
        self._writer.finish_entry(self._entry)

    def __enter__(self) -> EntryWriter:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if error is None:
            self.close()


class DeflatedPart:
    """One entry's data deflated into a file of its own, to join a zip later.

    Threads that read tables side by side each fill a part; the thread that
    owns the zip appends the parts with :meth:`ZipWriter.add_part` without
    deflating again.
    """

    def __init__(self, path: Path, level: int = 6) -> None:
        self.path = path
        self.method, new_compressor = compressor_factory(level)
        self._compressor = new_compressor()
        self._file = open(path, "wb")  # noqa: SIM115 - closed in close()
        self.crc = 0
        self.size = 0
        self.compressed = 0

    def write(self, data: bytes) -> None:
        """Add bytes to the part."""
        self.crc = zlib.crc32(data, self.crc)
        self.size += len(data)
        out = self._compressor.compress(data) if self._compressor else data
        if out:
            self._file.write(out)
            self.compressed += len(out)

    def close(self) -> None:
        """Finish the deflate stream and the file."""
        if self._compressor is not None:
            tail = self._compressor.flush()
            self._file.write(tail)
            self.compressed += len(tail)
        self._file.close()


class ZipWriter:
    """Writes a zip file entry after entry, then its central directory."""

    def __init__(
        self,
        file: BinaryIO,
        level: int = 6,
        modified: dt.datetime | None = None,
        file_mode: int = 0o600,
    ) -> None:
        self.file = file
        self._method, self._new_compressor = compressor_factory(level)
        moment = modified or dt.datetime.now(dt.UTC)
        self._time, self._date = _dos_stamp(moment)
        self._attr = (0o100000 | file_mode) << 16
        self._entries: list[_Entry] = []
        self._open = False

    def _start_entry(self, name: str, method: int) -> _Entry:
        """Write a local header with a ZIP64 field; CRC and sizes as known."""
        if self._open:
            raise ValueError("close the open entry before starting another")
        entry = _Entry(
            name=name.encode("utf-8"),
            method=method,
            dos_time=self._time,
            dos_date=self._date,
            external_attr=self._attr,
            offset=self.file.tell(),
        )
        self.file.write(
            _LOCAL.pack(
                0x04034B50,
                _VERSION,
                _UTF8_NAMES,
                entry.method,
                entry.dos_time,
                entry.dos_date,
                0,
                _LIMIT,
                _LIMIT,
                len(entry.name),
                20,
            )
        )
        self.file.write(entry.name + struct.pack("<HHQQ", 1, 16, 0, 0))
        return entry

    def open(self, name: str) -> EntryWriter:
        """Start an entry whose data follows through the returned writer."""
        entry = self._start_entry(name, self._method)
        self._open = True
        return EntryWriter(self, entry, self._new_compressor())

    def finish_entry(self, entry: _Entry) -> None:
        """Patch the finished entry's CRC and sizes into its local header."""
        end = self.file.tell()
        self.file.seek(entry.offset + 14)
        self.file.write(struct.pack("<I", entry.crc))
        self.file.seek(entry.offset + _LOCAL.size + len(entry.name) + 4)
        self.file.write(struct.pack("<QQ", entry.size, entry.compressed))
        self.file.seek(end)
        self._entries.append(entry)
        self._open = False

    def add_part(self, name: str, part: DeflatedPart) -> None:
        """Append an entry whose data a :class:`DeflatedPart` holds, then remove it."""
        if part.method != self._method:
            raise ValueError("a part must use the zip's compression method")
        entry = self._start_entry(name, part.method)
        with open(part.path, "rb") as source:
            shutil.copyfileobj(source, self.file, 1024 * 1024)
        part.path.unlink()
        entry.crc, entry.size, entry.compressed = part.crc, part.size, part.compressed
        self.finish_entry(entry)

    def write_entry(self, name: str, data: bytes) -> None:
        """Write a small entry in one call."""
        with self.open(name) as entry:
            entry.write(data)

    def close(self) -> None:
        """Write the central directory and the end records."""
        start = self.file.tell()
        for entry in self._entries:
            self._write_central(entry)
        size = self.file.tell() - start
        count = len(self._entries)

        if count >= 0xFFFF or start >= _LIMIT or size >= _LIMIT:
            end64 = self.file.tell()
            self.file.write(
                _END64.pack(
                    0x06064B50,
                    _END64.size - 12,
                    _MADE_BY,
                    _VERSION,
                    0,
                    0,
                    count,
                    count,
                    size,
                    start,
                )
            )
            self.file.write(_LOCATOR64.pack(0x07064B50, 0, end64, 1))
            count16, size32, start32 = 0xFFFF, _LIMIT, _LIMIT
        else:
            count16, size32, start32 = count, size, start
        self.file.write(
            _END.pack(0x06054B50, 0, 0, count16, count16, size32, start32, 0)
        )
        self.file.flush()

    def _write_central(self, entry: _Entry) -> None:
        fields = []
        size, compressed, offset = entry.size, entry.compressed, entry.offset
        if size >= _LIMIT:
            fields.append(size)
            size = _LIMIT
        if compressed >= _LIMIT:
            fields.append(compressed)
            compressed = _LIMIT
        if offset >= _LIMIT:
            fields.append(offset)
            offset = _LIMIT
        extra = (
            struct.pack(f"<HH{len(fields)}Q", 1, 8 * len(fields), *fields)
            if fields
            else b""
        )
        self.file.write(
            _CENTRAL.pack(
                0x02014B50,
                _MADE_BY,
                _VERSION,
                _UTF8_NAMES,
                entry.method,
                entry.dos_time,
                entry.dos_date,
                entry.crc,
                compressed,
                size,
                len(entry.name),
                len(extra),
                0,
                0,
                0,
                entry.external_attr,
                offset,
            )
        )
        self.file.write(entry.name + extra)
