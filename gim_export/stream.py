"""Stream control: removing old folders, restarting and re-exporting.

A restart moves the stream's position back (or forward) to an audit key and
opens a new generation of the stream; a re-export writes extra folders that
repeat a span without moving the position. Neither deletes a folder that was
already written; only the retention of ``days-to-keep-output-files`` does,
and only complete folders older than that, never the newest.
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
from pathlib import Path

from gim_export import crypto, package
from gim_export.state import Position

Details = tuple[tuple[str, tuple[tuple[str, str], ...]], ...]

logger = logging.getLogger(__name__)


def generation_details(generation: int) -> Details:
    """The XML element naming a folder's stream generation, after a restart."""
    if not generation:
        return ()
    return (("stream", (("generation", str(generation)),)),)


def folder_plan(
    position: Position, hwm_to: int, max_data_ts: int
) -> tuple[str, str, Details]:
    """Name, kind and stream elements of the next folder after ``position``.

    After a restart, folders of the new generation carry their generation in
    the XML; those that repeat audit keys an earlier generation exported also
    carry it in their name, so that they never take an existing folder's name
    and sort right after the folder they repeat.
    """
    details = list(generation_details(position.generation))
    kind = "regular"
    if position.restart_pending:
        kind = "restart"
        details.append(("restart", tuple(sorted(position.restart_pending.items()))))
    repeats = position.generation and hwm_to <= position.repeats_until
    restart = position.generation if repeats else None
    return (
        package.folder_name(hwm_to, max_data_ts, restart=restart),
        kind,
        tuple(details),
    )


def _complete(folder: Path) -> package.Metadata | None:
    """The folder's metadata when all three files are there, else None."""
    zip_name = folder.name + (".zip.p7m" if crypto.encrypted_zip(folder) else ".zip")
    if not all((folder / name).is_file() for name in (zip_name, f"{zip_name}.sha1")):
        return None
    try:
        return package.read_metadata(folder)
    except (OSError, package.FormatError):
        return None


def remove_old_folders(
    output_directory: Path, days: int, now: dt.datetime | None = None
) -> list[str]:
    """Remove complete folders created more than ``days`` days ago.

    The newest folder always stays, and so does anything that is not a
    complete export folder. Returns the names removed.
    """
    now = now or dt.datetime.now(dt.UTC)
    limit = (now - dt.timedelta(days=days)).timestamp()
    folders = package.export_folders(output_directory)
    newest = max(folders, key=_created_ts, default=None)

    removed = []
    for folder in folders:
        if folder == newest:
            continue
        metadata = _complete(folder)
        if metadata is None or metadata.created_ts >= limit:
            continue
        shutil.rmtree(folder)
        removed.append(folder.name)
        logger.info(
            "removed %s, created %s, older than %d days",
            folder.name,
            dt.datetime.fromtimestamp(metadata.created_ts, dt.UTC).isoformat(),
            days,
        )
    return removed


def _created_ts(folder: Path) -> tuple[int, str]:
    metadata = _complete(folder)
    return (metadata.created_ts if metadata else 0, folder.name)
