"""gimexport beside psql + zip + sha1sum, raw COPY and dlt, at ten million rows.

Builds one reference Info Mart of a full weekday (about --irf-rows rows of
INTERACTION_RESOURCE_FACT, ten million by default) and exports its one-day
folder, then times, --repeat times each and in turn (the order rotates every
round, so that noise and a warm page cache reach every method alike):

- gimexport: one ``gimexport export`` process, thread-pool-size 4;
- psql+sha1sum+zip: one psql session running ``\\copy (same query) to FILE``
  for every table, then ``sha1sum`` and ``zip -6`` of the files, as a user
  would script it;
- raw COPY: the same psql session with ``COPY (same query) TO STDOUT`` into
  /dev/null, what the server can deliver;
- dlt: dlt's ``sql_database`` source (pyarrow backend) over the same tables
  and rows into its ``filesystem`` destination as CSV, from a virtual
  environment of its own, bench/.venv-dlt, which this script makes.

Each method runs as a child of GNU time (``/usr/bin/time -f %M``): a small
parent, so that the peak RSS reported for the child (the largest process of
its tree) is its own and not that of this Python process, which a forked
child would inherit. It prints medians of wall time, rows per second, the
highest peak RSS and the ratios to gimexport; then gimexport's peak RSS on an
Info Mart of --memory-irf-rows rows, to show that memory does not grow with
the data. ``--write`` puts the figures in docs/performance.md.

Usage::

    .venv/bin/python bench/bench_compare.py [--irf-rows 10000000] [--repeat 3]
        [--memory-irf-rows 1000000] [--reuse] [--no-dlt] [--write]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import psycopg
from psycopg import conninfo as pg_conninfo
from psycopg import sql

from gim_export import package
from gim_export.exporter import changed_rows_query
from gim_export.infomart import choose_tables, list_tables
from gim_export.sample import SampleSpec, build_infomart

ROOT = Path(__file__).resolve().parent.parent
PERFORMANCE = ROOT / "docs" / "performance.md"
EXPORT_HEADING = "## export"
SUBSECTION = "### Ten million rows, and dlt"
DLT_VENV = ROOT / "bench" / ".venv-dlt"
# pip before 23.3 does not normalise extras, and dlt names this one with a
# hyphen; its documentation writes dlt[sql_database].
DLT_REQUIREMENT = "dlt[sql-database,postgres,parquet]"
GNU_TIME = "/usr/bin/time"
IRF_ROWS_PER_SCALE = 280  # a weekday, see gim_export/sample.py
THREAD_POOL_SIZE = 4
GIMEXPORT = "gimexport"
BASELINE = "psql+sha1sum+zip"
RAW_COPY = "raw COPY"
DLT = "dlt"

# Run by bench/.venv-dlt/bin/python with one JSON argument: dlt reads the
# same rows as gimexport (the same WHERE per table) and writes CSV files.
# Telemetry is off (RUNTIME__DLTHUB_TELEMETRY in the environment), so dlt
# talks to the database only.
DLT_PROGRAM = """
import json, sys
import dlt
import sqlalchemy
from dlt.sources.sql_database import sql_database

job = json.loads(sys.argv[1])
conditions = job["conditions"]

def changed_rows(query, table, incremental=None, engine=None):
    return query.where(sqlalchemy.text(conditions[table.name]))

source = sql_database(
    credentials=job["url"],
    schema="public",
    table_names=sorted(conditions),
    backend=job["backend"],
    query_adapter_callback=changed_rows,
)
pipeline = dlt.pipeline(
    pipeline_name="gimexport_bench",
    pipelines_dir=job["pipelines_dir"],
    destination=dlt.destinations.filesystem(job["bucket_url"]),
    dataset_name="infomart",
)
pipeline.run(source, loader_file_format="csv")
counts = pipeline.last_trace.last_normalize_info.row_counts
print(json.dumps({name: int(rows) for name, rows in counts.items()}))
"""


class BenchFailed(Exception):
    """A measured command failed."""


@dataclass(frozen=True)
class Measured:
    """One run of one method."""

    wall: float
    peak: int  # bytes, of the largest process of the tree
    output: int | None = None  # bytes of the files written (compressed)
    rows: int | None = None  # rows written, where the method tells
    csv: int | None = None  # bytes of CSV, where the method keeps them


@dataclass(frozen=True)
class Setup:
    """What every method needs to export the same folder."""

    dsn: str
    work: Path
    selects: dict[str, str]
    gimexport_config: Path
    dlt_python: Path | None
    dlt_backend: str


@dataclass(frozen=True)
class Summary:
    """The medians of one method."""

    wall: float
    peak: int
    output: int | None


def dsn_of(server: str, database: str) -> str:
    """The DSN of ``database`` on the server of ``server``."""
    params = pg_conninfo.conninfo_to_dict(server)
    params["dbname"] = database
    return pg_conninfo.make_conninfo("", **params)


def database_name(irf_rows: int) -> str:
    """The bench database for an Info Mart of ``irf_rows`` IRF rows."""
    if irf_rows % 1_000_000 == 0:
        return f"gimexport_bench{irf_rows // 1_000_000}m"
    return f"gimexport_bench{irf_rows}"


class PrintedProgress:
    """Progress of the sample build, one line every few batches."""

    def __init__(self, label: str) -> None:
        self._label = label
        self._started = time.perf_counter()
        self._total: int | None = None
        self._done = 0

    def start(self, task: str, total: int | None = None, unit: str = "rows") -> None:
        """Note the size of the build."""
        self._total = total

    def advance(self, task: str, amount: int) -> None:
        """Print how far the build is."""
        self._done += amount
        elapsed = time.perf_counter() - self._started
        print(
            f"  {self._label}: batch {self._done} of {self._total}, {elapsed:.0f} s",
            flush=True,
        )

    def finish(self, task: str) -> None:
        """Print that the batches are written (statistics follow)."""
        print(f"  {self._label}: batches written, analysing", flush=True)


def database_exists(server: str, database: str) -> bool:
    """Whether the server has ``database``."""
    with psycopg.connect(server, autocommit=True) as conn:
        row = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (database,)
        ).fetchone()
    return row is not None


def drop_database(server: str, database: str) -> None:
    """Drop a bench database if it is there."""
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(database)
            )
        )


def build(server: str, irf_rows: int) -> str:
    """Create and fill the Info Mart of ``irf_rows`` IRF rows; return its DSN."""
    database = database_name(irf_rows)
    drop_database(server, database)
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
    dsn = dsn_of(server, database)
    spec = SampleSpec(
        seed=1,
        start=dt.date(2026, 11, 2),
        days=1,
        scale=irf_rows / IRF_ROWS_PER_SCALE,
    )
    print(f"building {database} ({irf_rows:,} IRF rows)", flush=True)
    started = time.perf_counter()
    summary = build_infomart(dsn, spec, PrintedProgress(database))
    took = time.perf_counter() - started
    irf = summary.rows["interaction_resource_fact"]
    print(f"built {irf:,} IRF rows in {took:.0f} s", flush=True)
    return dsn


def infomart(server: str, irf_rows: int, reuse: bool) -> str:
    """The DSN of the Info Mart, built unless ``reuse`` finds it there."""
    database = database_name(irf_rows)
    if reuse and database_exists(server, database):
        print(f"reusing {database}", flush=True)
        return dsn_of(server, database)
    return build(server, irf_rows)


def run_measured(
    command: list[str],
    *,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    stdout: Path | None = None,
) -> Measured:
    """Run ``command`` under GNU time; return its wall time and peak RSS."""
    with tempfile.TemporaryDirectory(prefix="gimexport-measure-") as scratch:
        report = Path(scratch) / "time"
        errors = Path(scratch) / "stderr"
        out_path = stdout or Path(os.devnull)
        timed = [GNU_TIME, "-f", "%M", "-o", str(report), *command]
        with open(out_path, "wb") as out, open(errors, "wb") as err:
            started = time.perf_counter()
            status = subprocess.run(
                timed, env=env, cwd=cwd, stdout=out, stderr=err, check=False
            ).returncode
            wall = time.perf_counter() - started
        if status != 0:
            tail = errors.read_text(encoding="utf-8", errors="replace")[-2000:]
            raise BenchFailed(f"{command[0]} exited with {status}:\n{tail}")
        peak_kib = int(report.read_text(encoding="utf-8").split()[-1])
    return Measured(wall, peak_kib * 1024)


def write_gimexport_config(dsn: str, work: Path) -> Path:
    """A configuration exporting into ``work/out`` with thread-pool-size 4."""
    config = work / "gimexport.toml"
    config.write_text(
        "[gim-export]\n"
        f'output-directory = "{work / "out"}"\n'
        f"thread-pool-size = {THREAD_POOL_SIZE}\n"
        "[infomart]\n"
        f'connection = "{dsn}"\n',
        encoding="utf-8",
    )
    return config


def export_once(config: Path, output: Path) -> tuple[Measured, Path]:
    """One ``gimexport export`` into a fresh output directory."""
    shutil.rmtree(output, ignore_errors=True)
    command = [sys.executable, "-m", "gim_export", "--config", str(config), "-q"]
    measured = run_measured([*command, "export"])
    folder = package.export_folders(output)[0]
    size = (folder / f"{folder.name}.zip").stat().st_size
    return Measured(measured.wall, measured.peak, size), folder


def run_gimexport(setup: Setup) -> Measured:
    """gimexport, its output removed afterwards."""
    output = setup.work / "out"
    measured, _ = export_once(setup.gimexport_config, output)
    shutil.rmtree(output, ignore_errors=True)
    return measured


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


def run_baseline(setup: Setup) -> Measured:
    """psql ``\\copy`` of every query to a file, then sha1sum and zip -6."""
    files = setup.work / "baseline"
    shutil.rmtree(files, ignore_errors=True)
    files.mkdir()
    script = files / "copy.sql"
    csvs = [files / f"{name}.csv" for name in setup.selects]
    lines = [
        f"\\copy ({select}) to '{target}' with (format csv, header)"
        for select, target in zip(setup.selects.values(), csvs, strict=True)
    ]
    script.write_text("\n".join(lines) + "\n", encoding="utf-8")
    archive = files / "export.zip"
    shell = (
        'psql -X -q -v ON_ERROR_STOP=1 -d "$1" -f "$2" && shift 3 && '
        'sha1sum "$@" > "$ARCHIVE.sha1" && zip -q -6 -j "$ARCHIVE" "$@"'
    )
    command = ["bash", "-c", shell, "baseline", setup.dsn, str(script), "-"]
    env = {**os.environ, "ARCHIVE": str(archive)}
    measured = run_measured([*command, *map(str, csvs)], env=env)
    size = archive.stat().st_size
    written = sum(path.stat().st_size for path in csvs)
    shutil.rmtree(files, ignore_errors=True)
    return Measured(measured.wall, measured.peak, size, csv=written)


def run_raw_copy(setup: Setup) -> Measured:
    """``COPY (query) TO STDOUT`` for every table, into /dev/null."""
    script = setup.work / "raw.sql"
    script.write_text(
        "\n".join(
            f"COPY ({select}) TO STDOUT WITH (FORMAT csv, HEADER true);"
            for select in setup.selects.values()
        )
        + "\n",
        encoding="utf-8",
    )
    command = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", setup.dsn]
    return run_measured([*command, "-f", str(script)])


def prepare_dlt(python: str) -> Path | None:
    """Make bench/.venv-dlt with dlt in it; None, said plainly, if that fails."""
    dlt_python = DLT_VENV / "bin" / "python"
    check = [str(dlt_python), "-c", "import dlt, sqlalchemy, pyarrow, psycopg2"]
    if dlt_python.exists() and _succeeds(check):
        return dlt_python
    print(f"installing {DLT_REQUIREMENT} into {DLT_VENV}", flush=True)
    steps = [
        [python, "-m", "venv", str(DLT_VENV)],
        [str(dlt_python), "-m", "pip", "install", "-q", DLT_REQUIREMENT],
    ]
    for step in steps:
        result = subprocess.run(step, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            print(
                f"dlt is left out: `{' '.join(step)}` failed:\n"
                f"{result.stderr.strip()[-1500:]}",
                flush=True,
            )
            return None
    if not _succeeds(check):
        print("dlt is left out: it installed but does not import", flush=True)
        return None
    return dlt_python


def _succeeds(command: list[str]) -> bool:
    return subprocess.run(command, capture_output=True, check=False).returncode == 0


def _sqlalchemy_url(dsn: str) -> str:
    """The SQLAlchemy URL (psycopg2 driver) of a libpq DSN."""
    params = pg_conninfo.conninfo_to_dict(dsn)
    user = params.get("user", "postgres")
    host = params.get("host", "127.0.0.1")
    port = params.get("port", "5432")
    return f"postgresql+psycopg2://{user}@{host}:{port}/{params['dbname']}"


def run_dlt(setup: Setup) -> Measured:
    """dlt's sql_database source into CSV files in a temporary directory."""
    assert setup.dlt_python is not None
    home = setup.work / "dlt"
    shutil.rmtree(home, ignore_errors=True)
    bucket = home / "files"
    bucket.mkdir(parents=True)
    job = {
        "url": _sqlalchemy_url(setup.dsn),
        "backend": setup.dlt_backend,
        "pipelines_dir": str(home / "pipelines"),
        "bucket_url": bucket.as_uri(),
        # The condition of gimexport's query, after its WHERE.
        "conditions": {
            name: select.split(" WHERE ", 1)[1]
            for name, select in setup.selects.items()
        },
    }
    env = {**os.environ, "RUNTIME__DLTHUB_TELEMETRY": "false"}
    command = [str(setup.dlt_python), "-c", DLT_PROGRAM, json.dumps(job)]
    report = home / "counts.json"
    measured = run_measured(command, env=env, cwd=home, stdout=report)
    counts = json.loads(report.read_text(encoding="utf-8").strip().splitlines()[-1])
    data = [path for path in bucket.rglob("*") if path.is_file()]
    size = sum(path.stat().st_size for path in data if "_dlt_" not in str(path))
    rows = sum(n for name, n in counts.items() if not name.startswith("_dlt"))
    shutil.rmtree(home, ignore_errors=True)
    return Measured(measured.wall, measured.peak, size, rows=rows)


METHODS: dict[str, Callable[[Setup], Measured]] = {
    GIMEXPORT: run_gimexport,
    BASELINE: run_baseline,
    RAW_COPY: run_raw_copy,
    DLT: run_dlt,
}


def measure(
    setup: Setup, methods: list[str], repeat: int, dlt_runs: int = 0
) -> tuple[dict[str, list[Measured]], list[str]]:
    """Run every method ``repeat`` times, rotating the order each round.

    dlt runs in the first ``dlt_runs`` rounds only. A failure of dlt is
    reported and dlt left out; it returns the runs and the notes of such
    failures.
    """
    runs: dict[str, list[Measured]] = {method: [] for method in methods}
    notes: list[str] = []
    for round_number in range(repeat):
        shift = round_number % len(runs)
        order = list(runs)[shift:] + list(runs)[:shift]
        for method in order:
            if method == DLT and round_number >= dlt_runs:
                continue
            try:
                measured = METHODS[method](setup)
            except BenchFailed as failure:
                if method != DLT:
                    raise
                print(f"dlt failed here and is left out: {failure}", flush=True)
                notes.append(f"dlt failed here: {str(failure).splitlines()[-1]}")
                del runs[DLT]
                continue
            runs[method].append(measured)
            output = "" if measured.output is None else f", {measured.output:,} B"
            print(
                f"  round {round_number + 1}: {method:<17} {measured.wall:8.1f} s, "
                f"peak {measured.peak / 2**20:5.0f} MiB{output}",
                flush=True,
            )
    return runs, notes


def summarise(runs: dict[str, list[Measured]]) -> dict[str, Summary]:
    """Median wall time and output; highest peak RSS."""
    summaries = {}
    for method, measured in runs.items():
        outputs = [m.output for m in measured if m.output is not None]
        summaries[method] = Summary(
            wall=statistics.median(m.wall for m in measured),
            peak=max(m.peak for m in measured),
            output=int(statistics.median(outputs)) if outputs else None,
        )
    return summaries


@dataclass(frozen=True)
class Scale:
    """gimexport beside raw COPY on an Info Mart of one size."""

    irf_rows: int
    gimexport: Summary
    raw_copy_wall: float
    dlt: Summary | None


@dataclass(frozen=True)
class Report:
    """Everything the printed table and the docs say."""

    irf_rows: int
    rows: int
    tables: int
    csv_mib: int
    repeat: int
    dlt_runs: int
    summaries: dict[str, Summary]
    scales: list[Scale]
    notes: list[str]


LABELS = {
    GIMEXPORT: f"gimexport, {THREAD_POOL_SIZE} connections",
    BASELINE: "`psql \\copy`, `sha1sum`, `zip -6`",
    RAW_COPY: "`COPY TO STDOUT` > /dev/null",
    DLT: "dlt `sql_database`, pyarrow",
}


def _mib(size: int) -> str:
    return f"{size / 2**20:,.0f} MiB"


def method_table(report: Report) -> list[str]:
    """A markdown table of the methods, with the ratios to gimexport."""
    ours = report.summaries[GIMEXPORT]
    lines = [
        "| method | wall | rows/s | / gimexport | peak RSS | output |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for method, summary in report.summaries.items():
        output = "" if summary.output is None else _mib(summary.output)
        lines.append(
            f"| {LABELS[method]} | {summary.wall:,.1f} s | "
            f"{report.rows / summary.wall:,.0f} | "
            f"{summary.wall / ours.wall:.2f}x | {_mib(summary.peak)} | {output} |"
        )
    return lines


def scale_table(report: Report) -> list[str]:
    """A markdown table of gimexport's time and memory at each size."""
    lines = [
        "| IRF rows | gimexport | / raw COPY | peak RSS | dlt / gimexport "
        "| dlt peak RSS |",
        "| ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for scale in sorted(report.scales, key=lambda scale: scale.irf_rows):
        ours = scale.gimexport
        dlt = (
            ("", "")
            if scale.dlt is None
            else (
                f"{scale.dlt.wall / ours.wall:.2f}x",
                _mib(scale.dlt.peak),
            )
        )
        lines.append(
            f"| {scale.irf_rows:,} | {ours.wall:,.1f} s | "
            f"{ours.wall / scale.raw_copy_wall:.2f}x | {_mib(ours.peak)} | "
            f"{dlt[0]} | {dlt[1]} |"
        )
    return lines


def aims(report: Report) -> list[str]:
    """The aims of the export, each with its figure and whether it is met."""
    ours = report.summaries[GIMEXPORT]
    baseline = report.summaries[BASELINE]
    to_copy = ours.wall / report.summaries[RAW_COPY].wall
    faster = baseline.wall / ours.wall
    assert ours.output is not None and baseline.output is not None
    larger = ours.output / baseline.output - 1
    peak = max(scale.gimexport.peak for scale in report.scales)
    checks = [
        (f"wall time within 1.5x of raw COPY's: {to_copy:.2f}x", to_copy <= 1.5),
        (f"at least 3x faster than the baseline: {faster:.2f}x", faster >= 3),
        (f"zip at most 10% larger than zip -6's: {larger:+.1%}", larger <= 0.10),
        (
            f"peak RSS under 200 MB at every size: {peak / 1e6:.0f} MB ({_mib(peak)})",
            peak < 200e6,
        ),
    ]
    return [f"{text}, {'met' if met else '**not met**'}" for text, met in checks]


def print_report(report: Report) -> None:
    """Print the tables and the aims."""
    print(
        f"\none full-day folder: {report.rows:,} rows in {report.tables} tables, "
        f"{report.csv_mib:,} MiB of CSV; wall: median of {report.repeat} "
        f"(dlt: {report.dlt_runs}), peak RSS: highest"
    )
    print("\n".join(method_table(report)))
    print()
    print("\n".join(scale_table(report)))
    print()
    for line in aims(report) + report.notes:
        print(f"- {line}")


def _bullet(text: str) -> str:
    return textwrap.fill("- " + text, 78, subsequent_indent="  ")


def section_text(report: Report) -> str:
    """The subsection of the export section that this bench writes."""
    ours = report.summaries[GIMEXPORT]
    intro = (
        f"`bench/bench_compare.py`, {dt.date.today().isoformat()}: one reference "
        f"Info Mart of a full weekday ({report.irf_rows:,} "
        f"INTERACTION_RESOURCE_FACT rows); its one-day folder holds "
        f"{report.rows:,} rows in {report.tables} tables, {report.csv_mib:,} MiB "
        f"of CSV. Each method ran {report.repeat} times in turn (dlt, which "
        f"takes far longer, {report.dlt_runs}), the order "
        "rotating every round; wall time is the median, peak RSS the highest, "
        "of the largest process of the method's tree (GNU time is its parent); "
        "output is the zip, or dlt's gzipped CSV files. "
        f"Machine: {os.cpu_count()} CPUs ({platform.machine()}) shared with the "
        "PostgreSQL server and with other work (load average "
        f"{os.getloadavg()[0]:.1f} at the end), Python "
        f"{platform.python_version()}: compare the ratios, not the seconds."
    )
    to_copy = ours.wall / report.summaries[RAW_COPY].wall
    baseline = report.summaries[BASELINE]
    ratios = [
        f"gimexport / raw COPY: **{to_copy:.2f}x**",
        f"the baseline takes **{baseline.wall / ours.wall:.2f}x** as long as gimexport",
    ]
    if ours.output and baseline.output:
        larger = ours.output / baseline.output - 1
        ratios.append(f"the zip is **{larger:+.1%}** of `zip -6`'s size")
    if DLT in report.summaries:
        dlt = report.summaries[DLT]
        ratios.append(
            f"dlt takes **{dlt.wall / ours.wall:.2f}x** as long as gimexport with "
            f"**{dlt.peak / ours.peak:.1f}x** its memory"
        )
    sizes = [scale.irf_rows for scale in report.scales]
    growth = max(sizes) / min(sizes)
    lines = [SUBSECTION, "", textwrap.fill(intro, 78), ""]
    lines += method_table(report)
    lines += ["", _bullet("; ".join(ratios) + ".")]
    lines += [_bullet(note) for note in report.notes]
    lines += ["", "Against the aims set for the export:", ""]
    lines += [_bullet(aim + ".") for aim in aims(report)]
    lines += [
        "",
        f"gimexport's memory as the data grows {growth:.0f}-fold (measured the "
        "same way):",
        "",
        *scale_table(report),
        "",
        "Reproduce from a fresh clone with one command; it builds both Info",
        "Marts (about ten minutes for ten million rows), installs dlt into",
        "bench/.venv-dlt and drops the databases at the end (`--reuse` keeps",
        "them):",
        "",
        "    .venv/bin/python bench/bench_compare.py --write",
        "",
    ]
    return "\n".join(lines)


def write_subsection(text: str) -> None:
    """Replace the subsection, or add it at the end of the export section."""
    document = PERFORMANCE.read_text(encoding="utf-8")
    start = document.find(EXPORT_HEADING + "\n")
    if start < 0:
        raise BenchFailed(f"{PERFORMANCE} has no {EXPORT_HEADING!r} section")
    end = document.find("\n## ", start + len(EXPORT_HEADING))
    end = len(document) if end < 0 else end + 1
    section = document[start:end].rstrip("\n") + "\n"
    old = section.find(SUBSECTION + "\n")
    if old >= 0:
        stop = section.find("\n### ", old + len(SUBSECTION))
        tail = section[stop + 1 :] if stop >= 0 else ""
        section = section[:old] + text + ("\n" + tail if tail else "")
    else:
        section = section + "\n" + text
    rest = document[end:]
    PERFORMANCE.write_text(
        document[:start] + section + ("\n" + rest if rest else ""), "utf-8"
    )


def scale_of(setup: Setup, irf_rows: int, repeat: int, dlt_runs: int) -> Scale:
    """gimexport, raw COPY and dlt in turn on an Info Mart of another size."""
    config = write_gimexport_config(setup.dsn, setup.work)
    _, folder = export_once(config, setup.work / "out")
    setup = replace(setup, selects=queries(setup.dsn, folder), gimexport_config=config)
    methods = [GIMEXPORT, RAW_COPY] + ([DLT] if setup.dlt_python else [])
    print(f"{irf_rows:,} IRF rows, in turn:", flush=True)
    runs, _ = measure(setup, methods, repeat, dlt_runs)
    summaries = summarise(runs)
    copy_wall = summaries[RAW_COPY].wall
    return Scale(irf_rows, summaries[GIMEXPORT], copy_wall, summaries.get(DLT))


def main() -> None:
    """Build, measure in turn, print the comparison, optionally write it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--irf-rows", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--memory-irf-rows",
        type=int,
        default=1_000_000,
        help="also run gimexport on an Info Mart of this size (0: do not)",
    )
    parser.add_argument(
        "--server", default="host=127.0.0.1 port=5432 user=postgres dbname=postgres"
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="use the bench databases if they are there, and keep them",
    )
    parser.add_argument("--no-dlt", action="store_true", help="leave dlt out")
    parser.add_argument(
        "--dlt-runs",
        type=int,
        default=1,
        help="run dlt in this many of the rounds (it takes about ten times "
        "as long as the others)",
    )
    parser.add_argument(
        "--dlt-backend", default="pyarrow", choices=["pyarrow", "sqlalchemy"]
    )
    parser.add_argument("--write", action="store_true", help="update the docs")
    args = parser.parse_args()
    if not Path(GNU_TIME).exists():
        raise SystemExit(f"{GNU_TIME} (GNU time) is needed to measure peak RSS")

    notes = []
    dlt_python = None if args.no_dlt else prepare_dlt(sys.executable)
    if dlt_python is None and not args.no_dlt:
        notes.append("dlt could not be installed here, so it is left out.")
    methods = [GIMEXPORT, BASELINE, RAW_COPY] + ([DLT] if dlt_python else [])
    if args.dlt_backend != "pyarrow":
        LABELS[DLT] = LABELS[DLT].replace("pyarrow", args.dlt_backend)

    dsn = infomart(args.server, args.irf_rows, args.reuse)
    with tempfile.TemporaryDirectory(prefix="gimexport-compare-") as scratch:
        work = Path(scratch)
        config = write_gimexport_config(dsn, work)

        # A first export, not counted, warms the page cache and gives the
        # queries that the other methods run.
        print("warm-up export", flush=True)
        _, folder = export_once(config, work / "out")
        metadata = package.read_metadata(folder)
        selects = queries(dsn, folder)
        setup = Setup(dsn, work, selects, config, dlt_python, args.dlt_backend)

        print(f"{args.irf_rows:,} IRF rows, the methods in turn:", flush=True)
        runs, failures = measure(setup, methods, args.repeat, args.dlt_runs)
        if not args.reuse:
            drop_database(args.server, database_name(args.irf_rows))
        summaries = summarise(runs)
        copy_wall = summaries[RAW_COPY].wall
        dlt = summaries.get(DLT)
        scales = [Scale(args.irf_rows, summaries[GIMEXPORT], copy_wall, dlt)]
        if args.memory_irf_rows:
            small = infomart(args.server, args.memory_irf_rows, args.reuse)
            scratch_small = work / "small"
            scratch_small.mkdir()
            small_setup = replace(setup, dsn=small, work=scratch_small)
            scale = scale_of(
                small_setup, args.memory_irf_rows, args.repeat, args.dlt_runs
            )
            scales.append(scale)
            if not args.reuse:
                drop_database(args.server, database_name(args.memory_irf_rows))

    rows = sum(entry.rows for entry in metadata.tables)
    dlt_rows = {m.rows for m in runs.get(DLT, []) if m.rows is not None}
    if dlt_rows and dlt_rows != {rows}:
        counts = ", ".join(f"{n:,}" for n in sorted(dlt_rows))
        notes.append(f"dlt wrote {counts} rows where gimexport wrote {rows:,}.")
    csv = [m.csv for m in runs[BASELINE] if m.csv is not None]
    report = Report(
        irf_rows=args.irf_rows,
        rows=rows,
        tables=len(metadata.tables),
        csv_mib=round(statistics.median(csv) / 2**20),
        repeat=args.repeat,
        dlt_runs=min(args.dlt_runs, args.repeat),
        summaries=summaries,
        scales=scales,
        notes=notes + failures,
    )
    print_report(report)
    if args.write:
        write_subsection(section_text(report))
        print(f"wrote {PERFORMANCE.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
