"""Load rate of the sample generator beside PostgreSQL copying the same rows.

Each --repeat time, on a fresh database of a PostgreSQL server:

- sample: build_infomart of --days days from Monday 2026-11-02, at the scale
  that gives about --irf-rows rows of INTERACTION_RESOURCE_FACT; wall time
  and the CPU time of this Python process (generation and COPY encoding);
- baseline: the same rows, every table, piped with binary COPY from that
  database into an empty one with the same DDL and indexes, one transaction:
  what loading them costs PostgreSQL alone.

It prints the medians: seconds, IRF rows per second, and the ratio of the
two wall times, which carries over between machines better than the
seconds do. Usage:

    python bench/bench_sample.py [--irf-rows 1000000] [--days 10] [--repeat 3]
        [--partitioned] [--server "host=127.0.0.1 user=postgres dbname=postgres"]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time
import uuid

import psycopg
from psycopg import conninfo as pg_conninfo
from psycopg import sql

from gim_export.sample import (
    INTERACTIONS_PER_DAY,
    SampleSpec,
    apply_schema,
    build_infomart,
)

MONDAY = dt.date(2026, 11, 2)
WEEKDAY_SHARE = (1.0, 1.0, 1.0, 1.0, 1.0, 0.4, 0.4)
IRF_PER_INTERACTION = 1.88  # the queue's part, and an agent's for 88 %


def scale_for(irf_rows: int, days: int) -> float:
    """The scale that gives about ``irf_rows`` IRF rows over ``days`` days."""
    weight = sum(WEEKDAY_SHARE[day % 7] for day in range(days))
    return irf_rows / (INTERACTIONS_PER_DAY * IRF_PER_INTERACTION * weight)


def dsn_of(server: str, dbname: str) -> str:
    params = pg_conninfo.conninfo_to_dict(server)
    params["dbname"] = dbname
    return pg_conninfo.make_conninfo("", **params)


def create(server: str) -> str:
    name = f"gimexport_bench_sample_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return name


def drop(server: str, name: str) -> None:
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(name)
            )
        )


def copy_everything(source: str, target: str, partitioned: bool) -> float:
    """Pipe every table from source into an empty twin; return the seconds."""
    with (
        psycopg.connect(source) as reader,
        psycopg.connect(target, autocommit=True) as writer,
    ):
        apply_schema(writer, partitioned=partitioned)
        writer.autocommit = False
        # Partitioned tables are read and written through their parent (the
        # twin routes every row to its DEFAULT partition).
        tables = [
            str(row[0])
            for row in reader.execute(
                """
                SELECT relname FROM pg_class
                WHERE relnamespace = 'public'::regnamespace
                  AND relkind IN ('r', 'p') AND NOT relispartition
                  AND relname <> 'ctl_schema_info'
                """
            )
        ]
        start = time.perf_counter()
        with writer.transaction():
            for table in tables:
                name = sql.Identifier(table)
                out = sql.SQL("COPY (SELECT * FROM {}) TO STDOUT (FORMAT BINARY)")
                out = out.format(name)
                into = sql.SQL("COPY {} FROM STDIN (FORMAT BINARY)").format(name)
                with (
                    reader.cursor().copy(out) as rows,
                    writer.cursor().copy(into) as load,
                ):
                    for data in rows:
                        load.write(data)
        return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--irf-rows", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--partitioned", action="store_true")
    parser.add_argument(
        "--server", default="host=127.0.0.1 port=5432 user=postgres dbname=postgres"
    )
    args = parser.parse_args()
    spec = SampleSpec(
        start=MONDAY,
        days=args.days,
        scale=scale_for(args.irf_rows, args.days),
        partitioned=args.partitioned,
    )

    walls, cpus, baselines, irf, total = [], [], [], 0, 0
    for run in range(args.repeat):
        built, twin = create(args.server), create(args.server)
        try:
            wall, cpu = time.perf_counter(), time.process_time()
            summary = build_infomart(dsn_of(args.server, built), spec)
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
            source, target = dsn_of(args.server, built), dsn_of(args.server, twin)
            baselines.append(copy_everything(source, target, args.partitioned))
        finally:
            drop(args.server, built)
            drop(args.server, twin)
        irf = summary.rows["interaction_resource_fact"]
        total = sum(summary.rows.values())
        print(
            f"run {run + 1}: sample {walls[-1]:.1f} s (Python CPU {cpus[-1]:.1f} s), "
            f"baseline {baselines[-1]:.1f} s, {irf} IRF rows, {total} rows in all",
            flush=True,
        )

    wall = statistics.median(walls)
    ratio = statistics.median(w / b for w, b in zip(walls, baselines, strict=True))
    print(
        f"median of {args.repeat}: sample {wall:.1f} s = {irf / wall:,.0f} IRF rows/s "
        f"({total / wall:,.0f} rows/s in all); Python CPU "
        f"{statistics.median(cpus):.1f} s; baseline COPY of the same rows "
        f"{statistics.median(baselines):.1f} s; sample/baseline {ratio:.2f}"
    )


if __name__ == "__main__":
    main()
