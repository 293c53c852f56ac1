"""Checks of one received export folder, on its own.

:func:`verify_folder` reads the three files of a folder and reports, as
data, everything that disagrees with docs/format.md: files missing or
unexpected, checksums, the zip's integrity and member names, the metadata
and the folder's name. The chain across folders is gim_export.chain's
business.

Nothing is extracted. Zip members are streamed into hashes and their names
are never used as paths; sizes are capped before anything is read, so that
a hostile zip or XML file cannot exhaust memory or time.
"""

from __future__ import annotations

import codecs
import contextlib
import datetime as dt
import hashlib
import lzma
import os
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path
from types import ModuleType
from typing import IO, Any

from gim_export.crypto import (
    ENCRYPTED_SUFFIX,
    ENCRYPTED_SUM_SUFFIX,
    DecryptionError,
    RSAPrivateKey,
    decrypted,
)
from gim_export.errors import Problem
from gim_export.package import (
    HASH_BLOCK,
    MAX_XML_BYTES,
    FolderName,
    FormatError,
    Metadata,
    TableEntry,
    parse_folder_name,
    parse_sha1_line,
)
from gim_export.progress import NoProgress, Progress
from gim_export.state import generation_of

isal_zlib: ModuleType | None
try:
    from isal import isal_zlib
except ImportError:  # isal ships wheels for the common platforms only
    isal_zlib = None

ZIP_SUFFIX = ".zip"
SUM_SUFFIX = ".zip.sha1"
XML_SUFFIX = ".extracted.xml"
SUFFIXES = (ZIP_SUFFIX, SUM_SUFFIX, XML_SUFFIX)
ENCRYPTED_SUFFIXES = (ENCRYPTED_SUFFIX, ENCRYPTED_SUM_SUFFIX, XML_SUFFIX)

# A sha1sum line is 40 digits, two spaces and a file name: far below this.
MAX_SUM_BYTES = 4096

# The progress task every folder check advances, in bytes.
PROGRESS_TASK = "verify"

# The problem kinds of one folder; docs/receiving.md explains each.
FOLDER_PROBLEM_KINDS = (
    "bad-folder-name",
    "missing-file",
    "unexpected-file",
    "unreadable-file",
    "bad-checksum-file",
    "zip-sha1-mismatch",
    "bad-zip",
    "hostile-entry",
    "unexpected-entry",
    "duplicate-entry",
    "encrypted-entry",
    "oversized-entry",
    "damaged-entry",
    "missing-entry",
    "unlisted-entry",
    "csv-sha1-mismatch",
    "row-count-mismatch",
    "bad-xml",
    "name-mismatch",
    "undecryptable",
)

# A zip member the format allows: <table>.csv or <table>.csv.sha1. ``\w`` is
# Unicode, so custom table names in any script and upper case pass.
_MEMBER_RE = re.compile(r"(?P<csv>[\w$%]+\.csv)(?P<sum>\.sha1)?")

# What zipfile and its decompressors raise on damaged or hostile input.
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    lzma.LZMAError,
    EOFError,
    OSError,
    ValueError,
    NotImplementedError,
    RuntimeError,
    struct.error,
    *((isal_zlib.error,) if isal_zlib is not None else ()),
)

# ISA-L inflates about 1.6 times as fast as zlib (docs/performance.md).
_crc32: Callable[[bytes, int], int] = (
    isal_zlib.crc32 if isal_zlib is not None else zlib.crc32
)

# Bytes other than the quote and the newline, deleted before counting rows.
_NOT_QUOTE_OR_NEWLINE = bytes(b for b in range(256) if b not in b'"\n')


@dataclass(frozen=True)
class Limits:
    """Caps that keep a hostile zip from exhausting memory or time.

    A member is refused when it declares more than ``max_member_bytes``, or
    more than ``ratio_floor`` bytes at a compression ratio over
    ``max_ratio`` (deflate cannot pass about 1032:1, CSV stays near 10:1).
    """

    max_directory_bytes: int = 4 * 1024 * 1024
    max_member_bytes: int = 64 * 1024**3
    max_ratio: int = 1000
    ratio_floor: int = 1024 * 1024


DEFAULT_LIMITS = Limits()


def verify_folder(
    folder: Path,
    *,
    fast: bool = False,
    limits: Limits = DEFAULT_LIMITS,
    progress: Progress | None = None,
    workers: int | None = None,
    key: RSAPrivateKey | None = None,
) -> tuple[Metadata | None, list[Problem]]:
    """Check one folder on its own; return its metadata and its problems.

    The metadata is None when the XML file is missing or unreadable. The
    chain across folders is :func:`verify_chain`'s business. ``workers``
    CSV files are inflated at once (default: one per CPU, up to 4).
    """
    with ThreadPoolExecutor(max_workers=default_workers(workers)) as pool:
        check = FolderCheck(folder, limits, fast, progress or NoProgress(), pool, key)
        check.run()
    return check.metadata, check.problems


def verify_folder_keeping_zip(
    folder: Path, key: RSAPrivateKey | None, keep: contextlib.ExitStack
) -> tuple[Metadata | None, list[Problem], Path | None]:
    """Check a folder as ``verify_folder(fast=True)``; also return its plain zip.

    An encrypted zip is decrypted once, into a temporary file that lives
    until ``keep`` closes, so that a caller who reads the zip next need not
    decrypt it again. The path is None when the zip is missing, or encrypted
    and ``key`` is None.
    """
    check = FolderCheck(folder, DEFAULT_LIMITS, True, NoProgress(), key=key, keep=keep)
    check.run()
    return check.metadata, check.problems, check.plain_zip


def default_workers(workers: int | None) -> int:
    """The threads to use: as asked, else one per CPU up to 4."""
    return workers or min(4, os.cpu_count() or 1)


class FolderCheck:
    """The checks of one folder; each step adds what it finds to ``problems``.

    The CSV files are inflated in ``pool`` when one is given, each from a
    file handle of its own; everything else runs in the caller's thread. A
    zip decrypted for the checks stays until ``keep`` closes when one is
    given, as ``plain_zip``.
    """

    def __init__(
        self,
        folder: Path,
        limits: Limits,
        fast: bool,
        progress: Progress,
        pool: Executor | None = None,
        key: RSAPrivateKey | None = None,
        keep: contextlib.ExitStack | None = None,
    ) -> None:
        self.folder = folder
        self.name = folder.name
        self.limits = limits
        self.fast = fast
        self.progress = progress
        self.pool = pool
        self.problems: list[Problem] = []
        self.metadata: Metadata | None = None
        self.csv_files: int | None = None
        self.key = key
        self.encrypted = False
        self.keep = keep
        self.plain_zip: Path | None = None

    def add(self, kind: str, message: str, **details: str | None) -> None:
        """Record one problem of this folder."""
        self.problems.append(Problem(self.name, kind, message, **details))

    def zip_size(self) -> int:
        """The size of the folder's zip, for progress; 0 when absent."""
        for suffix in (ZIP_SUFFIX, ENCRYPTED_SUFFIX):
            try:
                return (self.folder / f"{self.name}{suffix}").stat().st_size
            except OSError:
                continue
        return 0

    @property
    def note(self) -> str:
        """What a report adds beside the status: whether the zip was encrypted."""
        if not self.encrypted:
            return ""
        return (
            "encrypted" if self.key is not None else "encrypted, contents not checked"
        )

    def run(self) -> None:
        """Run every check of the folder."""
        parsed = parse_folder_name(self.name)
        if parsed is None:
            self.add(
                "bad-folder-name",
                "name is not export_<HWM>_<YYYY_MM_DD_HH_MI_SS>[_reexport_<N>]",
            )

        files = self._locate()
        if XML_SUFFIX in files:
            self.metadata = self._read_metadata(files[XML_SUFFIX])
        if ZIP_SUFFIX in files and SUM_SUFFIX in files:
            self._check_zip_sha1(files[ZIP_SUFFIX], files[SUM_SUFFIX])
        if ZIP_SUFFIX in files:
            self._check_plain_zip(files[ZIP_SUFFIX])

        if parsed is not None and self.metadata is not None:
            self._check_name(parsed, self.metadata)

    def _locate(self) -> dict[str, Path]:
        """Find the three files by suffix; report missing and unexpected ones."""
        try:
            with os.scandir(self.folder) as listing:
                entries = {entry.name: entry for entry in listing}
        except OSError as error:
            self.add("unreadable-file", f"cannot list the folder: {error.strerror}")
            return {}

        stem = self._stem(entries.keys())
        self.encrypted = stem + ENCRYPTED_SUFFIX in entries
        on_disk = ENCRYPTED_SUFFIXES if self.encrypted else SUFFIXES
        files = {}
        for suffix, file_suffix in zip(SUFFIXES, on_disk, strict=True):
            file_name = stem + file_suffix
            entry = entries.pop(file_name, None)
            if entry is None:
                self.add("missing-file", f"{file_name} is missing", file=file_name)
            elif not entry.is_file(follow_symlinks=False):
                self.add(
                    "unreadable-file",
                    f"{file_name} is not a regular file",
                    file=file_name,
                )
            else:
                files[suffix] = Path(entry.path)
        for name in sorted(entries):
            self.add(
                "unexpected-file",
                f"{name!r} does not belong in an export folder",
                file=name,
            )
        return files

    def _stem(self, names: Iterable[str]) -> str:
        """The name the files carry: the folder's, or one other complete set."""
        names = set(names)
        if any(self.name + suffix in names for suffix in SUFFIXES):
            return self.name
        stems = {
            name.removesuffix(suffix)
            for name in names
            for suffix in SUFFIXES
            if name.endswith(suffix)
        }
        complete = [s for s in stems if all(s + x in names for x in SUFFIXES)]
        if len(complete) != 1:
            return self.name
        self.add(
            "name-mismatch",
            f"the folder was renamed: its files are named {complete[0]}",
            expected=complete[0],
            found=self.name,
        )
        return complete[0]

    def _read_metadata(self, path: Path) -> Metadata | None:
        """Parse the XML file, at most MAX_XML_BYTES of it."""
        try:
            with open(path, "rb") as handle:
                data = handle.read(MAX_XML_BYTES + 1)
            metadata = Metadata.from_xml(data)
        except OSError as error:
            self.add(
                "unreadable-file", f"{path.name}: {error.strerror}", file=path.name
            )
            return None
        except FormatError as error:
            self.add("bad-xml", f"{path.name}: {error}", file=path.name)
            return None

        contradiction = _contradiction(metadata)
        if contradiction is not None:
            self.add("bad-xml", f"{path.name}: {contradiction}", file=path.name)
            return None
        return metadata

    def _check_zip_sha1(self, zip_path: Path, sum_path: Path) -> None:
        """Compare the zip's SHA-1 with its ``.zip.sha1`` file."""
        expected = self._read_sum_file(sum_path, zip_path.name)
        if expected is None:
            return
        found = self._hash_file(zip_path)
        if found is None or found == expected:
            return
        self.add(
            "zip-sha1-mismatch",
            f"{zip_path.name} has SHA-1 {found}, {sum_path.name} says {expected}",
            file=zip_path.name,
            expected=expected,
            found=found,
        )

    def _read_sum_file(self, path: Path, target: str) -> str | None:
        try:
            with open(path, "rb") as handle:
                data = handle.read(MAX_SUM_BYTES + 1)
        except OSError as error:
            self.add(
                "unreadable-file", f"{path.name}: {error.strerror}", file=path.name
            )
            return None
        return self._parse_sum(data, path.name, target)

    def _parse_sum(self, data: bytes, source: str, target: str) -> str | None:
        """The digest of a sha1sum line that must name ``target``."""
        try:
            if len(data) > MAX_SUM_BYTES:
                raise FormatError(f"checksum file is over {MAX_SUM_BYTES} bytes")
            digest, named = parse_sha1_line(data)
        except FormatError as error:
            self.add("bad-checksum-file", f"{source}: {error}", file=source)
            return None
        if named.casefold() != target.casefold():
            self.add(
                "bad-checksum-file",
                f"{source} names {named!r}, not {target}",
                file=source,
                expected=target,
                found=named,
            )
        return digest

    def _hash_file(self, path: Path) -> str | None:
        digest = hashlib.sha1(usedforsecurity=False)
        try:
            with open(path, "rb") as handle:
                while block := handle.read(HASH_BLOCK):
                    digest.update(block)
                    self.progress.advance(PROGRESS_TASK, len(block))
        except OSError as error:
            self.add(
                "unreadable-file", f"{path.name}: {error.strerror}", file=path.name
            )
            return None
        return digest.hexdigest()

    def _check_plain_zip(self, path: Path) -> None:
        """Check the zip; an encrypted one after decrypting it with the key."""
        if not self.encrypted:
            self._check_zip(path)
            self.plain_zip = path
        elif self.key is not None:
            try:
                with contextlib.ExitStack() as own:
                    stack = self.keep if self.keep is not None else own
                    plain = stack.enter_context(
                        decrypted(path, self.key, f"{self.name}{ZIP_SUFFIX}")
                    )
                    self._check_zip(plain)
                    if self.keep is not None:
                        self.plain_zip = plain
            except DecryptionError as error:
                self.add("undecryptable", str(error), file=path.name)

    def _check_zip(self, path: Path) -> None:
        """Check the zip's directory, its member names and every member."""
        try:
            handle = open(path, "rb")
        except OSError as error:
            self.add(
                "unreadable-file", f"{path.name}: {error.strerror}", file=path.name
            )
            return
        try:
            with handle:
                if self._directory_too_large(handle, path.name):
                    return
                with zipfile.ZipFile(handle) as archive:
                    self._check_members(archive, path)
        except _ZIP_ERRORS as error:
            self.add(
                "bad-zip",
                f"{path.name} is not a readable zip: {error}",
                file=path.name,
            )

    def _directory_too_large(self, handle: IO[bytes], name: str) -> bool:
        """Refuse a central directory zipfile would need too much memory for."""
        size = _directory_size(handle)
        if size is None or size <= self.limits.max_directory_bytes:
            return False
        self.add(
            "oversized-entry",
            f"{name} has a {size}-byte directory, over the limit of "
            f"{self.limits.max_directory_bytes}",
            file=name,
        )
        return True

    def _check_members(self, archive: zipfile.ZipFile, path: Path) -> None:
        csvs, sums = self._sort_members(archive.infolist())
        self.csv_files = len(csvs)
        if self._bomb(csvs.values(), path):
            return
        listed = self._listed_tables()

        contents = []
        for key, info in sorted(csvs.items()):
            expected = None
            if key in sums:
                expected = self._read_member_sum(archive, sums.pop(key), info)
            else:
                self.add(
                    "missing-entry",
                    f"{info.filename}.sha1 is missing from the zip",
                    file=f"{info.filename}.sha1",
                )
            entry = None
            if listed is not None:
                entry = listed.pop(key, None)
                if entry is None:
                    self.add(
                        "unlisted-entry",
                        f"{info.filename} is in the zip but not in the metadata",
                        file=info.filename,
                    )
            if not self.fast and not self._oversized(info):
                contents.append((info, expected, entry))

        for info in sums.values():
            csv_name = info.filename.removesuffix(".sha1")
            self.add(
                "missing-entry",
                f"{csv_name} is missing from the zip beside its .sha1",
                file=csv_name,
            )
        for entry in (listed or {}).values():
            self.add(
                "missing-entry",
                f"{entry.file} is listed in the metadata but missing from the zip",
                file=entry.file,
            )
        self._check_contents(path, contents)

    def _sort_members(
        self, members: Iterable[zipfile.ZipInfo]
    ) -> tuple[dict[str, zipfile.ZipInfo], dict[str, zipfile.ZipInfo]]:
        """CSV and checksum members by lower-case CSV name; report the rest."""
        csvs: dict[str, zipfile.ZipInfo] = {}
        sums: dict[str, zipfile.ZipInfo] = {}
        for info in members:
            name = info.orig_filename
            hostile = _hostile(info)
            match = _MEMBER_RE.fullmatch(name)
            if hostile:
                self.add("hostile-entry", f"zip entry {name!r} {hostile}", file=name)
                continue
            if match is None:
                self.add(
                    "unexpected-entry",
                    f"zip entry {name!r} is neither <table>.csv nor <table>.csv.sha1",
                    file=name,
                )
                continue
            members_of_kind = sums if match["sum"] else csvs
            key = match["csv"].casefold()
            if key in members_of_kind:
                self.add(
                    "duplicate-entry", f"zip entry {name!r} appears twice", file=name
                )
            elif info.flag_bits & 0x1:
                self.add(
                    "encrypted-entry",
                    f"zip entry {name!r} is encrypted and cannot be checked",
                    file=name,
                )
            else:
                members_of_kind[key] = info
        return csvs, sums

    def _bomb(self, members: Iterable[zipfile.ZipInfo], path: Path) -> bool:
        """Refuse a zip whose members together inflate too far: overlapping
        entries can each look reasonable and still add up to a bomb."""
        declared = sum(info.file_size for info in members)
        allowed = self.limits.max_ratio * path.stat().st_size + self.limits.ratio_floor
        if declared <= allowed:
            return False
        self.add(
            "oversized-entry",
            f"{path.name} declares {declared} bytes of CSV, over "
            f"{self.limits.max_ratio} times its own size",
            file=path.name,
        )
        return True

    def _listed_tables(self) -> dict[str, TableEntry] | None:
        """The CSV files the metadata lists; None when it lists none by design.

        The original Job_ExportGIM writes no ``<tables>``; gimexport always
        does, so an empty list from gimexport means an empty zip.
        """
        metadata = self.metadata
        if metadata is None or not metadata.gim_version.startswith("gimexport"):
            return None
        return {entry.file.casefold(): entry for entry in metadata.tables}

    def _read_member_sum(
        self,
        archive: zipfile.ZipFile,
        info: zipfile.ZipInfo,
        csv_info: zipfile.ZipInfo,
    ) -> str | None:
        """The digest a ``<table>.csv.sha1`` member holds for its CSV."""
        if info.file_size > MAX_SUM_BYTES:
            self.add(
                "oversized-entry",
                f"zip entry {info.filename!r} is over {MAX_SUM_BYTES} bytes",
                file=info.filename,
            )
            return None
        try:
            with archive.open(info) as member:
                data = member.read(MAX_SUM_BYTES + 1)
        except _ZIP_ERRORS as error:
            self.add(
                "damaged-entry",
                f"zip entry {info.filename!r}: {error}",
                file=info.filename,
            )
            return None
        return self._parse_sum(data, info.filename, csv_info.filename)

    def _check_contents(
        self,
        path: Path,
        contents: list[tuple[zipfile.ZipInfo, str | None, TableEntry | None]],
    ) -> None:
        """Inflate each CSV; compare its SHA-1 and, where cheap, its rows."""
        infos = [info for info, _, _ in contents]
        count_rows = self._counts_rows()
        run = self.pool.map if self.pool is not None else map
        digests = run(_digest_member, repeat(path), infos, repeat(count_rows))

        for (info, expected, entry), digest in zip(contents, digests, strict=True):
            self.progress.advance(PROGRESS_TASK, info.compress_size)
            if digest.error is not None:
                self.add("damaged-entry", digest.error, file=info.filename)
                continue
            listed = entry.sha1.lower() if entry is not None else None
            sums = {expected, listed} - {None}
            if sums - {digest.sha1}:
                self._sha1_mismatch(info.filename, digest.sha1, expected, listed)
            elif entry is not None and digest.rows not in (None, entry.rows):
                self.add(
                    "row-count-mismatch",
                    f"{info.filename} holds {digest.rows} rows, the metadata says "
                    f"{entry.rows}",
                    file=info.filename,
                    expected=str(entry.rows),
                    found=str(digest.rows),
                )

    def _oversized(self, info: zipfile.ZipInfo) -> bool:
        limits = self.limits
        size, packed = info.file_size, max(info.compress_size, 1)
        if size > limits.max_member_bytes:
            reason = f"over the limit of {limits.max_member_bytes}"
        elif size > limits.ratio_floor and size > limits.max_ratio * packed:
            reason = f"from {packed}, a ratio over {limits.max_ratio}:1"
        else:
            return False
        self.add(
            "oversized-entry",
            f"zip entry {info.filename!r} inflates to {size} bytes {reason}",
            file=info.filename,
        )
        return True

    def _counts_rows(self) -> bool:
        """Whether rows can be counted by bytes: an encoding where the quote
        and the newline are one byte each and never part of another
        character (UTF-8, single-byte and the usual CJK encodings)."""
        if self.metadata is None:
            return False
        try:
            codec = codecs.lookup(self.metadata.encoding)
        except LookupError:
            return False
        if codec.name.startswith(("iso2022", "hz", "utf-7")):
            return False
        encoded = codecs.encode('"\n', codec.name).removeprefix(codecs.BOM_UTF8)
        return encoded == b'"\n'

    def _sha1_mismatch(
        self, name: str, found: str, expected: str | None, listed: str | None
    ) -> None:
        """One problem for a CSV whose bytes its checksums do not describe."""
        if expected is not None and listed is not None and expected != listed:
            says = f"its .sha1 entry says {expected}, the metadata {listed}"
        elif expected is not None and listed is not None:
            says = f"its .sha1 entry and the metadata say {expected}"
        elif expected is not None:
            says = f"its .sha1 entry says {expected}"
        else:
            says = f"the metadata says {listed}"
        self.add(
            "csv-sha1-mismatch",
            f"{name} has SHA-1 {found}, {says}",
            file=name,
            expected=expected if expected is not None else listed,
            found=found,
        )

    def _check_name(self, parsed: FolderName, metadata: Metadata) -> None:
        """The name carries hwm-to and max-data-ts; a re-export says so, and
        so does a folder that repeats audit keys of an older generation."""
        generation = generation_of(metadata)
        if parsed.restart is not None and parsed.restart != generation:
            self.add(
                "name-mismatch",
                f"the name says restart generation {parsed.restart}, the "
                f"metadata's stream generation is {generation}",
                expected=str(generation),
                found=str(parsed.restart),
            )
        marked = parsed.re_export is not None
        if marked != (metadata.kind == "re-export"):
            self.add(
                "name-mismatch",
                f"the name {'marks' if marked else 'does not mark'} a re-export, "
                f"the metadata's kind is {metadata.kind}",
                expected=metadata.kind,
            )
            return
        if marked:
            return
        if parsed.hwm != metadata.hwm_to:
            self.add(
                "name-mismatch",
                f"the name says hwm {parsed.hwm}, the metadata's hwm-to is "
                f"{metadata.hwm_to}",
                expected=str(metadata.hwm_to),
                found=str(parsed.hwm),
            )
        data_time = dt.datetime.fromtimestamp(metadata.max_data_ts, dt.UTC)
        if parsed.date != data_time:
            self.add(
                "name-mismatch",
                f"the name says {_stamp(parsed.date)}, the metadata's "
                f"max-data-ts {metadata.max_data_ts} is {_stamp(data_time)}",
                expected=_stamp(data_time),
                found=_stamp(parsed.date),
            )


# Epoch seconds of 9999-12-31 23:59:59, the last time datetime can hold.
_LAST_TIME = 253402300799


def _contradiction(metadata: Metadata) -> str | None:
    """What makes well-formed metadata impossible, if anything."""
    times = {
        "created-ts": metadata.created_ts,
        "max-data-ts": metadata.max_data_ts,
        "hwm-from created-ts": metadata.hwm_from_created_ts,
        "hwm-to created-ts": metadata.hwm_to_created_ts,
        "data-span from-ts": metadata.data_from_ts,
    }
    for what, value in times.items():
        if not 0 <= value <= _LAST_TIME:
            return f"{what} {value} is not a time in epoch seconds"
    if metadata.hwm_from < 0:
        return f"hwm-from {metadata.hwm_from} is negative"
    if metadata.hwm_to < metadata.hwm_from:
        return f"hwm-to {metadata.hwm_to} is below hwm-from {metadata.hwm_from}"
    if metadata.kind == "re-export" and metadata.detail("re-export") is None:
        return "a re-export lacks its <re-export> element"
    stream = metadata.detail("stream") or {}
    if not re.fullmatch(r"\d{1,9}", stream.get("generation", "0")):
        return f"<stream> generation {stream['generation']!r} is not a number"
    return None


def _stamp(moment: dt.datetime) -> str:
    return moment.strftime("%Y_%m_%d_%H_%M_%S")


@dataclass(frozen=True)
class _MemberDigest:
    """What reading one CSV member gave: its SHA-1 and rows, or an error."""

    sha1: str = ""
    rows: int | None = None
    error: str | None = None


def _digest_member(
    path: Path, info: zipfile.ZipInfo, count_rows: bool
) -> _MemberDigest:
    """Hash (and count) one member, read through a file handle of its own."""
    digest = hashlib.sha1(usedforsecurity=False)
    counter = _RowCounter() if count_rows else None
    try:
        with open(path, "rb") as handle:
            for block in _member_bytes(handle, info):
                digest.update(block)
                if counter is not None:
                    counter.feed(block)
    except _ZIP_ERRORS as error:
        return _MemberDigest(error=f"zip entry {info.filename!r}: {error}")
    return _MemberDigest(digest.hexdigest(), counter.rows() if counter else None)


def _member_bytes(handle: IO[bytes], info: zipfile.ZipInfo) -> Iterator[bytes]:
    """A member's bytes in blocks; its local header, size and CRC are checked.

    Stored and deflated members are read here, deflated ones with ISA-L when
    it is installed; zipfile reads any other method.
    """
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        yield from _zipfile_bytes(handle, info)
        return
    _skip_local_header(handle, info)

    inflater = _inflater() if info.compress_type == zipfile.ZIP_DEFLATED else None
    left, size, crc = info.compress_size, 0, 0
    while left > 0:
        block = handle.read(min(left, HASH_BLOCK))
        if not block:
            raise EOFError("the zip ends inside this entry's data")
        left -= len(block)
        for piece in _inflate(inflater, block):
            size += len(piece)
            if size > info.file_size:
                raise zipfile.BadZipFile(
                    f"inflates past the {info.file_size} bytes the zip declares"
                )
            crc = _crc32(piece, crc)
            yield piece

    if inflater is not None and not inflater.eof:
        raise zipfile.BadZipFile("its deflate stream is cut short")
    if size != info.file_size:
        raise zipfile.BadZipFile(
            f"holds {size} bytes, the zip declares {info.file_size}"
        )
    if crc != info.CRC:
        raise zipfile.BadZipFile(f"CRC-32 is {crc:08x}, the zip says {info.CRC:08x}")


def _skip_local_header(handle: IO[bytes], info: zipfile.ZipInfo) -> None:
    """Move to a member's data past a local header that matches the directory."""
    handle.seek(info.header_offset)
    header = handle.read(30)
    if len(header) < 30 or not header.startswith(b"PK\x03\x04"):
        raise zipfile.BadZipFile("its local header is missing")
    name_length, extra_length = struct.unpack_from("<HH", header, 26)
    encoding = "utf-8" if info.flag_bits & 0x800 else "cp437"
    name = handle.read(name_length)
    if name != info.orig_filename.encode(encoding):
        raise zipfile.BadZipFile(f"its local header names {name!r}")
    handle.seek(extra_length, os.SEEK_CUR)


def _inflater() -> Any:
    """A raw-deflate decompressor: ISA-L's when installed, else zlib's."""
    if isal_zlib is not None:
        return isal_zlib.decompressobj(-15)
    return zlib.decompressobj(-15)


def _inflate(inflater: Any, block: bytes) -> Iterator[bytes]:
    """Inflate ``block`` in pieces of at most HASH_BLOCK bytes.

    A piece that fills HASH_BLOCK may leave output inside the inflater even
    when all input was taken, so the loop asks again until a piece falls
    short.
    """
    if inflater is None:
        yield block
        return
    pending = block
    while not inflater.eof:
        piece = inflater.decompress(pending, HASH_BLOCK)
        if piece:
            yield piece
        pending = inflater.unconsumed_tail
        if not pending and len(piece) < HASH_BLOCK:
            break


def _zipfile_bytes(handle: IO[bytes], info: zipfile.ZipInfo) -> Iterator[bytes]:
    with zipfile.ZipFile(handle) as archive, archive.open(info) as member:
        while block := member.read(HASH_BLOCK):
            yield block


def _hostile(info: zipfile.ZipInfo) -> str | None:
    """Why a member's name or type would be dangerous to extract, if it is."""
    name = info.orig_filename
    if any(ord(char) < 32 or ord(char) == 127 for char in name):
        return "holds a control character"
    if name.startswith(("/", "\\")) or re.match(r"[A-Za-z]:", name):
        return "is an absolute path"
    if ".." in re.split(r"[/\\]", name):
        return "climbs out of its folder with '..'"
    if (info.external_attr >> 16) & 0o170000 == 0o120000:
        return "is a symbolic link"
    return None


def _directory_size(handle: IO[bytes]) -> int | None:
    """The central directory size the zip's end record declares, or None.

    Read before zipfile loads the directory into memory. None when no end
    record is found: zipfile then reports the zip as unreadable.
    """
    end = handle.seek(0, os.SEEK_END)
    handle.seek(max(0, end - 22 - 65535))
    tail = handle.read()
    at = tail.rfind(b"PK\x05\x06", 0, max(0, len(tail) - 18))
    if at < 0:
        return None
    size: int = struct.unpack_from("<I", tail, at + 12)[0]
    if size == 0xFFFFFFFF and at >= 20 and tail[at - 20 : at - 16] == b"PK\x06\x07":
        (offset,) = struct.unpack_from("<Q", tail, at - 12)
        handle.seek(offset)
        record = handle.read(56)
        if len(record) == 56 and record.startswith(b"PK\x06\x06"):
            (size,) = struct.unpack_from("<Q", record, 40)
    return size


class _RowCounter:
    """Counts the records of CSV bytes: the newlines outside quoted fields.

    Only quotes and newlines matter, so everything else is deleted first.
    Two adjacent quotes then change nothing (no newline lies between them)
    and are dropped too, which leaves almost nothing but newlines in a
    usual block: counting costs less than hashing.
    """

    def __init__(self) -> None:
        self.records = 0
        self.quoted = False
        self.last = b""

    def feed(self, block: bytes) -> None:
        """Count the records that end in ``block``."""
        marks = block.translate(None, _NOT_QUOTE_OR_NEWLINE).replace(b'""', b"")
        parts = marks.split(b'"')
        outside = parts[1::2] if self.quoted else parts[0::2]
        self.records += sum(map(len, outside))
        if len(parts) % 2 == 0:
            self.quoted = not self.quoted
        if block:
            self.last = block[-1:]

    def rows(self) -> int:
        """Data rows: records after the header, a last unterminated one too."""
        records = self.records + (1 if self.last not in (b"", b"\n") else 0)
        return max(records - 1, 0)
