"""``gimexport demo``: a sample Info Mart, exported and verified, in one command.

Without a DSN the demo starts a private PostgreSQL in its work folder (see
:mod:`gim_export.embedded`). With one, it creates a database named
``gimexport_demo`` on that server, replacing an earlier demo's, and never
touches another database.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import conninfo as pg_conninfo
from psycopg import sql

from gim_export import chain, embedded, sample
from gim_export.config import Settings, starter_config
from gim_export.errors import DatabaseUnavailable
from gim_export.exporter import ExportRun, export
from gim_export.progress import NoProgress, Progress

logger = logging.getLogger(__name__)

DEMO_DATABASE = "gimexport_demo"


@dataclass(frozen=True)
class DemoResult:
    """What the demo built, exported and verified."""

    workdir: Path
    output: Path
    config_path: Path
    sample: sample.SampleSummary
    run: ExportRun
    report: chain.ChainReport


@contextlib.contextmanager
def _server(workdir: Path, dsn: str | None) -> Iterator[str]:
    if dsn is not None:
        yield dsn
        return
    with embedded.embedded_server(workdir / "pgdata") as embedded_dsn:
        yield embedded_dsn


def _fresh_database(server_dsn: str) -> str:
    """Create (or recreate) the demo database; return its DSN."""
    try:
        with psycopg.connect(server_dsn, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                    sql.Identifier(DEMO_DATABASE)
                )
            )
            conn.execute(
                sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DEMO_DATABASE))
            )
    except psycopg.OperationalError as error:
        reason = str(error).strip().splitlines()[-1]
        raise DatabaseUnavailable(f"cannot reach the demo server: {reason}") from None
    params = pg_conninfo.conninfo_to_dict(server_dsn)
    params["dbname"] = DEMO_DATABASE
    return pg_conninfo.make_conninfo("", **params)


def demo(
    workdir: Path,
    spec: sample.SampleSpec,
    dsn: str | None = None,
    progress: Progress | None = None,
) -> DemoResult:
    """Fill a sample Info Mart, export it until caught up and verify the chain."""
    progress = progress or NoProgress()
    workdir = workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    output = workdir / "output"
    if output.exists():
        shutil.rmtree(output)

    with _server(workdir, dsn) as server_dsn:
        database = _fresh_database(server_dsn)
        summary = sample.build_infomart(database, spec, progress)

        config_path = workdir / "gimexport.toml"
        config_path.write_text(starter_config(database, "output"), encoding="utf-8")
        settings = Settings(
            config_path=config_path,
            connection=database,
            output_directory=output,
            retry_delay_seconds=1,
        )
        run = export(settings, progress, catch_up=True)

    report = chain.verify_chain(output, progress=progress)
    return DemoResult(workdir, output, config_path, summary, run, report)
