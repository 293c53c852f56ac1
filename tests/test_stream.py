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


# --- restart and re-export, end to end against the reference Info Mart ---

import psycopg  # noqa: E402
import pytest  # noqa: E402
from exporting import (  # noqa: E402
    exported_tables,
    folders,
    reload_into,
    settings_for,
    table_differences,
)

from gim_export import chain, sample  # noqa: E402
from gim_export.config import parse_start_date  # noqa: E402
from gim_export.control import (  # noqa: E402
    RestartRefused,
    apply_restart,
    plan_restart,
    re_export,
)
from gim_export.exporter import export  # noqa: E402
from gim_export.state import read_position  # noqa: E402


def catch_up(settings: object) -> list[Path]:
    export(settings, catch_up=True, gap_wait_seconds=0.1)  # type: ignore[arg-type]
    return folders(settings.output_directory)  # type: ignore[attr-defined]


def test_restart_re_export_and_retention_keep_the_chain_loadable(
    infomart_dsn: str, empty_db: str, tmp_path: Path
) -> None:
    settings = settings_for(infomart_dsn, tmp_path / "out")
    first_pass = catch_up(settings)
    hwm_before = read_position(settings.output_directory).hwm

    plan = plan_restart(settings, parse_start_date("2026-11-03"))
    assert plan.first_key < hwm_before
    apply_restart(settings, plan)
    second_pass = catch_up(settings)
    new = [f for f in second_pass if f not in first_pass]
    restart_meta = package.read_metadata(new[0])
    assert restart_meta.kind == "restart"
    assert restart_meta.hwm_from == plan.first_key - 1
    assert all("_restart_0001" in f.name for f in new if _hwm(f) <= hwm_before)
    assert read_position(settings.output_directory).hwm == hwm_before

    with sample.EtlSimulator(infomart_dsn, seed=3) as simulator:
        simulator.run_batches(3)
    re_exported = re_export(settings, parse_start_date("2026-11-05"))
    assert re_exported
    assert all(f.metadata.kind == "re-export" for f in re_exported)
    newest_before = max(second_pass)
    assert all(f.path.name.startswith(newest_before.name) for f in re_exported)
    assert read_position(settings.output_directory).hwm == hwm_before

    latest = catch_up(settings)
    assert max(latest).name > max(f.path.name for f in re_exported)

    report = chain.verify_chain(settings.output_directory)
    assert list(report.problems) == []

    with psycopg.connect(empty_db, autocommit=True) as conn:
        sample.apply_schema(conn)
    reload_into(empty_db, settings.output_directory)
    tables = exported_tables(infomart_dsn)
    assert table_differences(infomart_dsn, empty_db, tables) == {}

    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=30)
    removed = remove_old_folders(settings.output_directory, 14, later)
    remaining = folders(settings.output_directory)
    assert len(remaining) == 1 and remaining[0].name not in removed
    assert list(chain.verify_chain(settings.output_directory).problems) == []


def _hwm(folder: Path) -> int:
    parsed = package.parse_folder_name(folder.name)
    assert parsed is not None
    return parsed.hwm


def test_restart_from_beginning_starts_at_the_oldest_key(
    infomart_dsn: str, tmp_path: Path
) -> None:
    settings = settings_for(infomart_dsn, tmp_path / "out")
    catch_up(settings)
    plan = plan_restart(settings, None)
    assert plan.first_key == 1
    apply_restart(settings, plan)
    assert read_position(settings.output_directory).hwm == 0


def test_restart_before_the_purged_audit_log_is_refused(
    infomart_dsn: str, tmp_path: Path
) -> None:
    with psycopg.connect(infomart_dsn, autocommit=True) as conn:
        conn.execute("DELETE FROM ctl_audit_log WHERE audit_key < 10")
    settings = settings_for(infomart_dsn, tmp_path / "out")
    with pytest.raises(RestartRefused, match="the oldest date the stream can restart"):
        plan_restart(settings, parse_start_date("2026-10-01"))
    assert not (tmp_path / "out" / ".gim" / "state.toml").exists()


def test_start_date_starts_a_new_stream_and_is_ignored_after(
    infomart_dsn: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = settings_for(
        infomart_dsn, tmp_path / "out", start_date=parse_start_date("2026-11-04")
    )
    first = export(settings, catch_up=True).folders[0].metadata
    with psycopg.connect(infomart_dsn) as conn:
        row = conn.execute(
            "SELECT min(audit_key) FROM ctl_audit_log WHERE max_chunk_ts >= %s",
            (int(parse_start_date("2026-11-04").timestamp()),),
        ).fetchone()
    assert row is not None and first.hwm_from == row[0] - 1

    assert "start-date applies" not in caplog.text
    export(settings, catch_up=True)
    assert "start-date applies to an empty output directory only" in caplog.text


def test_restart_beyond_the_position_needs_allow_skip(
    infomart_dsn: str, tmp_path: Path
) -> None:
    settings = settings_for(infomart_dsn, tmp_path / "out")
    first = export(settings).folders[0].metadata
    later = parse_start_date("2026-11-05")
    with pytest.raises(RestartRefused) as caught:
        plan_restart(settings, later)
    assert str(caught.value).startswith(
        f"restarting at audit key {plan_restart(settings, later, True).first_key} "
        f"would skip audit keys {first.hwm_to + 1}.."
    )
    assert "pass --allow-skip" in str(caught.value)
