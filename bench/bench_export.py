"""Export speed and memory beside a psql + sha1sum + zip baseline, in one run.

Builds a reference Info Mart of one weekday (about --irf-rows rows of
INTERACTION_RESOURCE_FACT) on a PostgreSQL server, then times, each
--repeat times on the same data:

- gimexport: one `gimexport export` (one full-day folder), as a process;
- baseline: `psql \\copy (same query) to FILE` per table, `sha1sum` of the
  files and `zip -6` of them, as a user would script it;
- raw COPY: `psql \\copy (same query) to /dev/null`, the database's limit.

It prints medians of wall time, rows and MB per second, peak memory (max RSS
of the processes) and the ratios. Usage:

    python bench/bench_export.py [--irf-rows 1000000] [--repeat 3]
        [--server "host=127.0.0.1 user=postgres dbname=postgres"]
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg
from psycopg import conninfo as pg_conninfo
from psycopg import sql

from gim_export import package
from gim_export.exporter import changed_rows_query
from gim_export.infomart import choose_tables, list_tables
from gim_export.sample import SampleSpec, build_infomart

DATABASE = "gimexport_bench"
IRF_ROWS_PER_SCALE = 280  # a weekday, see gim_export/sample.py


def run_measured(command: list[str], **options: object) -> tuple[float, int]:
    """Run a command; return its wall time and peak RSS in bytes.

    GNU time starts the command and reports its peak RSS: a child forked
    from this process would start with this process's RSS as its peak.
    """
    with tempfile.TemporaryDirectory(prefix="gimexport-measure-") as scratch:
        report = Path(scratch) / "time"
        timed = ["/usr/bin/time", "-f", "%M", "-o", str(report), *command]
        start = time.perf_counter()
        process = subprocess.Popen(timed, **options)  # type: ignore[call-overload]
        status = process.wait()
        elapsed = time.perf_counter() - start
        if status != 0:
            raise SystemExit(f"{command[0]} failed with status {status}")
        peak_kib = int(report.read_text(encoding="utf-8").split()[-1])
    return elapsed, peak_kib * 1024


def build(server: str, irf_rows: int) -> str:
    """Create and fill the bench database; return its DSN."""
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(DATABASE)
            )
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DATABASE)))
    params = pg_conninfo.conninfo_to_dict(server)
    params["dbname"] = DATABASE
    dsn = pg_conninfo.make_conninfo("", **params)
    spec = SampleSpec(
        seed=1,
        start=dt.date(2026, 11, 2),
        days=1,
        scale=irf_rows / IRF_ROWS_PER_SCALE,
    )
    started = time.perf_counter()
    summary = build_infomart(dsn, spec)
    took = time.perf_counter() - started
    irf = summary.rows["interaction_resource_fact"]
    print(f"built {irf:,} IRF rows in {took:.1f} s ({irf / took:,.0f} rows/s)")
    return dsn


def gimexport_once(dsn: str, work: Path) -> tuple[float, int, Path]:
    """One export of the first chunk into a fresh output directory."""
    output = work / "out"
    shutil.rmtree(output, ignore_errors=True)
    config = work / "gimexport.toml"
    config.write_text(
        f'[gim-export]\noutput-directory = "{output}"\n'
        f'[infomart]\nconnection = "{dsn}"\n',
        encoding="utf-8",
    )
    command = [sys.executable, "-m", "gim_export", "--config", str(config), "-q"]
    elapsed, peak = run_measured([*command, "export"])
    return elapsed, peak, package.export_folders(output)[0]


def queries(dsn: str, folder: Path) -> dict[str, str]:
    """The SELECT gimexport ran for each table of the folder."""
    metadata = package.read_metadata(folder)
    exported = {entry.name for entry in metadata.tables}
    with psycopg.connect(dsn) as conn:
        tables = choose_tables(list_tables(conn, "public"), ["*"], []).tables
        return {
            table.name: changed_rows_query(
                table, metadata.hwm_from, metadata.hwm_to
            ).as_string(conn)
            for table in tables
            if table.name in exported
        }


def baseline_once(
    dsn: str, selects: dict[str, str], work: Path
) -> tuple[float, int, int, int]:
    """psql \\copy of each query to a file, then sha1sum and zip -6.

    Returns wall time, peak RSS, zip size and CSV bytes.
    """
    files = work / "baseline"
    shutil.rmtree(files, ignore_errors=True)
    files.mkdir()
    total, peak = 0.0, 0
    for name, select in selects.items():
        target = files / f"{name}.csv"
        copy = f"\\copy ({select}) to '{target}' with (format csv, header)"
        elapsed, rss = run_measured(["psql", "-q", "-X", dsn, "-c", copy])
        total, peak = total + elapsed, max(peak, rss)
    csvs = sorted(str(p) for p in files.glob("*.csv"))
    csv_bytes = sum(Path(p).stat().st_size for p in csvs)
    elapsed, rss = run_measured(["sha1sum", *csvs], stdout=subprocess.DEVNULL)
    total, peak = total + elapsed, max(peak, rss)
    archive = files / "baseline.zip"
    elapsed, rss = run_measured(["zip", "-q", "-6", "-j", str(archive), *csvs])
    return total + elapsed, max(peak, rss), archive.stat().st_size, csv_bytes


def raw_copy_once(dsn: str, selects: dict[str, str]) -> tuple[float, int]:
    """psql \\copy of each query to /dev/null: what the server can deliver."""
    total, peak = 0.0, 0
    for select in selects.values():
        copy = f"\\copy ({select}) to '/dev/null' with (format csv, header)"
        elapsed, rss = run_measured(["psql", "-q", "-X", dsn, "-c", copy])
        total, peak = total + elapsed, max(peak, rss)
    return total, peak


def main() -> None:
    """Build, measure side by side, print the comparison."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--irf-rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--server", default="host=127.0.0.1 port=5432 user=postgres dbname=postgres"
    )
    parser.add_argument("--reuse", action="store_true", help="keep the built data")
    args = parser.parse_args()

    if args.reuse:
        params = pg_conninfo.conninfo_to_dict(args.server)
        params["dbname"] = DATABASE
        dsn = pg_conninfo.make_conninfo("", **params)
    else:
        dsn = build(args.server, args.irf_rows)

    with tempfile.TemporaryDirectory(prefix="gimexport-bench-") as scratch:
        work = Path(scratch)
        results: dict[str, list[tuple[float, int]]] = {
            "gimexport": [],
            "psql+sha1sum+zip": [],
            "raw COPY": [],
        }
        sizes: dict[str, int] = {}
        for _ in range(args.repeat):
            elapsed, peak, folder = gimexport_once(dsn, work)
            results["gimexport"].append((elapsed, peak))
            sizes["gimexport"] = (folder / f"{folder.name}.zip").stat().st_size
            selects = queries(dsn, folder)
            elapsed, peak, size, csv_bytes = baseline_once(dsn, selects, work)
            results["psql+sha1sum+zip"].append((elapsed, peak))
            sizes["psql+sha1sum+zip"] = size
            results["raw COPY"].append(raw_copy_once(dsn, selects))
        metadata = package.read_metadata(folder)

    rows = sum(entry.rows for entry in metadata.tables)
    print(
        f"\none full-day folder: {rows:,} rows, {csv_bytes / 2**20:,.0f} MiB of CSV "
        f"in {len(metadata.tables)} tables; medians of {args.repeat} runs"
    )
    print(
        f"{'method':<18}{'wall s':>9}{'rows/s':>12}{'MiB/s':>8}{'peak MiB':>10}"
        f"{'zip MiB':>9}"
    )
    medians = {}
    for method, runs in results.items():
        wall = statistics.median(r[0] for r in runs)
        peak = max(r[1] for r in runs)
        medians[method] = wall
        zip_size = sizes.get(method)
        zip_text = "" if zip_size is None else f"{zip_size / 2**20:.1f}"
        print(
            f"{method:<18}{wall:>9.2f}{rows / wall:>12,.0f}"
            f"{csv_bytes / 2**20 / wall:>8.0f}{peak / 2**20:>10.0f}{zip_text:>9}"
        )
    print(
        f"\ngimexport / raw COPY: {medians['gimexport'] / medians['raw COPY']:.2f}x"
        f"   baseline / gimexport: "
        f"{medians['psql+sha1sum+zip'] / medians['gimexport']:.2f}x faster"
        f"   zip size vs zip -6: "
        f"{sizes['gimexport'] / sizes['psql+sha1sum+zip'] - 1:+.1%}"
    )


if __name__ == "__main__":
    main()
