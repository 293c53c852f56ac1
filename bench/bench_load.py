"""How fast ``gimexport load`` merges folders, against a plain COPY, in one run.

Builds a reference Info Mart of about --irf-rows rows of
INTERACTION_RESOURCE_FACT over --days days, exports it in one-day folders,
creates a target with sql_scripts/update_target_gim_db.sql, then times, in
turn and --runs times each, on the same folders:

- copy: every CSV streamed out of its zip into ``COPY ... FROM STDIN (FORMAT
  csv)`` straight into an empty table like the target's but without its
  primary key (rows updated later come twice), one transaction per folder:
  the floor of getting the rows in;
- load: ``load()`` into the emptied target: verify, COPY into a temporary
  table, deduplicate, INSERT ... ON CONFLICT, ledger;
- reload: ``load()`` again with the ledger emptied, so that every row meets
  its twin already stored and is left alone: the cost of the conflict path.

Every run starts from emptied tables (TRUNCATE) and warm files. It prints
medians of wall time and rows per second and the ratio to copy; ``--write``
puts the table in docs/performance.md under its own "load" heading.

Usage::

    .venv/bin/python bench/bench_load.py [--irf-rows 300000] [--days 2]
        [--runs 3] [--server "host=127.0.0.1 user=postgres dbname=postgres"]
        [--write]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import sys
import tempfile
import textwrap
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import psycopg
from psycopg import conninfo as pg_conninfo
from psycopg import sql

from gim_export import package, target
from gim_export.config import Settings
from gim_export.exporter import export
from gim_export.load import LEDGER_TABLE, load
from gim_export.sample import SampleSpec, build_infomart

ROOT = Path(__file__).resolve().parent.parent
PERFORMANCE = ROOT / "docs" / "performance.md"
HEADING = "## load"
SOURCE_DB = "gimexport_bench_load_source"
TARGET_DB = "gimexport_bench_load_target"
IRF_ROWS_PER_SCALE = 280  # a weekday, see gim_export/sample.py
BLOCK = 1024 * 1024
# Where the plain COPY goes: the target's tables without their keys, since
# rows updated later come twice in the stream.
PLAIN_SCHEMA = "plain"


def fresh_database(server: str, name: str) -> str:
    """Drop and create a database of this bench; return its DSN."""
    with psycopg.connect(server, autocommit=True) as conn:
        ident = sql.Identifier(name)
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(ident))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(ident))
    params = pg_conninfo.conninfo_to_dict(server)
    params["dbname"] = name
    return pg_conninfo.make_conninfo("", **params)


def drop_databases(server: str) -> None:
    """Drop the databases of this bench."""
    with psycopg.connect(server, autocommit=True) as conn:
        for name in (SOURCE_DB, TARGET_DB):
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                    sql.Identifier(name)
                )
            )


def build(server: str, irf_rows: int, days: int, output: Path) -> str:
    """Fill the source Info Mart and export it; return the source DSN."""
    source = fresh_database(server, SOURCE_DB)
    spec = SampleSpec(
        seed=1,
        start=dt.date(2026, 11, 2),
        days=days,
        scale=irf_rows / days / IRF_ROWS_PER_SCALE,
    )
    started = time.perf_counter()
    summary = build_infomart(source, spec)
    irf = summary.rows["interaction_resource_fact"]
    took = time.perf_counter() - started
    print(f"built {irf:,} IRF rows in {took:.1f} s", file=sys.stderr)
    settings = Settings(connection=source, output_directory=output)
    export(settings, catch_up=True, gap_wait_seconds=0.2)
    return source


def create_target(server: str) -> str:
    """The target made by the shipped script, and keyless twins of its tables."""
    dsn = fresh_database(server, TARGET_DB)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(target.shipped_script().encode())
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(PLAIN_SCHEMA)))
        for name in _tables(conn, "public"):
            conn.execute(
                sql.SQL("CREATE TABLE {} (LIKE {})").format(
                    sql.Identifier(PLAIN_SCHEMA, name), sql.Identifier(name)
                )
            )
    return dsn


def _tables(conn: psycopg.Connection[tuple[object, ...]], schema: str) -> list[str]:
    rows = conn.execute(
        "SELECT relname FROM pg_class c JOIN pg_namespace n "
        "ON n.oid = c.relnamespace WHERE n.nspname = %s "
        "AND c.relkind IN ('r', 'p') AND NOT c.relispartition",
        (schema,),
    ).fetchall()
    return [str(name) for (name,) in rows]


def empty_target(dsn: str) -> None:
    """Remove every row of the target, its ledger and the keyless twins."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        for schema in ("public", PLAIN_SCHEMA):
            names = _tables(conn, schema)
            tables = sql.SQL(", ").join(sql.Identifier(schema, n) for n in names)
            if names:
                conn.execute(sql.SQL("TRUNCATE {}").format(tables))


def plain_copy(dsn: str, output: Path) -> None:
    """Stream every CSV of every folder straight into its target table."""
    with psycopg.connect(dsn) as conn:
        for folder in package.export_folders(output):
            with zipfile.ZipFile(folder / f"{folder.name}.zip") as archive:
                for info in archive.infolist():
                    if not info.filename.endswith(".csv"):
                        continue
                    name = info.filename.removesuffix(".csv")
                    table = sql.Identifier(PLAIN_SCHEMA, name)
                    with archive.open(info) as member:
                        header = member.readline()
                        columns = sql.SQL(", ").join(
                            sql.Identifier(c)
                            for c in header.decode().strip().split(",")
                        )
                        statement = sql.SQL(
                            "COPY {} ({}) FROM STDIN (FORMAT csv)"
                        ).format(table, columns)
                        with conn.cursor().copy(statement) as copy:
                            while block := member.read(BLOCK):
                                copy.write(block)
            conn.commit()


def clear_ledger(dsn: str) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(sql.SQL("DELETE FROM {}").format(sql.Identifier(LEDGER_TABLE)))


def measure(dsn: str, output: Path, runs: int) -> dict[str, float]:
    """Median wall seconds of each contender, run in turn."""

    def copy() -> None:
        plain_copy(dsn, output)

    def first() -> None:
        load(output, dsn)

    def again() -> None:
        report = load(output, dsn)
        assert sum(t.inserted + t.updated for t in report.totals()) == 0

    steps: list[tuple[str, Callable[[], None], Callable[[], None]]] = [
        ("copy", lambda: empty_target(dsn), copy),
        ("load", lambda: empty_target(dsn), first),
        ("reload", lambda: clear_ledger(dsn), again),
    ]
    times: dict[str, list[float]] = {name: [] for name, _, _ in steps}
    for run in range(runs):
        for name, prepare, action in steps:
            prepare()
            started = time.perf_counter()
            action()
            times[name].append(time.perf_counter() - started)
        print(f"run {run + 1}: {_show(times)}", file=sys.stderr)
    return {name: statistics.median(values) for name, values in times.items()}


def _show(times: dict[str, list[float]]) -> str:
    return ", ".join(f"{name} {values[-1]:.2f} s" for name, values in times.items())


def sizes(output: Path) -> tuple[int, int, int, int]:
    """Folders, rows, zip bytes and CSV bytes of the export."""
    folders = package.export_folders(output)
    rows = zip_bytes = csv_bytes = 0
    for folder in folders:
        metadata = package.read_metadata(folder)
        rows += sum(entry.rows for entry in metadata.tables)
        zip_path = folder / f"{folder.name}.zip"
        zip_bytes += zip_path.stat().st_size
        with zipfile.ZipFile(zip_path) as archive:
            csv_bytes += sum(
                i.file_size for i in archive.infolist() if i.filename.endswith(".csv")
            )
    return len(folders), rows, zip_bytes, csv_bytes


def server_version(dsn: str) -> str:
    with psycopg.connect(dsn) as conn:
        row = conn.execute("SHOW server_version").fetchone()
    return str(row[0]).split()[0] if row else "?"


def section(output: Path, seconds: dict[str, float], runs: int, dsn: str) -> str:
    """The markdown section for docs/performance.md."""
    folders, rows, zip_bytes, csv_bytes = sizes(output)

    def row(label: str, key: str) -> str:
        wall = seconds[key]
        return (
            f"| {label} | {wall:.2f} s | {rows / wall:,.0f} | "
            f"{csv_bytes / 2**20 / wall:.1f} MiB/s | {wall / seconds['copy']:.2f} |"
        )

    intro = (
        f"`bench/bench_load.py`, {dt.date.today():%Y-%m-%d}: {folders} folders "
        f"exported from the reference Info Mart, {rows:,} rows in "
        f"{csv_bytes / 2**20:.0f} MiB of CSV ({zip_bytes / 2**20:.0f} MiB of "
        f"zip), loaded into a target made by update_target_gim_db.sql. Median "
        f"of {runs} runs each, in turn, tables emptied before each; PostgreSQL "
        f"{server_version(dsn)} on the same machine, {os.cpu_count()} CPUs "
        f"({platform.machine()}), load average {os.getloadavg()[0]:.1f} at the "
        f"end, Python {platform.python_version()}. The ratio is the wall time "
        "over the plain COPY's; other work shared the machine, so the ratio, "
        "taken in the same run, is steadier than the seconds."
    )
    outro = (
        "copy streams each CSV out of its zip into `COPY ... FROM STDIN` on a "
        "table like the target's without its primary key (a row updated later "
        "comes twice): no verification, no merge, no ledger, no index. load "
        "adds the zip's SHA-1 and directory check, the CSV's SHA-1, the COPY "
        "into a temporary table and INSERT ... ON CONFLICT on the primary key "
        "(DISTINCT ON only when a key repeats within a CSV), so it writes "
        "every row twice and keeps an index. reload meets every row already "
        "stored with the same audit key: it compares rows and writes nothing. "
        "Run again with `.venv/bin/python bench/bench_load.py --write`."
    )
    return "\n".join(
        [
            HEADING,
            "",
            textwrap.fill(intro, 78),
            "",
            "| what | wall | rows/s | CSV/s | vs copy |",
            "| --- | ---: | ---: | ---: | ---: |",
            row("plain `COPY` into keyless empty tables", "copy"),
            row("`gimexport load` into the empty tables", "load"),
            row("`gimexport load` of the same rows again", "reload"),
            "",
            textwrap.fill(outro, 78),
            "",
        ]
    )


def write_section(text: str) -> None:
    """Replace or append the load section of docs/performance.md."""
    document = PERFORMANCE.read_text(encoding="utf-8")
    start = document.find(HEADING + "\n")
    if start < 0:
        document = document.rstrip("\n") + "\n\n" + text
    else:
        end = document.find("\n## ", start + len(HEADING))
        tail = document[end + 1 :] if end >= 0 else ""
        document = document[:start] + text + ("\n" + tail if tail else "")
    PERFORMANCE.write_text(document, encoding="utf-8")


def main() -> None:
    """Build, export, time the loads, print (and maybe write) the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--irf-rows", type=int, default=300_000)
    parser.add_argument("--days", type=int, default=2)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--server", default="host=127.0.0.1 user=postgres dbname=postgres"
    )
    parser.add_argument("--write", action="store_true", help="update the docs")
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-load-") as scratch:
        output = Path(scratch) / "out"
        try:
            build(options.server, options.irf_rows, options.days, output)
            dsn = create_target(options.server)
            seconds = measure(dsn, output, options.runs)
            text = section(output, seconds, options.runs, dsn)
        finally:
            drop_databases(options.server)
    print(text)
    if options.write:
        write_section(text)


if __name__ == "__main__":
    main()
