"""Stream control after an incident: restart from a date, re-export a span.

A restart sets the stream's position to just before the first audit key
whose data is at or after a date; the next export writes the first folder
of a new generation, marked ``restart``. A re-export writes extra folders
that repeat the rows of a span of audit keys, marked ``re-export``, and
leaves the regular stream's position where it is. Neither deletes a folder.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, replace
from pathlib import Path

import psycopg
from psycopg import sql

from gim_export import db, hwm, infomart, locks, package, state, stream, views
from gim_export.config import Settings
from gim_export.errors import GimExportError, StateError
from gim_export.exporter import FolderResult, write_folder
from gim_export.progress import NoProgress, Progress

logger = logging.getLogger(__name__)

Connection = psycopg.Connection[tuple[object, ...]]


class RestartRefused(GimExportError):
    """The audit log cannot serve a restart from the date asked for."""


@dataclass(frozen=True)
class RestartPlan:
    """Where a restart would set the stream, for the user to confirm."""

    from_date: dt.datetime | None
    first_key: int
    current_hwm: int
    generation: int


def _connect(settings: Settings) -> Connection:
    return db.connect(
        settings.connection,
        password_env=settings.password_env,
        application="gimexport control",
        autocommit=True,
    )


def _log_bounds(conn: Connection, schema: str) -> tuple[int, int | None, int | None]:
    """The oldest audit key, its earliest data time, and the newest key."""
    row = conn.execute(
        sql.SQL(
            """
            SELECT audit_key,
                   coalesce(min_start_date_time_key, max_chunk_ts),
                   (SELECT max(audit_key) FROM {log})
            FROM {log} ORDER BY audit_key LIMIT 1
            """
        ).format(log=sql.Identifier(schema, infomart.AUDIT_LOG))
    ).fetchone()
    if row is None:
        raise RestartRefused("the audit log is empty: there is nothing to export")
    oldest, oldest_ts, newest = row
    return (
        int(oldest),  # type: ignore[call-overload]
        None if oldest_ts is None else int(oldest_ts),  # type: ignore[call-overload]
        None if newest is None else int(newest),  # type: ignore[call-overload]
    )


def _first_key_at(conn: Connection, schema: str, moment: dt.datetime) -> int | None:
    row = conn.execute(
        sql.SQL("SELECT min(audit_key) FROM {} WHERE max_chunk_ts >= %s").format(
            sql.Identifier(schema, infomart.AUDIT_LOG)
        ),
        (int(moment.timestamp()),),
    ).fetchone()
    if row is None or row[0] is None:
        return None
    return int(str(row[0]))


def plan_restart(
    settings: Settings, from_date: dt.datetime | None, allow_skip: bool = False
) -> RestartPlan:
    """Work out a restart from ``from_date`` (None: from the oldest audit key).

    A restart beyond the stream's next audit key would skip keys that were
    never exported; that needs ``allow_skip``.
    """
    position = state.read_position(settings.output_directory)
    with _connect(settings) as conn:
        oldest, oldest_ts, _newest = _log_bounds(conn, settings.schema)
        if from_date is None:
            first = oldest
        else:
            # A log that starts after key 1 was purged: older data is gone.
            if oldest > 1 and oldest_ts is not None:
                if from_date.timestamp() < oldest_ts:
                    oldest_text = _utc(oldest_ts)
                    raise RestartRefused(
                        f"the audit log no longer covers {_utc_text(from_date)}; "
                        f"the oldest date the stream can restart from is {oldest_text}"
                    )
            found = _first_key_at(conn, settings.schema, from_date)
            if found is None:
                raise RestartRefused(
                    f"no audit key holds data at or after {_utc_text(from_date)}"
                )
            first = found
    if first > position.hwm + 1 and position.started and not allow_skip:
        raise RestartRefused(
            f"restarting at audit key {first} would skip audit keys "
            f"{position.hwm + 1}..{first - 1}, which were never exported; "
            "pass --allow-skip if that is what you want"
        )
    return RestartPlan(from_date, first, position.hwm, position.generation + 1)


def _utc(epoch: int) -> str:
    return dt.datetime.fromtimestamp(epoch, dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _utc_text(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def apply_restart(settings: Settings, plan: RestartPlan) -> state.Position:
    """Set the stream to ``plan``; the next export opens the new generation."""
    output = settings.output_directory
    state.prepare_output(output, settings.file_mode)
    with locks.output_lock(output):
        position = state.read_position(output)
        if position.hwm != plan.current_hwm:
            raise StateError(
                "the stream moved while the restart was being confirmed; "
                "run `gimexport restart` again"
            )
        marker = {
            "generation": str(plan.generation),
            "from-audit-key": str(plan.first_key),
            "previous-hwm": str(position.hwm),
            "from-date": _utc_text(plan.from_date) if plan.from_date else "beginning",
        }
        restarted = state.Position(
            hwm=plan.first_key - 1,
            last_folder=position.last_folder,
            generation=plan.generation,
            repeats_until=max(position.repeats_until, position.hwm),
            restart_pending=marker,
        )
        state.write_position(output, restarted)
    logger.info(
        "stream restarted: the next folder starts at audit key %d (generation %d)",
        plan.first_key,
        plan.generation,
    )
    return restarted


def re_export(
    settings: Settings, since: dt.datetime, progress: Progress | None = None
) -> list[FolderResult]:
    """Write re-export folders repeating every row changed since ``since``.

    The span runs from the first audit key whose data is at or after
    ``since`` up to the stream's high-water mark, in chunks of at most
    ``chunk-size-seconds``. The stream's position does not move.
    """
    progress = progress or NoProgress()
    output = settings.output_directory
    state.prepare_output(output, settings.file_mode)
    with locks.output_lock(output):
        state.clear_staging(output)
        position = state.read_position(output)
        if position.last_folder is None:
            raise StateError(
                f"nothing was exported to {str(output)!r} yet; nothing to re-export"
            )
        base = package.parse_folder_name(position.last_folder)
        if base is None:
            raise StateError(f"state names an odd last folder {position.last_folder!r}")
        with (
            _connect(settings) as conn,
            locks.maintenance_lock(
                conn,
                settings.maintenance_lock_key,
                settings.maintenance_lock_wait_seconds,
            ),
        ):
            first = _first_key_at(conn, settings.schema, since)
            if first is None or first > position.hwm:
                logger.info(
                    "nothing to re-export: no exported audit key holds data at or "
                    "after %s",
                    _utc_text(since),
                )
                return []
            return _re_export_span(
                conn, settings, position, base, first - 1, since, progress
            )


def _re_export_span(
    conn: Connection,
    settings: Settings,
    position: state.Position,
    base: package.FolderName,
    span_from: int,
    since: dt.datetime,
    progress: Progress,
) -> list[FolderResult]:
    """Export (span_from, position.hwm] chunk by chunk as re-export folders."""
    output = settings.output_directory
    sequence = _next_re_export_number(output, base)
    low, data_ts = span_from, None
    results = []
    while low < position.hwm:
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        try:
            views.lock_before_snapshot(conn, settings)
            keys = [
                key
                for key in infomart.committed_audit_keys(conn, settings.schema, low)
                if key.audit_key <= position.hwm
            ]
            # Every key up to the stream's hwm is final: gaps there are dead.
            chunk = hwm.choose_chunk(
                keys, low, data_ts, settings.chunk_size_seconds, position.hwm + 1
            )
            if chunk is None:
                break
            name = str(replace(base, re_export=sequence))
            details = stream.generation_details(position.generation) + (
                (
                    "re-export",
                    (
                        ("of-folder", position.last_folder or ""),
                        ("since", _utc_text(since)),
                        ("span-from", str(span_from)),
                        ("span-to", str(position.hwm)),
                    ),
                ),
            )
            source = views.export_source(conn, settings)
            version = infomart.schema_version(
                conn, settings.schema, settings.schema_version_table
            )
            start = state.Position(
                hwm=low, hwm_created_ts=_created_ts(conn, settings, low)
            )
            folder = write_folder(
                conn,
                settings,
                start,
                chunk,
                source.choice.tables,
                version,
                progress,
                source.details + details,
                name=name,
                kind="re-export",
            )
        finally:
            conn.execute("ROLLBACK")
        published = package.publish(folder.path, output)
        logger.info(
            "published re-export %s: audit keys %d..%d",
            published.name,
            chunk.hwm_from + 1,
            chunk.hwm_to.audit_key,
        )
        results.append(FolderResult(published, folder.metadata))
        low, data_ts, sequence = chunk.hwm_to.audit_key, chunk.max_data_ts, sequence + 1
    return results


def _created_ts(conn: Connection, settings: Settings, audit_key: int) -> int:
    record = infomart.audit_key_at(conn, settings.schema, audit_key)
    return record.created_ts if record else 0


def _next_re_export_number(output: Path, base: package.FolderName) -> int:
    """One more than the highest re-export number used after ``base``."""
    used = [
        parsed.re_export
        for folder in package.export_folders(output)
        if (parsed := package.parse_folder_name(folder.name)) is not None
        and parsed.re_export is not None
        and (parsed.hwm, parsed.date, parsed.restart)
        == (base.hwm, base.date, base.restart)
    ]
    return max(used, default=0) + 1
