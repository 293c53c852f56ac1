"""Helpers the export tests share: settings, reading folders, reloading them."""

from __future__ import annotations

import csv
import io
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
from psycopg import sql

from gim_export import package
from gim_export.config import Settings
from gim_export.infomart import choose_tables, list_tables


def settings_for(dsn: str, output: Path, **changes: object) -> Settings:
    """Settings for a test export: no waiting on retries or locks."""
    base = Settings(
        connection=dsn,
        output_directory=output,
        retry_delay_seconds=0,
        maintenance_lock_wait_seconds=2,
    )
    return base.with_overrides(**changes)


def folders(output: Path) -> list[Path]:
    """The published folders, in name order."""
    return package.export_folders(output)


def csv_members(folder: Path) -> dict[str, bytes]:
    """The CSV files of a folder's zip, by file name."""
    with zipfile.ZipFile(folder / f"{folder.name}.zip") as archive:
        return {
            name: archive.read(name)
            for name in archive.namelist()
            if name.endswith(".csv")
        }


def csv_rows(data: bytes, encoding: str = "utf-8") -> list[dict[str, str]]:
    """Parse one exported CSV into dictionaries (NULL and '' both read as '')."""
    text = data.decode(encoding)
    return list(csv.DictReader(io.StringIO(text, newline="")))


def sha1sum_check(folder: Path) -> subprocess.CompletedProcess[str]:
    """Run ``sha1sum -c`` in the folder, as a receiver would."""
    return subprocess.run(
        ["sha1sum", "-c", f"{folder.name}.zip.sha1"],
        cwd=folder,
        capture_output=True,
        text=True,
    )


def exported_tables(dsn: str) -> list[str]:
    """Names of the tables an export of this Info Mart reads."""
    with psycopg.connect(dsn) as conn:
        return [
            t.name for t in choose_tables(list_tables(conn, "public"), ["*"], []).tables
        ]


def reload_into(target_dsn: str, output: Path) -> None:
    """Load every CSV of every folder, in name order, merging by primary key.

    Each CSV goes through PostgreSQL's own ``COPY ... FROM (FORMAT csv)`` into
    a temporary table, then replaces the target rows with the same key.
    """
    with psycopg.connect(target_dsn, autocommit=True) as conn:
        catalog = {t.name: t for t in list_tables(conn, "public")}
        for folder in folders(output):
            for file_name, data in sorted(csv_members(folder).items()):
                table = catalog[file_name.removesuffix(".csv")]
                _merge(conn, table.name, table.primary_key, data)


def _merge(
    conn: psycopg.Connection[tuple[object, ...]],
    table: str,
    key: tuple[str, ...],
    data: bytes,
) -> None:
    header = data.split(b"\n", 1)[0].decode()
    columns = [sql.Identifier(c) for c in header.split(",")]
    with conn.transaction():
        conn.execute(
            sql.SQL(
                "CREATE TEMP TABLE incoming ON COMMIT DROP AS "
                "SELECT * FROM {} WITH NO DATA"
            ).format(sql.Identifier(table))
        )
        with conn.cursor().copy(
            sql.SQL(
                "COPY incoming ({}) FROM STDIN WITH (FORMAT csv, HEADER true)"
            ).format(sql.SQL(", ").join(columns))
        ) as copy:
            copy.write(data)
        conn.execute(
            sql.SQL("DELETE FROM {} t USING incoming i WHERE {}").format(
                sql.Identifier(table),
                sql.SQL(" AND ").join(
                    sql.SQL("t.{c} = i.{c}").format(c=sql.Identifier(c)) for c in key
                ),
            )
        )
        conn.execute(
            sql.SQL("INSERT INTO {} ({}) SELECT {} FROM incoming").format(
                sql.Identifier(table),
                sql.SQL(", ").join(columns),
                sql.SQL(", ").join(columns),
            )
        )


def table_differences(
    source_dsn: str, target_dsn: str, tables: list[str]
) -> dict[str, int]:
    """Rows that differ between two databases, per table (empty when equal)."""
    differences = {}
    for table in tables:
        source = set(_rows(source_dsn, table))
        target = set(_rows(target_dsn, table))
        if source != target:
            differences[table] = len(source ^ target)
    return differences


def _rows(dsn: str, table: str) -> Iterator[tuple[object, ...]]:
    with psycopg.connect(dsn) as conn:
        query = sql.SQL("SELECT * FROM {}").format(sql.Identifier(table))
        yield from conn.execute(query).fetchall()
