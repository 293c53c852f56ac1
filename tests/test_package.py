"""The folder writer and the metadata, checked with real files and tools."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from gim_export.package import (
    FolderWriter,
    FormatError,
    Metadata,
    TableEntry,
    Transcoder,
    folder_name,
    parse_folder_name,
    parse_sha1_line,
    publish,
    read_metadata,
)

CREATED = dt.datetime(2026, 12, 1, 8, 20, tzinfo=dt.UTC)
CSV = 'id,name\n1,"Ана, ""quoted""\nline"\n2,\n3,""\n'.encode()


def metadata(**changes: object) -> Metadata:
    fields: dict[str, object] = {
        "created_ts": 1764577200,
        "gim_schema_version": "8.5.116.20",
        "max_data_ts": 1764547200,
        "hwm_from": 13,
        "hwm_from_created_ts": 1764460800,
        "hwm_to": 200074,
        "hwm_to_created_ts": 1764547260,
        "data_from_ts": 1764460800,
        "encoding": "utf8",
        "tables": (TableEntry("resource_", "resource_.csv", 3, "ab" * 20, ("id",)),),
    }
    fields.update(changes)
    return Metadata(**fields)  # type: ignore[arg-type]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    staging, output = tmp_path / "staging", tmp_path / "out"
    output.mkdir()
    name = folder_name(200074, 1764547200)
    writer = FolderWriter(staging, name, CREATED)
    writer.add_table("RESOURCE_", ("id", "name"), [CSV[:10], CSV[10:]])
    writer.finish(metadata())
    return publish(writer.directory, output)


def test_folder_name_is_padded_and_sorts_by_hwm() -> None:
    small, large = folder_name(999, 0), folder_name(1000, 0)
    assert small == "export_0000000000000000999_1970_01_01_00_00_00"
    assert sorted([large, small]) == [small, large]
    parsed = parse_folder_name(small)
    assert parsed is not None and parsed.hwm == 999 and parsed.re_export is None


@pytest.mark.parametrize(
    "name", ["export_12", "export_1_2026_13_01_00_00_00", "other", "export_x_y"]
)
def test_foreign_names_are_not_folders(name: str) -> None:
    assert parse_folder_name(name) is None


def test_folder_holds_three_files_and_sha1sum_accepts_it(folder: Path) -> None:
    assert sorted(p.name for p in folder.iterdir()) == [
        f"{folder.name}.extracted.xml",
        f"{folder.name}.zip",
        f"{folder.name}.zip.sha1",
    ]
    if shutil.which("sha1sum") is None:
        pytest.skip("sha1sum is not installed")
    check = subprocess.run(
        ["sha1sum", "-c", f"{folder.name}.zip.sha1"],
        cwd=folder,
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout == f"{folder.name}.zip: OK\n"


def test_zip_passes_unzip_and_holds_csv_with_checksum(folder: Path) -> None:
    zip_path = folder / f"{folder.name}.zip"
    if shutil.which("unzip"):
        test = subprocess.run(["unzip", "-t", zip_path], capture_output=True)
        assert test.returncode == 0, test.stdout
    with zipfile.ZipFile(zip_path) as archive:
        assert archive.namelist() == ["resource_.csv", "resource_.csv.sha1"]
        assert archive.read("resource_.csv") == CSV
        digest, name = parse_sha1_line(archive.read("resource_.csv.sha1"))
    assert name == "resource_.csv"
    assert digest == __import__("hashlib").sha1(CSV).hexdigest()


def test_metadata_round_trips(folder: Path) -> None:
    read = read_metadata(folder)
    assert read == metadata()
    assert b'<hwm-to audit-key="200074"' in metadata().to_xml()


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (b"<export-metadata>", "not well-formed"),
        (b'<!DOCTYPE x [<!ENTITY a "b">]><export-metadata/>', "DTD"),
        (b"<export-metadata><created-ts>1</created-ts></export-metadata>", "lacks"),
    ],
    ids=["truncated", "entities", "missing-field"],
)
def test_bad_metadata_is_refused(document: bytes, message: str) -> None:
    with pytest.raises(FormatError, match=message):
        Metadata.from_xml(document)


@pytest.mark.parametrize(
    "line",
    [
        b"%s  export_1.zip\n" % (b"a" * 40),
        b"%s *export_1.zip\r\n" % (b"A" * 40),
    ],
    ids=["sha1sum", "binary-marker-crlf"],
)
def test_sha1_lines_of_both_forms_are_read(line: bytes) -> None:
    assert parse_sha1_line(line) == ("a" * 40, "export_1.zip")


def test_utf16_output_has_one_bom_per_file() -> None:
    transcoder = Transcoder("utf-16")
    text = "a,b\n1,Ж\n2,€\n".encode()
    pieces = [transcoder.feed(text[:5]), transcoder.feed(text[5:]), transcoder.close()]
    output = b"".join(pieces)
    assert output.count(b"\xff\xfe") + output.count(b"\xfe\xff") == 1
    assert output.decode("utf-16") == text.decode()


def test_transcoder_refuses_a_character_the_encoding_lacks() -> None:
    with pytest.raises(UnicodeEncodeError):
        Transcoder("latin-1").feed("Ж".encode())
