"""Where the export stream stands, for ``gimexport status``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from psycopg import sql

from gim_export import db, hwm, infomart, package, state
from gim_export.config import Settings


@dataclass
class StreamStatus:
    """The stream of one output directory as seen from its folders and the log."""

    output_directory: str
    folders: int = 0
    last_folder: str | None = None
    hwm: int = 0
    max_data_ts: int | None = None
    waiting_keys: int = 0
    newest_key: int | None = None
    newest_data_ts: int | None = None
    blocked_at: int | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def behind_seconds(self) -> int | None:
        """How far the exported data time trails the Info Mart's."""
        if self.newest_data_ts is None or self.max_data_ts is None:
            return None
        return max(0, self.newest_data_ts - (self.max_data_ts or 0))

    def as_dict(self) -> dict[str, object]:
        """A plain mapping for ``--json``."""
        return {
            "output_directory": self.output_directory,
            "folders": self.folders,
            "last_folder": self.last_folder,
            "hwm": self.hwm,
            "max_data_ts": self.max_data_ts,
            "waiting_audit_keys": self.waiting_keys,
            "newest_audit_key": self.newest_key,
            "newest_data_ts": self.newest_data_ts,
            "behind_seconds": self.behind_seconds,
            "blocked_at_audit_key": self.blocked_at,
            "warnings": self.warnings,
        }


def status(settings: Settings) -> StreamStatus:
    """Describe the stream: last folder, hwm, keys waiting, lag and warnings."""
    output = settings.output_directory
    result = StreamStatus(output_directory=str(output))
    folders = package.export_folders(output)
    result.folders = len(folders)

    position = state.read_position(output)
    result.hwm = position.hwm
    result.max_data_ts = position.max_data_ts
    result.last_folder = position.last_folder
    if position.restart_pending:
        result.warnings.append(
            "a restart is pending: the next folder starts after audit key "
            f"{position.hwm}"
        )
    staging = state.staging_dir(output)
    if staging.is_dir() and any(staging.iterdir()):
        result.warnings.append(
            "unfinished folders in .gim/staging (the next export removes them)"
        )

    with db.connect(
        settings.connection, password_env=settings.password_env, autocommit=True
    ) as conn:
        if result.max_data_ts is None and position.hwm > 0:
            # After a restart the position has no data time yet: take its key's.
            record = infomart.audit_key_at(conn, settings.schema, position.hwm)
            result.max_data_ts = record.max_chunk_ts if record else None
        committed = infomart.committed_audit_keys(conn, settings.schema, position.hwm)
        result.waiting_keys = len(committed)
        result.blocked_at = hwm.passable_keys(committed, position.hwm)[1]
        if committed:
            result.newest_key = committed[-1].audit_key
        newest = conn.execute(
            sql.SQL("SELECT max(max_chunk_ts) FROM {}").format(
                sql.Identifier(settings.schema, infomart.AUDIT_LOG)
            )
        ).fetchone()
        if newest and newest[0] is not None:
            result.newest_data_ts = int(newest[0])  # type: ignore[call-overload]

    if result.blocked_at is not None:
        result.warnings.append(
            f"audit key {result.blocked_at} is missing while later keys are "
            "committed: its transaction may still be open or rolled back; "
            "the export waits for it to end"
        )
    behind = result.behind_seconds
    if behind is not None and behind > 2 * settings.chunk_size_seconds:
        days = behind / 86400
        result.warnings.append(
            f"the export is {days:.1f} days behind the Info Mart's data"
        )
    if settings.start_date is not None and position.started:
        result.warnings.append(
            "start-date is set but the stream has begun, so it is ignored; "
            "use `gimexport restart --from DATE` to move the stream"
        )
    return result


def format_ts(epoch: int | None) -> str:
    """Render epoch seconds as UTC text, or '-'."""
    if epoch is None:
        return "-"
    return dt.datetime.fromtimestamp(epoch, dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
