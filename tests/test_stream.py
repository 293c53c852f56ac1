"""Stream control: retention of old folders."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from gim_export import package
from gim_export.stream import remove_old_folders

NOW = dt.datetime(2026, 12, 4, 12, 0, tzinfo=dt.UTC)


def make_folder(output: Path, hwm: int, age_days: float) -> Path:
    created = NOW - dt.timedelta(days=age_days)
    name = package.folder_name(hwm, 1764547200 + hwm * 3600)
    writer = package.FolderWriter(output / ".staging", name, created)
    writer.add_table("resource_", ("id",), [b"id\n1\n"])
    writer.finish(
        package.Metadata(
            created_ts=int(created.timestamp()),
            gim_schema_version="8.5",
            max_data_ts=1764547200 + hwm * 3600,
            hwm_from=hwm - 1,
            hwm_from_created_ts=0,
            hwm_to=hwm,
            hwm_to_created_ts=0,
            data_from_ts=0,
            encoding="utf8",
        )
    )
    return package.publish(writer.directory, output)


def test_old_complete_folders_go_and_the_newest_stays(tmp_path: Path) -> None:
    old = [make_folder(tmp_path, hwm, age) for hwm, age in ((1, 30), (2, 20))]
    recent = make_folder(tmp_path, 3, 2)
    removed = remove_old_folders(tmp_path, 14, NOW)
    assert removed == [folder.name for folder in old]
    assert package.export_folders(tmp_path) == [recent]


def test_newest_folder_stays_however_old(tmp_path: Path) -> None:
    make_folder(tmp_path, 1, 40)
    newest = make_folder(tmp_path, 2, 30)
    remove_old_folders(tmp_path, 14, NOW)
    assert package.export_folders(tmp_path) == [newest]


def test_incomplete_folder_is_never_removed(tmp_path: Path) -> None:
    broken = make_folder(tmp_path, 1, 40)
    (broken / f"{broken.name}.zip").unlink()
    make_folder(tmp_path, 2, 1)
    assert remove_old_folders(tmp_path, 14, NOW) == []
    assert broken.exists()
