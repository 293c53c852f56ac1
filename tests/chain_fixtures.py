"""Real export folders for the verify-chain tests, and ways to damage them.

Folders are written by ``package.FolderWriter`` and published as the
exporter publishes them; each damage changes real bytes on disk, one way at
a time, and returns the problems verify-chain must report: a set of
``(folder, kind)`` pairs.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

from gim_export import package
from gim_export.package import Metadata, TableEntry

DAY = 86400
START_TS = 1767225600  # 2026-01-01 00:00:00 UTC

Expected = set[tuple[str, str]]

COLUMNS = {
    "interaction_fact": ("interaction_id", "subject", "create_audit_key"),
    "resource_": ("resource_key", "resource_name", "create_audit_key"),
}


def sample_rows(table: str, hwm_to: int) -> list[tuple[str, ...]]:
    """Rows with quotes, commas, line breaks and non-Latin text, unique per hwm."""
    if table == "resource_":
        return [(str(hwm_to), f"Agent {hwm_to} Müller", str(hwm_to))]
    return [
        (f"{hwm_to}1", 'says "hello", then leaves', str(hwm_to)),
        (f"{hwm_to}2", "two\nlines and 東京 and Ωmega", str(hwm_to)),
        (f"{hwm_to}3", "", str(hwm_to)),
    ]


def csv_bytes(columns: tuple[str, ...], rows: list[tuple[str, ...]]) -> bytes:
    """A CSV file as the exporter writes it: header, RFC 4180 quoting, LF."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return text.getvalue().encode("utf-8")


def write_folder(
    output: Path,
    hwm_from: int,
    hwm_to: int,
    max_data_ts: int,
    *,
    kind: str = "regular",
    name: str | None = None,
    tables: tuple[str, ...] = ("interaction_fact", "resource_"),
    details: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (),
) -> Path:
    """Write and publish one folder; ``name`` defaults to the format's."""
    name = name or package.folder_name(hwm_to, max_data_ts)
    created = dt.datetime.fromtimestamp(max_data_ts + 600, dt.UTC)
    writer = package.FolderWriter(output / ".gim" / "staging", name, created)
    entries = []
    for table in tables:
        rows = sample_rows(table, hwm_to)
        columns = COLUMNS[table]
        checksum, _ = writer.add_table(table, columns, [csv_bytes(columns, rows)])
        entries.append(TableEntry(table, f"{table}.csv", len(rows), checksum, columns))
    writer.finish(
        Metadata(
            created_ts=max_data_ts + 600,
            gim_schema_version="8.5.116.20",
            max_data_ts=max_data_ts,
            hwm_from=hwm_from,
            hwm_from_created_ts=max_data_ts - DAY,
            hwm_to=hwm_to,
            hwm_to_created_ts=max_data_ts + 60,
            data_from_ts=max_data_ts - DAY,
            encoding="utf8",
            tables=tuple(entries),
            kind=kind,
            details=details,
        )
    )
    return package.publish(writer.directory, output)


def build_chain(output: Path, count: int = 4) -> list[Path]:
    """A regular chain: hwm 13 -> 100 -> 200 ..., one day of data each."""
    output.mkdir(parents=True, exist_ok=True)
    folders = []
    for index in range(1, count + 1):
        hwm_from = 13 if index == 1 else 100 * (index - 1)
        folders.append(
            write_folder(output, hwm_from, 100 * index, START_TS + index * DAY)
        )
    return folders


def zip_of(folder: Path) -> Path:
    """The zip of a folder whose files carry the folder's name."""
    return folder / f"{folder.name}.zip"


def members(folder: Path) -> list[tuple[zipfile.ZipInfo, bytes]]:
    """Every zip member of a folder with its bytes."""
    with zipfile.ZipFile(zip_of(folder)) as archive:
        return [(info, archive.read(info)) for info in archive.infolist()]


def csv_names(folder: Path) -> list[str]:
    """The CSV members of a folder's zip."""
    return [
        info.filename for info, _ in members(folder) if info.filename.endswith(".csv")
    ]


def rewrite_zip(
    folder: Path,
    change: Callable[[list[tuple[str, bytes]]], list[tuple[str, bytes]]],
    compression: int = zipfile.ZIP_DEFLATED,
) -> None:
    """Write the zip again with changed members, and a matching ``.zip.sha1``."""
    entries = change([(info.filename, data) for info, data in members(folder)])
    with zipfile.ZipFile(zip_of(folder), "w", compression) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    resum(folder)


def resum(folder: Path) -> None:
    """Write ``.zip.sha1`` for the zip as it is now."""
    path = zip_of(folder)
    sha1 = package.sha1_line(package.file_sha1(path), path.name)
    (folder / f"{path.name}.sha1").write_bytes(sha1)


def data_offset(info: zipfile.ZipInfo, data: bytes | bytearray) -> int:
    """Where a member's data starts: after its local header, name and extra."""
    start = info.header_offset
    name_length = int.from_bytes(data[start + 26 : start + 28], "little")
    extra_length = int.from_bytes(data[start + 28 : start + 30], "little")
    return start + 30 + name_length + extra_length


# Damages: each takes the chain's folders and returns what must be reported.


def target(folders: list[Path]) -> Path:
    """A folder inside the chain (not first, not last) whose zip holds a CSV."""
    for folder in folders[1:-1]:
        if csv_names(folder):
            return folder
    raise AssertionError("the chain has no inner folder with a CSV")


def flip_zip_byte(folders: list[Path]) -> Expected:
    """One byte flipped inside the compressed data of the largest CSV."""
    folder = target(folders)
    with zipfile.ZipFile(zip_of(folder)) as archive:
        info = max(
            (i for i in archive.infolist() if i.filename.endswith(".csv")),
            key=lambda i: i.compress_size,
        )
    data = bytearray(zip_of(folder).read_bytes())
    data[data_offset(info, data) + info.compress_size // 2] ^= 0x55
    zip_of(folder).write_bytes(bytes(data))
    return {(folder.name, "zip-sha1-mismatch"), (folder.name, "damaged-entry")}


def flip_csv_byte(folders: list[Path]) -> Expected:
    """One byte of a CSV changed; the zip itself rebuilt whole and summed."""
    folder = target(folders)
    victim = csv_names(folder)[0]

    def change(entries: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
        result = []
        for name, data in entries:
            if name == victim:
                flipped = bytearray(data)
                flipped[len(data) // 2] ^= 0x01
                data = bytes(flipped)
            result.append((name, data))
        return result

    rewrite_zip(folder, change)
    return {(folder.name, "csv-sha1-mismatch")}


def remove_folder(folders: list[Path]) -> Expected:
    """A folder that never arrived: the next one does not link."""
    folder = target(folders)
    shutil.rmtree(folder)
    return {(folders[folders.index(folder) + 1].name, "gap")}


def remove_file(suffix: str) -> Callable[[list[Path]], Expected]:
    """One of the three files lost in transfer."""

    def damage(folders: list[Path]) -> Expected:
        folder = target(folders)
        (folder / f"{folder.name}{suffix}").unlink()
        return {(folder.name, "missing-file")}

    return damage


def rename_folder(folders: list[Path]) -> Expected:
    """A folder renamed by hand: its date one second later."""
    folder = target(folders)
    parsed = package.parse_folder_name(folder.name)
    assert parsed is not None
    later = package.FolderName(parsed.hwm, parsed.date + dt.timedelta(seconds=1))
    renamed = folder.rename(folder.parent / str(later))
    return {(renamed.name, "name-mismatch")}


def truncate_zip(folders: list[Path]) -> Expected:
    """A transfer that stopped half-way through the zip."""
    folder = target(folders)
    data = zip_of(folder).read_bytes()
    zip_of(folder).write_bytes(data[: len(data) // 2])
    return {(folder.name, "zip-sha1-mismatch"), (folder.name, "bad-zip")}


def add_extra_file(folders: list[Path]) -> Expected:
    """A stray file dropped into a folder."""
    folder = target(folders)
    (folder / "notes.txt").write_text("checked by Jo\n")
    return {(folder.name, "unexpected-file")}


def add_zip_entry(name: str, data: bytes = b"x\n") -> Callable[[list[Path]], Expected]:
    """A zip rebuilt with one more entry named ``name`` (and summed again)."""

    def damage(folders: list[Path]) -> Expected:
        folder = target(folders)
        rewrite_zip(folder, lambda entries: [*entries, (name, data)])
        return {(folder.name, "hostile-entry")}

    return damage


def swap_xml(folders: list[Path]) -> Expected:
    """The XML files of two neighbouring folders exchanged."""
    first = target(folders)
    second = folders[folders.index(first) + 1]
    first_xml = first / f"{first.name}.extracted.xml"
    second_xml = second / f"{second.name}.extracted.xml"
    first_data, second_data = first_xml.read_bytes(), second_xml.read_bytes()
    first_xml.write_bytes(second_data)
    second_xml.write_bytes(first_data)
    return _foreign_xml(first, second_data) | _foreign_xml(second, first_data)


def _foreign_xml(folder: Path, xml: bytes) -> Expected:
    """What a folder reports when it holds another folder's XML."""
    expected = {(folder.name, "name-mismatch")}
    listed = {entry.file: entry.sha1 for entry in Metadata.from_xml(xml).tables}
    own = {
        info.filename: hashlib.sha1(data).hexdigest()
        for info, data in members(folder)
        if info.filename.endswith(".csv")
    }
    if own.keys() - listed.keys():
        expected.add((folder.name, "unlisted-entry"))
    if listed.keys() - own.keys():
        expected.add((folder.name, "missing-entry"))
    if any(own[file] != listed[file] for file in own.keys() & listed.keys()):
        expected.add((folder.name, "csv-sha1-mismatch"))
    return expected


DAMAGES: dict[str, Callable[[list[Path]], Expected]] = {
    "zip-byte-flipped": flip_zip_byte,
    "csv-byte-flipped": flip_csv_byte,
    "folder-missing": remove_folder,
    "zip-missing": remove_file(".zip"),
    "zip-sha1-missing": remove_file(".zip.sha1"),
    "xml-missing": remove_file(".extracted.xml"),
    "xml-swapped": swap_xml,
    "folder-renamed": rename_folder,
    "zip-truncated": truncate_zip,
    "extra-file": add_extra_file,
    "hostile-entry": add_zip_entry("../../evil.csv"),
}
