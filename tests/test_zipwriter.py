"""The streaming zip writer, read back by zipfile, unzip and zip -T."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from gim_export.zipwriter import ZipWriter

MOMENT = dt.datetime(2026, 12, 1, 8, 20, 14, tzinfo=dt.UTC)


def write_zip(path: Path, entries: dict[str, list[bytes]], level: int) -> None:
    with open(path, "wb") as handle:
        writer = ZipWriter(handle, level, MOMENT)
        for name, pieces in entries.items():
            with writer.open(name) as entry:
                for piece in pieces:
                    entry.write(piece)
        writer.close()


@pytest.mark.parametrize("level", [0, 1, 6, 9], ids=lambda level: f"level={level}")
def test_entries_read_back_unchanged(tmp_path: Path, level: int) -> None:
    path = tmp_path / "a.zip"
    entries = {
        "interaction_fact.csv": [b"a,b\n", "1,Ана\n".encode() * 5000, b""],
        "interaction_fact.csv.sha1": [b"x" * 40 + b"  interaction_fact.csv\n"],
        "empty.csv": [],
    }
    write_zip(path, entries, level)
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
        assert archive.namelist() == list(entries)
        for name, pieces in entries.items():
            assert archive.read(name) == b"".join(pieces)
        info = archive.getinfo("empty.csv")
        assert info.date_time == (2026, 12, 1, 8, 20, 14)
        assert info.external_attr >> 16 == 0o100600


@pytest.mark.parametrize("tool", [["unzip", "-tq"], ["zip", "-T"]])
def test_command_line_tools_accept_the_zip(tmp_path: Path, tool: list[str]) -> None:
    if shutil.which(tool[0]) is None:
        pytest.skip(f"{tool[0]} is not installed")
    path = tmp_path / "a.zip"
    write_zip(
        path, {"t.csv": [b"id\n1\n"], "t.csv.sha1": [b"0" * 40 + b"  t.csv\n"]}, 6
    )
    result = subprocess.run([*tool, str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_second_entry_cannot_start_before_the_first_closes(tmp_path: Path) -> None:
    with open(tmp_path / "a.zip", "wb") as handle:
        writer = ZipWriter(handle)
        writer.open("one.csv")
        with pytest.raises(ValueError, match="close the open entry"):
            writer.open("two.csv")


@pytest.mark.slow
def test_entry_over_4_gib_uses_zip64(tmp_path: Path) -> None:
    path = tmp_path / "big.zip"
    block = b"0123456789abcdef" * 65536  # 1 MiB
    blocks = 4 * 1024 + 16  # just over 4 GiB
    with open(path, "wb") as handle:
        writer = ZipWriter(handle, 1, MOMENT)
        with writer.open("big.csv") as entry:
            for _ in range(blocks):
                entry.write(block)
        writer.write_entry("after.csv", b"id\n1\n")
        writer.close()
    with zipfile.ZipFile(path) as archive:
        assert archive.getinfo("big.csv").file_size == blocks * len(block)
        assert archive.read("after.csv") == b"id\n1\n"
    if shutil.which("unzip"):
        listing = subprocess.run(["unzip", "-l", str(path)], capture_output=True)
        assert listing.returncode == 0
