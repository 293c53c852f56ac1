"""``export`` against the reference Info Mart: the invariants of DESIGN.md §5."""

from __future__ import annotations

import logging
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import psycopg
import pytest
from exporting import (
    csv_members,
    csv_rows,
    exported_tables,
    folders,
    reload_into,
    settings_for,
    sha1sum_check,
    table_differences,
)

from gim_export import locks, package, sample
from gim_export.errors import EncodingFailure, ExportAlreadyRunning
from gim_export.exporter import changed_rows_query, export
from gim_export.infomart import Table, list_tables
from gim_export.state import read_position

DAY = 86400


def export_all(dsn: str, output: Path, **changes: object) -> list[Path]:
    """Run the export until it is caught up; return the folders."""
    settings = settings_for(dsn, output, **changes)
    export(settings, catch_up=True, gap_wait_seconds=0.2)
    return folders(output)


def kill_while_writing(command: list[str], staging: Path, grace: float) -> bool:
    """Start an export, SIGKILL it ``grace`` seconds after it starts a folder.

    Returns whether it was killed: False when it ended before writing one.
    Waiting for a new folder in staging rather than a fixed delay makes the
    kill land mid-run on a fast machine as on a slow one. What an earlier
    killed run left in staging does not count.
    """
    left_over = staging_entries(staging)
    process = subprocess.Popen(command)
    deadline = time.monotonic() + 120
    while process.poll() is None and time.monotonic() < deadline:
        entries = staging_entries(staging)
        if entries and entries != left_over:
            time.sleep(grace)
            process.kill()
            process.wait()
            return True
        time.sleep(0.002)
    process.kill()
    process.wait()
    return False


def staging_entries(staging: Path) -> set[tuple[str, int]]:
    """The names and inode numbers of what is in the staging directory now."""
    try:
        return {(entry.name, entry.stat().st_ino) for entry in staging.iterdir()}
    except FileNotFoundError:
        return set()


def test_folder_follows_the_format(infomart_dsn: str, tmp_path: Path) -> None:
    settings = settings_for(infomart_dsn, tmp_path / "out")
    run = export(settings)
    assert len(run.folders) == 1
    folder = run.folders[0].path
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        f"{folder.name}{suffix}" for suffix in (".zip", ".zip.sha1", ".extracted.xml")
    )
    assert sha1sum_check(folder).returncode == 0
    unzip = subprocess.run(["unzip", "-t", folder / f"{folder.name}.zip"])
    assert unzip.returncode == 0

    metadata = package.read_metadata(folder)
    assert metadata.hwm_from == 0
    assert metadata.hwm_to > 0
    assert metadata.gim_schema_version not in ("", "unknown")
    name = package.parse_folder_name(folder.name)
    assert name is not None and name.hwm == metadata.hwm_to
    assert folder.name == package.folder_name(metadata.hwm_to, metadata.max_data_ts)


def test_each_csv_has_its_checksum_and_a_header(
    infomart_dsn: str, tmp_path: Path
) -> None:
    folder = export_all(infomart_dsn, tmp_path / "out")[0]
    with zipfile.ZipFile(folder / f"{folder.name}.zip") as archive:
        names = archive.namelist()
        for entry in package.read_metadata(folder).tables:
            data = archive.read(entry.file)
            digest, file_name = package.parse_sha1_line(
                archive.read(entry.file + ".sha1")
            )
            assert file_name == entry.file
            assert digest == entry.sha1 == __import__("hashlib").sha1(data).hexdigest()
            assert data.split(b"\n", 1)[0].decode() == ",".join(entry.columns)
            assert len(csv_rows(data)) == entry.rows
    assert all(name.endswith((".csv", ".csv.sha1")) for name in names)


def test_chain_links_and_round_trip_equals_source(
    infomart_dsn: str, empty_db: str, tmp_path: Path
) -> None:
    output = tmp_path / "out"
    chain = export_all(infomart_dsn, output)
    assert len(chain) >= 3
    metadata = [package.read_metadata(folder) for folder in chain]
    for earlier, later in zip(metadata, metadata[1:], strict=False):
        assert later.hwm_from == earlier.hwm_to
        assert later.max_data_ts >= earlier.max_data_ts
        assert later.kind == "regular"

    with psycopg.connect(empty_db, autocommit=True) as conn:
        sample.apply_schema(conn)
    reload_into(empty_db, output)
    tables = exported_tables(infomart_dsn)
    assert table_differences(infomart_dsn, empty_db, tables) == {}


def test_folder_holds_exactly_the_rows_of_its_audit_keys(
    infomart_dsn: str, tmp_path: Path
) -> None:
    chain = export_all(infomart_dsn, tmp_path / "out")
    with psycopg.connect(infomart_dsn) as conn:
        tables = {t.name: t for t in list_tables(conn, "public")}
        for folder in chain:
            meta = package.read_metadata(folder)
            members = csv_members(folder)
            for name in exported_tables(infomart_dsn):
                table = tables[name]
                expected = _keys_in_range(conn, table, meta.hwm_from, meta.hwm_to)
                data = members.get(f"{name}.csv")
                found = _csv_keys(data, table.primary_key) if data else set()
                assert found == expected, f"{folder.name}: {name}"


def _keys_in_range(
    conn: psycopg.Connection[tuple[object, ...]], table: Table, low: int, high: int
) -> set[tuple[str, ...]]:
    rows = conn.execute(changed_rows_query(table, low, high)).fetchall()
    positions = [table.column_names.index(c) for c in table.primary_key]
    return {tuple(str(row[i]) for i in positions) for row in rows}


def _csv_keys(data: bytes, key: tuple[str, ...]) -> set[tuple[str, ...]]:
    return {tuple(row[c] for c in key) for row in csv_rows(data)}


def test_chunks_span_at_most_one_day_and_catch_up(
    infomart_dsn: str, tmp_path: Path
) -> None:
    chain = export_all(infomart_dsn, tmp_path / "out")
    with psycopg.connect(infomart_dsn) as conn:
        for folder in chain:
            meta = package.read_metadata(folder)
            first = conn.execute(
                "SELECT max_chunk_ts FROM ctl_audit_log WHERE audit_key > %s "
                "ORDER BY audit_key LIMIT 1",
                (meta.hwm_from,),
            ).fetchone()
            assert first is not None
            # A single key whose own data passes the day is never split.
            first_key_alone_wider = first[0] - meta.data_from_ts > DAY
            span = meta.max_data_ts - meta.data_from_ts
            assert span <= DAY or first_key_alone_wider, folder.name
    first, last = package.read_metadata(chain[0]), package.read_metadata(chain[-1])
    assert last.max_data_ts - first.data_from_ts > 3 * DAY


def test_one_run_writes_one_folder_unless_catching_up(
    infomart_dsn: str, tmp_path: Path
) -> None:
    settings = settings_for(infomart_dsn, tmp_path / "out")
    first = export(settings)
    assert len(first.folders) == 1 and first.waiting_keys > 0
    second = export(settings)
    assert len(second.folders) == 1
    assert second.folders[0].metadata.hwm_from == first.folders[0].metadata.hwm_to


def test_open_batch_below_a_newer_key_is_not_lost(
    infomart_dsn: str, empty_db: str, tmp_path: Path
) -> None:
    output = tmp_path / "out"
    export_all(infomart_dsn, output)
    simulator = sample.EtlSimulator(infomart_dsn, seed=7)
    try:
        held = simulator.open_batch()
        later = simulator.run_batches(2)
        assert min(later) > held.audit_key

        export_all(infomart_dsn, output)
        assert read_position(output).hwm == held.audit_key - 1

        held.commit()
        export_all(infomart_dsn, output)
        assert read_position(output).hwm == max(later)
    finally:
        simulator.close()

    with psycopg.connect(empty_db, autocommit=True) as conn:
        sample.apply_schema(conn)
    reload_into(empty_db, output)
    tables = exported_tables(infomart_dsn)
    assert table_differences(infomart_dsn, empty_db, tables) == {}


def test_rolled_back_key_does_not_stop_the_stream(
    infomart_dsn: str, tmp_path: Path
) -> None:
    output = tmp_path / "out"
    export_all(infomart_dsn, output)
    simulator = sample.EtlSimulator(infomart_dsn, seed=8)
    try:
        lost = simulator.rolled_back_batch()
        later = simulator.run_batches(1)
    finally:
        simulator.close()
    assert later[0] > lost
    export_all(infomart_dsn, output)
    assert read_position(output).hwm == later[0]


def test_values_do_not_depend_on_server_settings(
    infomart_dsn: str, tmp_path: Path
) -> None:
    plain = export_all(infomart_dsn, tmp_path / "plain")
    with psycopg.connect(infomart_dsn, autocommit=True) as conn:
        database = conn.info.dbname
        for setting, value in (
            ("DateStyle", "SQL, DMY"),
            ("TimeZone", "Asia/Tokyo"),
            ("extra_float_digits", "-3"),
            ("IntervalStyle", "sql_standard"),
        ):
            conn.execute(f"ALTER DATABASE \"{database}\" SET {setting} = '{value}'")
    odd = export_all(infomart_dsn, tmp_path / "odd")
    assert [f.name for f in plain] == [f.name for f in odd]
    for one, other in zip(plain, odd, strict=True):
        assert csv_members(one) == csv_members(other)


def test_table_choice_leaves_out_aggregates_control_staging_and_internal(
    infomart_dsn: str, tmp_path: Path
) -> None:
    chain = export_all(infomart_dsn, tmp_path / "out")
    exported = {name for folder in chain for name in csv_members(folder)}
    assert {"interaction_resource_fact.csv", "gidb_gc_group.csv"} <= exported
    assert "user_data_cust_dim_1.csv" in exported
    assert not any(
        name.startswith(("ag2_", "agt_", "ctl_", "stg_", "gidb_g_"))
        for name in exported
    )


def test_include_and_exclude_patterns(infomart_dsn: str, tmp_path: Path) -> None:
    chain = export_all(
        infomart_dsn,
        tmp_path / "out",
        include=("interaction_*", "resource_*"),
        exclude=("interaction_descriptor",),
    )
    exported = {name for folder in chain for name in csv_members(folder)}
    assert exported == {
        "interaction_fact.csv",
        "interaction_resource_fact.csv",
        "interaction_type.csv",
        "resource_.csv",
        "resource_group_fact_.csv",
        "resource_state.csv",
    }


def test_second_export_of_one_directory_is_refused(
    infomart_dsn: str, tmp_path: Path
) -> None:
    output = tmp_path / "out"
    settings = settings_for(infomart_dsn, output)
    with locks.output_lock(output), pytest.raises(ExportAlreadyRunning):
        export(settings)
    assert folders(output) == []


def test_utf16_output_has_one_bom_per_file(infomart_dsn: str, tmp_path: Path) -> None:
    folder = export_all(infomart_dsn, tmp_path / "out", output_files_encoding="utf-16")[
        0
    ]
    for name, data in csv_members(folder).items():
        assert data[:2] in (b"\xff\xfe", b"\xfe\xff"), name
        assert data.count(b"\xff\xfe") + data.count(b"\xfe\xff") >= 1
        text = data.decode("utf-16")
        assert "\ufeff" not in text, name


def test_character_outside_the_encoding_stops_the_run(
    infomart_dsn: str, tmp_path: Path
) -> None:
    output = tmp_path / "out"
    settings = settings_for(infomart_dsn, output, output_files_encoding="latin-1")
    with pytest.raises(EncodingFailure) as caught:
        export(settings, catch_up=True)
    message = str(caught.value)
    assert "'latin-1' cannot represent" in message
    assert "=" in message.split(" at ", 1)[1]
    assert folders(output) == []
    assert read_position(output).hwm == 0
    assert not any((output / ".gim" / "staging").iterdir())


def test_a_failing_table_cancels_the_table_read_beside_it(
    infomart_dsn: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # resource_ holds names latin-1 cannot write, and fails at its first
    # block; zz_wide, read beside it, is 200 MiB of CSV.
    with psycopg.connect(infomart_dsn, autocommit=True) as conn:
        row = conn.execute("SELECT min(audit_key) FROM ctl_audit_log").fetchone()
        conn.execute(
            "CREATE TABLE zz_wide (id bigint PRIMARY KEY, text text, "
            "create_audit_key numeric(19))"
        )
        conn.execute(
            "INSERT INTO zz_wide SELECT g, repeat('x', 200), %s "
            "FROM generate_series(1, 1000000) AS g",
            row,
        )
    settings = settings_for(
        infomart_dsn,
        tmp_path / "out",
        output_files_encoding="latin-1",
        include=("resource_", "zz_wide"),
        thread_pool_size=2,
    )
    caplog.set_level(logging.INFO, logger="gim_export")

    with pytest.raises(EncodingFailure, match="resource_"):
        export(settings)

    assert "exported 1000000 rows of zz_wide" not in caplog.text
    assert folders(tmp_path / "out") == []
    with psycopg.connect(infomart_dsn) as conn:
        running = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND state = 'active' AND pid <> pg_backend_pid()"
        ).fetchone()
    assert running == (0,)


def test_lost_connection_is_retried_from_the_chunk_start(
    infomart_dsn: str, empty_db: str, tmp_path: Path
) -> None:
    output = tmp_path / "out"

    class KillOnce:
        killed = False

        def start(
            self, task: str, total: int | None = None, unit: str = "rows"
        ) -> None:
            pass

        def advance(self, task: str, amount: int) -> None:
            if not self.killed:
                self.killed = True
                with psycopg.connect(infomart_dsn, autocommit=True) as conn:
                    conn.execute(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE application_name = 'gimexport export'"
                    )

        def finish(self, task: str) -> None:
            pass

    progress = KillOnce()
    settings = settings_for(infomart_dsn, output, max_retries=2)
    run = export(settings, progress, catch_up=True, gap_wait_seconds=0.2)
    assert progress.killed
    assert run.caught_up
    for folder in folders(output):
        assert sha1sum_check(folder).returncode == 0

    with psycopg.connect(empty_db, autocommit=True) as conn:
        sample.apply_schema(conn)
    reload_into(empty_db, output)
    assert (
        table_differences(infomart_dsn, empty_db, exported_tables(infomart_dsn)) == {}
    )


def test_state_lagging_behind_a_published_folder_is_repaired(
    infomart_dsn: str, tmp_path: Path
) -> None:
    output = tmp_path / "out"
    settings = settings_for(infomart_dsn, output)
    export(settings)
    state_file = output / ".gim" / "state.toml"
    before = state_file.read_bytes()
    second = export(settings).folders[0]

    # What a run killed between publishing and writing its state leaves:
    state_file.write_bytes(before)
    third = export(settings).folders[0]
    assert third.metadata.hwm_from == second.metadata.hwm_to
    assert len(folders(output)) == 3


def test_killed_runs_leave_no_half_folder(
    infomart_dsn: str, empty_db: str, tmp_path: Path
) -> None:
    output = tmp_path / "out"
    config = tmp_path / "gimexport.toml"
    config.write_text(
        f'[gim-export]\noutput-directory = "{output}"\nretry-delay-seconds = 0\n'
        "chunk-size-seconds = 7200\n"
        f'[infomart]\nconnection = "{infomart_dsn}"\n',
        encoding="utf-8",
    )
    command = [
        sys.executable,
        "-m",
        "gim_export",
        "--config",
        str(config),
        "-q",
        "export",
        "--catch-up",
    ]
    staging = output / ".gim" / "staging"
    kills = 0
    for grace in (0.0, 0.01, 0.03, 0.06, 0.1, 0.2):
        kills += kill_while_writing(command, staging, grace)
        for folder in folders(output):
            assert sha1sum_check(folder).returncode == 0, folder.name
        if output.is_dir():
            entries = sorted(e.name for e in output.iterdir() if e.name != ".gim")
            assert entries == sorted(f.name for f in folders(output))
        position = read_position(output)
        published = [package.read_metadata(f).hwm_to for f in folders(output)]
        assert position.hwm in (0, *published)

    assert kills >= 4
    assert folders(output), "no run got as far as publishing a folder"
    subprocess.run(command, check=True)
    chain = [package.read_metadata(f) for f in folders(output)]
    for earlier, later in zip(chain, chain[1:], strict=False):
        assert later.hwm_from == earlier.hwm_to
    with psycopg.connect(empty_db, autocommit=True) as conn:
        sample.apply_schema(conn)
    reload_into(empty_db, output)
    assert (
        table_differences(infomart_dsn, empty_db, exported_tables(infomart_dsn)) == {}
    )


@pytest.mark.parametrize("threads", [1, 4], ids=["one-connection", "four-connections"])
def test_one_snapshot_for_all_tables(
    infomart_dsn: str,
    pg_server: object,
    infomart_template: object,
    tmp_path: Path,
    threads: int,
) -> None:
    class CommitDuringExport:
        done = False

        def start(self, task: str, total: int | None = None, unit: str = "") -> None:
            # The snapshot is taken; no table has been read yet.
            if not self.done:
                self.done = True
                with sample.EtlSimulator(infomart_dsn, seed=5) as simulator:
                    simulator.run_batches(3, hours=30)

        def advance(self, task: str, amount: int) -> None:
            pass

        def finish(self, task: str) -> None:
            pass

    hook = CommitDuringExport()
    busy = settings_for(infomart_dsn, tmp_path / "busy", thread_pool_size=threads)
    busy_run = export(busy, hook, gap_wait_seconds=0)
    assert hook.done

    quiet_name = pg_server.create_database(  # type: ignore[attr-defined]
        "gimtest_quiet",
        template=infomart_template.dbname,  # type: ignore[attr-defined]
    )
    try:
        quiet_dsn = pg_server.dsn(quiet_name)  # type: ignore[attr-defined]
        quiet = settings_for(quiet_dsn, tmp_path / "quiet", thread_pool_size=threads)
        quiet_run = export(quiet, gap_wait_seconds=0)
    finally:
        pg_server.drop_database(quiet_name)  # type: ignore[attr-defined]

    assert busy_run.folders[0].path.name == quiet_run.folders[0].path.name
    assert csv_members(busy_run.folders[0].path) == csv_members(
        quiet_run.folders[0].path
    )


def test_parallel_and_serial_exports_write_the_same_csv(
    infomart_dsn: str, tmp_path: Path
) -> None:
    serial = export_all(infomart_dsn, tmp_path / "serial", thread_pool_size=1)
    parallel = export_all(infomart_dsn, tmp_path / "parallel", thread_pool_size=3)
    assert [f.name for f in serial] == [f.name for f in parallel]
    for one, other in zip(serial, parallel, strict=True):
        assert csv_members(one) == csv_members(other)
        assert sha1sum_check(other).returncode == 0
