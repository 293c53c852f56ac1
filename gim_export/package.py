"""The export folder: its name, the zip of CSV files, checksums and metadata.

docs/format.md is the contract this module writes and reads. A folder is
built under ``.gim/staging`` and published by one rename, after every file in
it reached the disk, so that a folder named ``export_*`` is always complete.
"""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import logging
import os
import queue
import re
import shutil
import threading
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from gim_export import __version__
from gim_export.zipwriter import DeflatedPart, ZipWriter

logger = logging.getLogger(__name__)

HWM_WIDTH = 19
FOLDER_PREFIX = "export_"
HASH_BLOCK = 512 * 1024
MAX_XML_BYTES = 4 * 1024 * 1024
KINDS = ("regular", "restart", "re-export")
_SAFE_CHAR = re.compile(r"[\w$]")

_FOLDER_RE = re.compile(
    r"^export_(?P<hwm>\d{1,20})_(?P<date>\d{4}_\d{2}_\d{2}_\d{2}_\d{2}_\d{2})"
    r"(?:_restart_(?P<restart>\d{1,9}))?(?:_reexport_(?P<reexport>\d{1,9}))?$"
)


class FormatError(ValueError):
    """A file of a folder does not follow docs/format.md."""


@dataclass(frozen=True)
class FolderName:
    """The parts of an export folder's name."""

    hwm: int
    date: dt.datetime
    re_export: int | None = None
    restart: int | None = None

    def __str__(self) -> str:
        stamp = self.date.astimezone(dt.UTC).strftime("%Y_%m_%d_%H_%M_%S")
        name = f"{FOLDER_PREFIX}{self.hwm:0{HWM_WIDTH}d}_{stamp}"
        if self.restart is not None:
            name += f"_restart_{self.restart:04d}"
        if self.re_export is not None:
            name += f"_reexport_{self.re_export:04d}"
        return name


def folder_name(
    hwm: int,
    max_data_ts: int,
    re_export: int | None = None,
    restart: int | None = None,
) -> str:
    """Return the folder name for a high-water mark and a data time.

    ``re_export`` numbers a re-export folder; ``restart`` is the generation
    of a folder that repeats audit keys an earlier generation exported.
    """
    date = dt.datetime.fromtimestamp(max_data_ts, dt.UTC)
    return str(FolderName(hwm, date, re_export, restart))


def parse_folder_name(name: str) -> FolderName | None:
    """Return the parts of an export folder name, or None for another name."""
    match = _FOLDER_RE.match(name)
    if not match:
        return None
    try:
        date = dt.datetime.strptime(match["date"], "%Y_%m_%d_%H_%M_%S")
    except ValueError:
        return None
    restart, re_export = match["restart"], match["reexport"]
    return FolderName(
        int(match["hwm"]),
        date.replace(tzinfo=dt.UTC),
        int(re_export) if re_export else None,
        int(restart) if restart else None,
    )


@dataclass(frozen=True)
class TableEntry:
    """One CSV file of a folder's zip."""

    name: str
    file: str
    rows: int
    sha1: str
    columns: tuple[str, ...]


@dataclass(frozen=True)
class Metadata:
    """The content of ``export_XXX.extracted.xml``."""

    created_ts: int
    gim_schema_version: str
    max_data_ts: int
    hwm_from: int
    hwm_from_created_ts: int
    hwm_to: int
    hwm_to_created_ts: int
    data_from_ts: int
    encoding: str
    tables: tuple[TableEntry, ...] = ()
    kind: str = "regular"
    gim_version: str = f"gimexport {__version__}"
    details: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = field(default=())

    def detail(self, tag: str) -> dict[str, str] | None:
        """Return the attributes of an optional element such as ``restart``."""
        for name, attributes in self.details:
            if name == tag:
                return dict(attributes)
        return None

    def to_xml(self) -> bytes:
        """Render the metadata as the XML document docs/format.md shows."""
        root = ET.Element("export-metadata", {"format-version": "1"})
        for tag, text in (
            ("created-ts", str(self.created_ts)),
            ("gim-schema-version", self.gim_schema_version),
            ("gim-version", self.gim_version),
            ("max-data-ts", str(self.max_data_ts)),
        ):
            ET.SubElement(root, tag).text = text
        ET.SubElement(
            root,
            "hwm-from",
            {
                "audit-key": str(self.hwm_from),
                "created-ts": str(self.hwm_from_created_ts),
            },
        )
        ET.SubElement(
            root,
            "hwm-to",
            {"audit-key": str(self.hwm_to), "created-ts": str(self.hwm_to_created_ts)},
        )
        ET.SubElement(root, "kind").text = self.kind
        ET.SubElement(
            root,
            "data-span",
            {"from-ts": str(self.data_from_ts), "to-ts": str(self.max_data_ts)},
        )
        ET.SubElement(root, "csv", _csv_dialect(self.encoding))
        for tag, attributes in self.details:
            ET.SubElement(root, tag, dict(attributes))
        tables = ET.SubElement(root, "tables")
        for entry in self.tables:
            ET.SubElement(
                tables,
                "table",
                {
                    "name": entry.name,
                    "file": entry.file,
                    "rows": str(entry.rows),
                    "sha1": entry.sha1,
                    "columns": ",".join(entry.columns),
                },
            )
        ET.indent(root)
        body = ET.tostring(root, encoding="unicode")
        return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'.encode()

    @classmethod
    def from_xml(cls, data: bytes) -> Metadata:
        """Parse an ``.extracted.xml``; refuse DTDs, entities and huge files."""
        if len(data) > MAX_XML_BYTES:
            raise FormatError(f"metadata is {len(data)} bytes, over the limit")
        if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
            raise FormatError("metadata declares a DTD or entities, refused")
        try:
            root = ET.fromstring(data)
        # An unknown encoding in the XML declaration raises LookupError.
        except (ET.ParseError, LookupError) as error:
            raise FormatError(f"metadata is not well-formed XML: {error}") from None
        return _metadata_from(root)


def _csv_dialect(encoding: str) -> dict[str, str]:
    return {
        "encoding": encoding,
        "delimiter": ",",
        "quote": '"',
        "line-end": "LF",
        "header": "true",
        "null": "unquoted-empty",
        "empty-string": "quoted-empty",
    }


_KNOWN_TAGS = {
    "created-ts",
    "gim-schema-version",
    "gim-version",
    "max-data-ts",
    "hwm-from",
    "hwm-to",
    "kind",
    "data-span",
    "csv",
    "tables",
}


def _metadata_from(root: ET.Element) -> Metadata:
    def text(tag: str) -> str:
        element = root.find(tag)
        if element is None or element.text is None:
            raise FormatError(f"metadata lacks <{tag}>")
        return element.text.strip()

    def number(value: str | None, what: str) -> int:
        if value is None or not re.fullmatch(r"-?\d{1,20}", value.strip()):
            raise FormatError(f"metadata {what} is not an integer: {value!r}")
        return int(value)

    def mark(tag: str) -> tuple[int, int]:
        element = root.find(tag)
        if element is None:
            raise FormatError(f"metadata lacks <{tag}>")
        return (
            number(element.get("audit-key"), f"<{tag}> audit-key"),
            number(element.get("created-ts"), f"<{tag}> created-ts"),
        )

    hwm_from, from_ts = mark("hwm-from")
    hwm_to, to_ts = mark("hwm-to")
    max_data_ts = number(text("max-data-ts"), "<max-data-ts>")
    span = root.find("data-span")
    csv = root.find("csv")
    kind_element = root.find("kind")
    kind = (kind_element.text or "").strip() if kind_element is not None else "regular"
    if kind not in KINDS:
        raise FormatError(f"metadata <kind> {kind!r} is not one of {', '.join(KINDS)}")

    tables = []
    for element in root.iterfind("tables/table"):
        tables.append(
            TableEntry(
                name=element.get("name", ""),
                file=element.get("file", ""),
                rows=number(element.get("rows"), "table rows"),
                sha1=element.get("sha1", ""),
                columns=tuple(c for c in element.get("columns", "").split(",") if c),
            )
        )
    details = tuple(
        (child.tag, tuple(sorted(child.attrib.items())))
        for child in root
        if child.tag not in _KNOWN_TAGS
    )
    return Metadata(
        created_ts=number(text("created-ts"), "<created-ts>"),
        gim_schema_version=text("gim-schema-version"),
        gim_version=text("gim-version"),
        max_data_ts=max_data_ts,
        hwm_from=hwm_from,
        hwm_from_created_ts=from_ts,
        hwm_to=hwm_to,
        hwm_to_created_ts=to_ts,
        data_from_ts=number(span.get("from-ts"), "data-span from-ts")
        if span is not None
        else max_data_ts,
        encoding=csv.get("encoding", "utf8") if csv is not None else "utf8",
        tables=tuple(tables),
        kind=kind,
        details=details,
    )


class Transcoder:
    """Turns UTF-8 bytes from the server into the output encoding, chunk by chunk.

    Stateful codecs write their byte-order mark once, at the start of the
    output. A character the encoding cannot hold raises UnicodeEncodeError.
    """

    def __init__(self, encoding: str) -> None:
        self.passthrough = codecs.lookup(encoding).name == "utf-8"
        self._decoder = codecs.getincrementaldecoder("utf-8")()
        self._encoder = codecs.getincrementalencoder(encoding)("strict")

    def feed(self, data: bytes) -> bytes:
        """Return the encoded form of the next piece of UTF-8 input."""
        if self.passthrough:
            return data
        return self._encoder.encode(self._decoder.decode(data))

    def close(self) -> bytes:
        """Return whatever the codecs held back, and check the input ended whole."""
        if self.passthrough:
            return b""
        return self._encoder.encode(self._decoder.decode(b"", final=True), final=True)


def sha1_line(digest: str, name: str) -> bytes:
    """One line of ``sha1sum`` output: digest, two spaces, file name."""
    return f"{digest}  {name}\n".encode()


def parse_sha1_line(data: bytes) -> tuple[str, str]:
    """Read a ``sha1sum`` line; accept the ``*`` binary marker and CRLF."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise FormatError("checksum line is not UTF-8 text") from None
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) != 1:
        raise FormatError(f"checksum file holds {len(lines)} lines, not one")
    match = re.fullmatch(r"([0-9a-fA-F]{40}) [ *](.+)", lines[0].rstrip("\r"))
    if not match:
        raise FormatError(f"checksum line {lines[0][:80]!r} is not in sha1sum form")
    return match[1].lower(), match[2]


def file_sha1(path: Path) -> str:
    """Return the SHA-1 of a file, read in fixed-size blocks."""
    digest = hashlib.sha1(usedforsecurity=False)
    with open(path, "rb") as handle:
        while block := handle.read(HASH_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def csv_file_name(table: str) -> str:
    """The zip entry of a table: its name in lower case, plus ``.csv``.

    A character other than a letter, digit, ``_`` or ``$`` (a quote, a space,
    a ``/``, a ``.``) is written as ``%XX`` per byte of its UTF-8, so that no
    table name can make a path or another table's name.
    """
    stem = "".join(
        char
        if _SAFE_CHAR.fullmatch(char)
        else "".join(f"%{b:02X}" for b in char.encode())
        for char in table.lower()
    )
    return f"{stem}.csv"


def folder_mode(file_mode: int) -> int:
    """The mode of a folder whose files get ``file_mode``: readers may enter."""
    readers = file_mode & 0o044
    return 0o700 | readers | readers >> 2


class FolderWriter:
    """Builds one export folder in a staging directory.

    Add the tables one after another with :meth:`add_table`, then call
    :meth:`finish` with the metadata; :func:`publish` moves the result into
    the output directory.
    """

    def __init__(
        self,
        staging: Path,
        name: str,
        created: dt.datetime,
        compression_level: int = 6,
        file_mode: int = 0o600,
        encrypt: Callable[[Path], Path] | None = None,
    ) -> None:
        self.name = name
        self.directory = staging / name
        if self.directory.exists():
            shutil.rmtree(self.directory)
        self.directory.mkdir(parents=True, mode=folder_mode(file_mode))
        self.directory.chmod(folder_mode(file_mode))
        self._encrypt = encrypt
        self.zip_path = self.directory / f"{name}.zip"
        self._mode = file_mode
        self._level = compression_level
        self._file = open(_create(self.zip_path, file_mode), "wb")  # noqa: SIM115
        self._zip = ZipWriter(
            self._file, compression_level, created.astimezone(dt.UTC), file_mode
        )

    def add_table(
        self, table: str, columns: tuple[str, ...], chunks: Iterable[bytes]
    ) -> tuple[str, int]:
        """Write one CSV from encoded chunks; return its SHA-1 and byte count."""
        file_name = csv_file_name(table)
        digest = hashlib.sha1(usedforsecurity=False)
        size = 0
        with self._zip.open(file_name) as member, _Pipeline(member.write) as sink:
            for chunk in chunks:
                digest.update(chunk)
                sink.put(chunk)
                size += len(chunk)
        checksum = digest.hexdigest()
        self._zip.write_entry(f"{file_name}.sha1", sha1_line(checksum, file_name))
        return checksum, size

    def write_part(
        self, table: str, chunks: Iterable[bytes]
    ) -> tuple[str, int, DeflatedPart]:
        """Deflate one CSV into a part file, from any thread.

        Returns its SHA-1, its byte count and the part for :meth:`add_part`.
        """
        parts = self.directory.with_name(f"{self.name}.parts")
        parts.mkdir(mode=0o700, exist_ok=True)
        part = DeflatedPart(parts / f"{csv_file_name(table)}.part", self._level)
        digest = hashlib.sha1(usedforsecurity=False)
        size = 0
        try:
            with _Pipeline(part.write) as sink:
                for chunk in chunks:
                    digest.update(chunk)
                    sink.put(chunk)
                    size += len(chunk)
        finally:
            part.close()
        return digest.hexdigest(), size, part

    def add_part(self, table: str, checksum: str, part: DeflatedPart) -> None:
        """Append a CSV that :meth:`write_part` deflated, with its checksum."""
        file_name = csv_file_name(table)
        self._zip.add_part(file_name, part)
        self._zip.write_entry(f"{file_name}.sha1", sha1_line(checksum, file_name))

    def finish(self, metadata: Metadata) -> None:
        """Close the zip and write the ``.zip.sha1`` and ``.extracted.xml`` files."""
        self._zip.close()
        self._file.close()
        if self._encrypt is not None:
            self.zip_path = self._encrypt(self.zip_path)
        shutil.rmtree(self.directory.with_name(f"{self.name}.parts"), True)
        zip_name = self.zip_path.name
        sha1_path = self.directory / f"{zip_name}.sha1"
        xml_path = self.directory / f"{self.name}.extracted.xml"
        _write(sha1_path, sha1_line(file_sha1(self.zip_path), zip_name), self._mode)
        _write(xml_path, metadata.to_xml(), self._mode)
        for path in (self.zip_path, sha1_path, xml_path):
            _fsync(path)
        _fsync(self.directory)

    def abandon(self) -> None:
        """Close and remove everything written so far."""
        self._file.close()
        shutil.rmtree(self.directory, ignore_errors=True)
        shutil.rmtree(self.directory.with_name(f"{self.name}.parts"), True)


class _Pipeline:
    """Hands blocks to a writer thread, so that deflate overlaps reading.

    zlib-ng and file writes release the GIL, so the thread compresses one
    block while the caller reads the next from the database. At most
    ``depth`` blocks wait in between, which bounds the memory used.
    """

    _END = b""

    def __init__(self, write: Callable[[bytes], None], depth: int = 8) -> None:
        self._write = write
        self._queue: queue.Queue[bytes] = queue.Queue(maxsize=depth)
        self._failure: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="gimexport-deflate")

    def _run(self) -> None:
        while (block := self._queue.get()) is not self._END:
            if self._failure is None:
                try:
                    self._write(block)
                except BaseException as error:  # handed to the caller in put/close
                    self._failure = error

    def __enter__(self) -> _Pipeline:
        self._thread.start()
        return self

    def put(self, block: bytes) -> None:
        """Queue a block for writing; raise what the writer thread met."""
        if self._failure is not None:
            raise self._failure
        if block:
            self._queue.put(block)

    def __exit__(self, *exc_info: object) -> None:
        self._queue.put(self._END)
        self._thread.join()
        if self._failure is not None and exc_info[0] is None:
            raise self._failure


def open_with_mode(path: Path, mode: int) -> int:
    """Create or empty ``path`` for writing with exactly ``mode``, umask or not.

    ``file-mode`` names the mode the operator wants the receiver's side to
    see; a umask of the exporting process must not narrow it silently.
    """
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        os.fchmod(fd, mode)
    except OSError:
        os.close(fd)
        raise
    return fd


def _create(path: Path, mode: int) -> Path:
    os.close(open_with_mode(path, mode))
    return path


def _write(path: Path, data: bytes, mode: int) -> None:
    with os.fdopen(open_with_mode(path, mode), "wb") as handle:
        handle.write(data)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def publish(folder: Path, output_directory: Path) -> Path:
    """Move a finished folder from staging into the output directory, durably."""
    target = output_directory / folder.name
    if target.exists():
        raise FileExistsError(f"folder {str(target)!r} exists already")
    os.rename(folder, target)
    _fsync(output_directory)
    return target


def read_metadata(folder: Path) -> Metadata:
    """Read the ``.extracted.xml`` of a folder."""
    path = folder / f"{folder.name}.extracted.xml"
    with open(path, "rb") as handle:
        data = handle.read(MAX_XML_BYTES + 1)
    return Metadata.from_xml(data)


def export_folders(output_directory: Path) -> list[Path]:
    """Return the published folders of an output directory, in name order."""
    if not output_directory.is_dir():
        return []
    return sorted(
        path
        for path in output_directory.iterdir()
        if path.is_dir() and parse_folder_name(path.name) is not None
    )
