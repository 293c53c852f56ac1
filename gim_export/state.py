"""The ``.gim`` folder of an output directory: stream position and staging.

The position (the high-water mark, the data time reached and the last
folder) is written to ``.gim/state.toml`` only after the folder it describes
is published and on disk. A run that dies between the two leaves a folder
the state does not know yet; :func:`read_position` finds it by its hwm-from
and adopts it, so the state is never ahead of the folders and never behind
them for long.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
import stat
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import tomli_w

from gim_export.errors import StateError
from gim_export.package import (
    FormatError,
    Metadata,
    export_folders,
    folder_mode,
    parse_folder_name,
    read_metadata,
)

logger = logging.getLogger(__name__)

GIM_DIR = ".gim"
STATE_FILE = "state.toml"
STAGING_DIR = "staging"


@dataclass(frozen=True)
class Position:
    """Where the regular stream of an output directory stands."""

    hwm: int = 0
    hwm_created_ts: int = 0
    max_data_ts: int | None = None
    last_folder: str | None = None
    generation: int = 0
    repeats_until: int = 0
    restart_pending: dict[str, str] | None = None

    @property
    def started(self) -> bool:
        """Whether any folder was exported, or a start point was set."""
        return self.last_folder is not None or self.hwm > 0


def gim_dir(output_directory: Path) -> Path:
    """The internal folder of an output directory."""
    return output_directory / GIM_DIR


def staging_dir(output_directory: Path) -> Path:
    """Where folders are built before they are published."""
    return gim_dir(output_directory) / STAGING_DIR


def prepare_output(output_directory: Path, file_mode: int = 0o600) -> None:
    """Create the output directory and ``.gim``; check that they are safe.

    A new output directory opens to the readers ``file_mode`` lets read the
    files (``0640`` makes it ``0750``), so that they can reach the folders;
    ``.gim`` is for the owner only.
    """
    try:
        _create_directory(output_directory, folder_mode(file_mode))
        gim_dir(output_directory).mkdir(exist_ok=True, mode=0o700)
    except OSError as error:
        raise StateError(
            f"cannot create output directory {str(output_directory)!r}: "
            f"{error.strerror}"
        ) from None
    # A sticky bit does not help: others could still add forged export_*
    # folders for the receiver, or a .gim of their own before the first run.
    if output_directory.stat().st_mode & stat.S_IWOTH:
        raise StateError(
            f"output directory {str(output_directory)!r} is writable by any user; "
            "remove that permission (chmod o-w)"
        )
    internal = gim_dir(output_directory).lstat()
    mode = internal.st_mode
    if not stat.S_ISDIR(mode) or internal.st_uid != os.geteuid() or mode & 0o022:
        raise StateError(
            f"{str(gim_dir(output_directory))!r} is not a folder of this user's "
            "that only it can write to; remove it, or chmod 700 it"
        )


def _create_directory(path: Path, mode: int) -> None:
    """Create ``path`` with exactly ``mode``, umask or not; leave one that exists."""
    try:
        path.mkdir(parents=True, mode=mode)
    except FileExistsError:
        return
    path.chmod(mode)


def clear_staging(output_directory: Path) -> None:
    """Remove what a run that died left half built."""
    staging = staging_dir(output_directory)
    if staging.exists():
        leftovers = sorted(p.name for p in staging.iterdir())
        if leftovers:
            logger.warning(
                "removing %d unfinished folder(s) of an earlier run: %s",
                len(leftovers),
                ", ".join(leftovers),
            )
        shutil.rmtree(staging)
    staging.mkdir(mode=0o700)


def _read_state_file(output_directory: Path) -> Position | None:
    path = gim_dir(output_directory) / STATE_FILE
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        return None
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise StateError(f"state file {str(path)!r} is unreadable: {error}") from None

    stream = data.get("stream", {})
    try:
        return Position(
            hwm=int(stream["hwm"]),
            hwm_created_ts=int(stream.get("hwm-created-ts", 0)),
            max_data_ts=_optional_int(stream.get("max-data-ts")),
            last_folder=stream.get("last-folder") or None,
            generation=int(stream.get("generation", 0)),
            repeats_until=int(stream.get("repeats-until", 0)),
            restart_pending=data.get("restart") or None,
        )
    except (KeyError, TypeError, ValueError):
        raise StateError(
            f"state file {str(path)!r} has no valid [stream] hwm; "
            "run `gimexport restart --from YYYY-MM-DD` to set the position"
        ) from None


def _optional_int(value: Any) -> int | None:
    return None if value is None or value == "" else int(value)


def write_position(output_directory: Path, position: Position) -> None:
    """Write the state file atomically and durably."""
    stream: dict[str, Any] = {
        "hwm": position.hwm,
        "hwm-created-ts": position.hwm_created_ts,
        "last-folder": position.last_folder or "",
        "generation": position.generation,
        "repeats-until": position.repeats_until,
        "updated": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S"),
    }
    if position.max_data_ts is not None:
        stream["max-data-ts"] = position.max_data_ts
    document: dict[str, Any] = {"stream": stream}
    if position.restart_pending:
        document["restart"] = position.restart_pending

    directory = gim_dir(output_directory)
    temporary = directory / f"{STATE_FILE}.tmp"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(tomli_w.dumps(document).encode())
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, directory / STATE_FILE)
    dir_fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def generation_of(metadata: Metadata) -> int:
    """The stream generation a folder belongs to: 0 until the first restart."""
    stream = metadata.detail("stream")
    return int(stream.get("generation", 0)) if stream else 0


def position_after(
    folder: Path, metadata: Metadata, previous: Position | None = None
) -> Position:
    """The position a published regular or restart folder leaves the stream in."""
    return Position(
        hwm=metadata.hwm_to,
        hwm_created_ts=metadata.hwm_to_created_ts,
        max_data_ts=metadata.max_data_ts,
        last_folder=folder.name,
        generation=generation_of(metadata),
        repeats_until=previous.repeats_until if previous else 0,
    )


def _stream_folders(output_directory: Path) -> list[tuple[Path, Metadata]]:
    folders = []
    for folder in export_folders(output_directory):
        name = parse_folder_name(folder.name)
        if name is None or name.re_export is not None:
            continue
        try:
            folders.append((folder, read_metadata(folder)))
        except (OSError, FormatError) as error:
            logger.warning("cannot read metadata of %s: %s", folder.name, error)
    folders.sort(key=lambda pair: (generation_of(pair[1]), pair[1].hwm_to))
    return folders


def read_position(output_directory: Path) -> Position:
    """Return the stream position, adopting folders the state file missed."""
    position = _read_state_file(output_directory)
    folders = _stream_folders(output_directory)

    if position is None:
        if not folders:
            return Position()
        newest, metadata = folders[-1]
        logger.warning(
            "no state file in %s; continuing after the newest folder %s",
            gim_dir(output_directory),
            newest.name,
        )
        return position_after(newest, metadata)

    for folder, metadata in folders:
        if folder.name != position.last_folder and _continues(metadata, position):
            logger.warning(
                "state file lagged behind folder %s (a run stopped after "
                "publishing it); adopting it",
                folder.name,
            )
            position = position_after(folder, metadata, position)
    return position


def _continues(metadata: Metadata, position: Position) -> bool:
    """Whether a folder is the one published right after ``position``."""
    expected = "restart" if position.restart_pending else "regular"
    return (
        metadata.kind == expected
        and generation_of(metadata) == position.generation
        and metadata.hwm_from == position.hwm
        and metadata.hwm_to > position.hwm
    )


def pending_restart_cleared(position: Position) -> Position:
    """The same position with no restart waiting."""
    return replace(position, restart_pending=None)
