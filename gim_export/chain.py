"""Verifying a directory of received export folders and the chain they form.

An analyst who receives folders by file transfer calls :func:`verify_chain`
before loading anything. It checks every ``export_*`` folder on its own
(gim_export.received), then the chain across them: hwm-from against the
previous hwm-to, max-data-ts, name order, restarts and re-exports. Every
problem comes back as data; nothing stops at the first one.

docs/receiving.md describes the checks for analysts, docs/format.md the
folder format they rely on.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import tomllib
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import tomli_w

from gim_export.crypto import RSAPrivateKey
from gim_export.errors import (
    ChainVerificationError,
    ConfigError,
    PositionFileError,
    Problem,
)
from gim_export.package import (
    FOLDER_PREFIX,
    FolderName,
    Metadata,
    parse_folder_name,
    read_metadata,
)
from gim_export.progress import NoProgress, Progress
from gim_export.received import (
    DEFAULT_LIMITS,
    FOLDER_PROBLEM_KINDS,
    PROGRESS_TASK,
    FolderCheck,
    Limits,
    default_workers,
    verify_folder,
)
from gim_export.state import generation_of

__all__ = [
    "PROBLEM_KINDS",
    "ChainReport",
    "FolderResult",
    "Limits",
    "Position",
    "read_position",
    "verify_chain",
    "verify_folder",
    "write_position",
]

logger = logging.getLogger(__name__)

POSITION_FILE = ".gim-verified"

# Every problem kind verify_chain reports; docs/receiving.md explains each.
PROBLEM_KINDS = (
    "no-folders",
    "not-a-folder",
    *FOLDER_PROBLEM_KINDS,
    "max-data-ts-backwards",
    "gap",
    "overlap",
    "out-of-order",
    "misplaced-re-export",
)


@dataclass(frozen=True)
class FolderResult:
    """One verified folder: what its metadata says and how it links."""

    name: str
    kind: str | None
    hwm_from: int | None
    hwm_to: int | None
    max_data_ts: int | None
    tables: int | None
    rows: int | None
    link: str
    status: str
    note: str = ""


@dataclass(frozen=True)
class ChainReport:
    """Everything :func:`verify_chain` found, folder by folder."""

    directory: Path
    folders: tuple[FolderResult, ...]
    problems: tuple[Problem, ...]
    since: str | None = None
    remembered: str | None = None

    @property
    def ok(self) -> bool:
        """Whether no problem was found."""
        return not self.problems

    def summary(self) -> str:
        """One line: how many problems in how many folders."""
        checked = _plural(len(self.folders), "folder")
        if self.ok and not self.folders and self.since:
            return f"no folder after {self.since}, nothing new to verify"
        if self.ok:
            return f"{checked} verified, no problem"
        problems = _plural(len(self.problems), "problem")
        where = str(self.directory)
        if not self.folders:
            return f"{problems}, no export folder verified under {where!r}"
        failed = sum(result.status == "failed" for result in self.folders)
        return f"{problems} in {failed} of {checked} under {where!r}"

    def raise_for_problems(self) -> None:
        """Raise :class:`ChainVerificationError` when a problem was found."""
        if self.problems:
            raise ChainVerificationError(self.summary(), list(self.problems))

    def as_dict(self) -> dict[str, Any]:
        """The report as plain data, for ``--json``."""
        return {
            "directory": str(self.directory),
            "since": self.since,
            "ok": self.ok,
            "folders": [asdict(result) for result in self.folders],
            "problems": [asdict(problem) for problem in self.problems],
            "remembered": self.remembered,
        }


@dataclass(frozen=True)
class Position:
    """Where verification stopped: later runs read the folders after
    ``folder``, and the next folder of ``generation`` links to ``hwm_to``.

    ``end_folder`` is the folder that ``hwm_to`` and ``max_data_ts`` come
    from: ``folder`` itself unless that is a re-export or of an older
    generation.
    """

    folder: str
    hwm_to: int
    max_data_ts: int
    generation: int = 0
    end_folder: str = ""

    @property
    def linked_folder(self) -> str:
        """The folder the next one links to."""
        return self.end_folder or self.folder

    @classmethod
    def from_name(cls, name: str, generation: int | None = None) -> Position | None:
        """The position a folder name stands for, or None for another name.

        The generation is the name's restart suffix unless given.
        """
        parsed = parse_folder_name(name)
        if parsed is None:
            return None
        if generation is None:
            generation = parsed.restart or 0
        return cls(name, parsed.hwm, int(parsed.date.timestamp()), generation)


def verify_chain(
    directory: Path,
    since: str | None = None,
    remember: bool = False,
    progress: Progress | None = None,
    *,
    fast: bool = False,
    limits: Limits = DEFAULT_LIMITS,
    workers: int | None = None,
    key: RSAPrivateKey | None = None,
) -> ChainReport:
    """Verify the export folders of ``directory`` and the chain they form.

    :param since: a folder name, or ``"last"`` for the position ``remember``
        wrote last time; only folders sorting after it are read, and the
        first of them must link to it.
    :param remember: write the newest folder that is sound, with every folder
        before it, to ``directory/.gim-verified``.
    :param fast: skip decompressing the CSV files (the zip's SHA-1, its
        directory, the metadata and the chain are still checked).
    :param limits: the caps against zip bombs; :class:`Limits` has the defaults.
    :param workers: folders hashed and CSV files inflated at once (default:
        one per CPU, up to 4).
    :param key: the recipient's private key, to check encrypted zips inside;
        without it only their ``.zip.p7m.sha1`` is checked.
    """
    if not directory.is_dir():
        raise ConfigError(f"{str(directory)!r} is not a directory")
    start = _start_position(directory, since)
    progress = progress or NoProgress()

    folders, problems = _list_folders(directory, start)
    checks = _check_folders(folders, limits, fast, progress, workers, key)
    for check in checks:
        problems.extend(check.problems)

    links = [_ChainLink.of(check) for check in checks]
    problems.extend(_check_order(links, start))
    problems.extend(_check_links(links, start))
    if not checks and start is None:
        problems.append(
            Problem(directory.name, "no-folders", "no export_* folder to verify")
        )

    problems.sort(key=lambda problem: problem.folder)
    results = tuple(_result(link, problems) for link in links)
    remembered = None
    if remember:
        remembered = _remember(directory, links, problems, start)
    return ChainReport(
        directory,
        results,
        tuple(problems),
        start.folder if start else None,
        remembered,
    )


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _start_position(directory: Path, since: str | None) -> Position | None:
    """The position ``since`` names: a folder name or the remembered one."""
    if since is None:
        return None
    if since == "last":
        return read_position(directory)
    name = since.rstrip("/").rsplit("/", 1)[-1]
    position = Position.from_name(name, _generation_in(directory / name))
    if position is None:
        raise ConfigError(
            f"--since {since!r} is not an export folder name "
            "(export_<HWM>_<YYYY_MM_DD_HH_MI_SS>) nor 'last'"
        )
    return position


def _generation_in(folder: Path) -> int | None:
    """The stream generation a folder's XML names, if the folder is there."""
    try:
        return generation_of(read_metadata(folder))
    except (OSError, ValueError):
        return None


def read_position(directory: Path) -> Position:
    """Read the position that ``remember`` wrote to ``directory``."""
    path = directory / POSITION_FILE
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(
            f"no remembered position in {str(directory)!r}; "
            "verify once with --remember, or pass --since FOLDER"
        ) from None
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"{str(path)!r} is unreadable: {error}") from None

    folder = data.get("folder")
    end_folder = data.get("end-folder", folder)
    numbers = [data.get(key, 0) for key in ("hwm-to", "max-data-ts", "generation")]
    if (
        not isinstance(folder, str)
        or not isinstance(end_folder, str)
        or parse_folder_name(folder) is None
        or "hwm-to" not in data
        or "max-data-ts" not in data
        or not all(isinstance(number, int) for number in numbers)
    ):
        raise ConfigError(
            f"{str(path)!r} lacks a valid folder, hwm-to or max-data-ts; "
            "pass --since FOLDER instead"
        )
    hwm_to, max_data_ts, generation = numbers
    return Position(folder, hwm_to, max_data_ts, generation, end_folder)


def write_position(directory: Path, position: Position) -> None:
    """Write ``position`` to ``directory/.gim-verified``, replacing it atomically."""
    document = {
        "folder": position.folder,
        "end-folder": position.linked_folder,
        "generation": position.generation,
        "hwm-to": position.hwm_to,
        "max-data-ts": position.max_data_ts,
        "verified": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S"),
    }
    path = directory / POSITION_FILE
    temporary = directory / f"{POSITION_FILE}.tmp"
    try:
        with open(temporary, "wb") as handle:
            handle.write(b"# written by gimexport verify-chain --remember\n")
            handle.write(tomli_w.dumps(document).encode())
        os.replace(temporary, path)
    except OSError as error:
        raise PositionFileError(
            f"cannot write the verified position to {str(path)!r}: {error.strerror}"
        ) from None


def _list_folders(
    directory: Path, start: Position | None
) -> tuple[list[Path], list[Problem]]:
    """The ``export_*`` folders to read, in name order, and stray entries."""
    folders: list[Path] = []
    problems: list[Problem] = []
    try:
        paths = sorted(directory.iterdir())
    except OSError as error:
        raise ConfigError(f"cannot list {str(directory)!r}: {error.strerror}") from None
    for path in paths:
        name = path.name
        if not name.startswith(FOLDER_PREFIX):
            continue
        if start is not None and name <= start.folder:
            continue
        if path.is_symlink() or not path.is_dir():
            problems.append(
                Problem(name, "not-a-folder", "is not a folder (files stay inside one)")
            )
            continue
        folders.append(path)
    return folders, problems


def _check_folders(
    folders: Sequence[Path],
    limits: Limits,
    fast: bool,
    progress: Progress,
    workers: int | None,
    key: RSAPrivateKey | None = None,
) -> list[FolderCheck]:
    """Check the folders, several at once: hashing and inflating free the GIL.

    Folders hash their zips in one pool and inflate their CSV files in
    another, so that a folder waiting for its CSV files never holds a thread
    the CSV files need.
    """
    workers = default_workers(workers)
    task = PROGRESS_TASK
    with (
        ThreadPoolExecutor(workers, "folder") as folder_pool,
        ThreadPoolExecutor(workers, "csv") as csv_pool,
    ):
        checks = [
            FolderCheck(folder, limits, fast, progress, csv_pool, key)
            for folder in folders
        ]
        total = sum(check.zip_size() for check in checks)
        progress.start(task, total=total * (1 if fast else 2), unit="bytes")
        try:
            for check in folder_pool.map(_run, checks):
                logger.info(
                    "checked %s: %s",
                    check.name,
                    _plural(len(check.problems), "problem"),
                )
        finally:
            progress.finish(task)
    return checks


def _run(check: FolderCheck) -> FolderCheck:
    check.run()
    return check


@dataclass(frozen=True)
class _End:
    """Where a folder left its generation of the stream."""

    folder: str
    hwm_to: int
    max_data_ts: int


@dataclass
class _ChainLink:
    """A checked folder's place in the chain."""

    name: str
    parsed: FolderName | None
    metadata: Metadata | None
    csv_files: int | None
    generation: int | None = None
    link: str = "unchecked"
    note: str = ""

    @classmethod
    def of(cls, check: FolderCheck) -> _ChainLink:
        """The chain view of a checked folder."""
        metadata, parsed = check.metadata, parse_folder_name(check.name)
        generation = None
        if metadata is not None:
            generation = generation_of(metadata)
        elif parsed is not None and parsed.restart is not None:
            generation = parsed.restart
        return cls(
            check.name, parsed, metadata, check.csv_files, generation, note=check.note
        )

    @property
    def kind(self) -> str:
        """regular, restart or re-export: from the XML, else from the name."""
        if self.metadata is not None:
            return self.metadata.kind
        if self.parsed is not None and self.parsed.re_export is not None:
            return "re-export"
        return "regular"

    def end(self) -> _End | None:
        """Where the next folder of the same generation continues from."""
        if self.metadata is not None:
            metadata = self.metadata
            return _End(self.name, metadata.hwm_to, metadata.max_data_ts)
        if self.parsed is not None:
            timestamp = int(self.parsed.date.timestamp())
            return _End(self.name, self.parsed.hwm, timestamp)
        return None


def _name_key(parsed: FolderName) -> tuple[int, dt.datetime, int, int]:
    """The stream order a folder name stands for, whatever its padding.

    It agrees with the order of well-formed names: a restart generation's
    suffix sorts after the plain name, a re-export's after its base name.
    """
    re_export = -1 if parsed.re_export is None else parsed.re_export
    return parsed.hwm, parsed.date, parsed.restart or 0, re_export


def _check_order(links: Sequence[_ChainLink], start: Position | None) -> list[Problem]:
    """Report folders whose name sorts elsewhere than its hwm places it.

    The zero-padded hwm makes name order the stream order; a name without
    that padding, or edited by hand, can sort before a folder it follows.
    """
    problems = []
    highest: tuple[int, dt.datetime, int, int] | None = None
    holder = ""
    start_name = parse_folder_name(start.folder) if start is not None else None
    if start is not None and start_name is not None:
        highest, holder = _name_key(start_name), start.folder
    for link in links:
        if link.parsed is None:
            continue
        key = _name_key(link.parsed)
        if highest is not None and key < highest:
            problems.append(
                Problem(
                    link.name,
                    "out-of-order",
                    f"its name sorts after {holder} although its hwm "
                    f"{link.parsed.hwm} comes before {highest[0]}",
                    other_folder=holder,
                )
            )
        else:
            highest, holder = key, link.name
    return problems


def _check_links(links: Sequence[_ChainLink], start: Position | None) -> list[Problem]:
    """Link each folder's hwm-from to the previous hwm-to of its generation.

    Folders are taken by hwm-to. A restart opens a new generation whose
    folders may repeat audit keys of an older one and sort among its folders,
    so each generation is a chain of its own. Re-exports stand beside the
    chains.
    """
    streamed = [link for link in links if link.kind != "re-export"]
    _guess_generations(streamed)
    previous: dict[int, _End] = {}
    if start is not None:
        previous[start.generation] = _End(
            start.linked_folder, start.hwm_to, start.max_data_ts
        )

    problems: list[Problem] = []
    for link in sorted(streamed, key=lambda link: (_hwm_to(link), link.name)):
        end = link.end()
        if link.metadata is not None and link.generation is not None:
            before = previous.get(link.generation)
            problems.extend(_link(link, link.metadata, before))
        if end is not None and link.generation is not None:
            previous[link.generation] = end
    return problems + _check_re_exports(links, start)


def _hwm_to(link: _ChainLink) -> int:
    end = link.end()
    return end.hwm_to if end is not None else -1


def _guess_generations(links: Sequence[_ChainLink]) -> None:
    """Give a folder without metadata the generation of the folder that
    continues from its hwm; without one its links are left unchecked."""
    continued = {
        link.metadata.hwm_from: link.generation
        for link in links
        if link.metadata is not None and link.metadata.kind != "restart"
    }
    for link in links:
        if link.generation is None and link.parsed is not None:
            link.generation = continued.get(link.parsed.hwm)


def _link(link: _ChainLink, metadata: Metadata, previous: _End | None) -> list[Problem]:
    """Check one regular or restart folder against the one before it."""
    if metadata.kind == "restart":
        link.link = "restart"
        return []
    if previous is None:
        link.link = "first"
        return []

    problems = []
    hwm_from, hwm_to = metadata.hwm_from, previous.hwm_to
    if hwm_from == hwm_to:
        link.link = "linked"
    elif hwm_from > hwm_to:
        link.link = "gap"
        problems.append(
            Problem(
                link.name,
                "gap",
                f"hwm-from {hwm_from} does not follow hwm-to {hwm_to} of "
                f"{previous.folder}: the audit keys after {hwm_to} up to "
                f"{hwm_from} are missing",
                expected=str(hwm_to),
                found=str(hwm_from),
                other_folder=previous.folder,
            )
        )
    else:
        link.link = "overlap"
        problems.append(
            Problem(
                link.name,
                "overlap",
                f"hwm-from {hwm_from} is below hwm-to {hwm_to} of "
                f"{previous.folder}: the audit keys after {hwm_from} up to "
                f"{hwm_to} come twice",
                expected=str(hwm_to),
                found=str(hwm_from),
                other_folder=previous.folder,
            )
        )
    if metadata.max_data_ts < previous.max_data_ts:
        problems.append(
            Problem(
                link.name,
                "max-data-ts-backwards",
                f"max-data-ts {metadata.max_data_ts} is before "
                f"{previous.max_data_ts} of {previous.folder}",
                expected=f">= {previous.max_data_ts}",
                found=str(metadata.max_data_ts),
                other_folder=previous.folder,
            )
        )
    return problems


def _check_re_exports(
    links: Sequence[_ChainLink], start: Position | None
) -> list[Problem]:
    """A re-export's name is the name of the folder it follows, plus a number."""
    problems = []
    before = start.folder if start is not None else None
    for link in links:
        if link.kind != "re-export":
            before = link.name
            continue
        link.link = "re-export"
        base = _base_name(link.parsed)
        if base is None or before is None or base == before:
            continue
        problems.append(
            Problem(
                link.name,
                "misplaced-re-export",
                f"its name is taken from {base}, but the folder before it is {before}",
                expected=base,
                found=before,
                other_folder=before,
            )
        )
    return problems


def _base_name(parsed: FolderName | None) -> str | None:
    """The name of the folder a re-export's name was taken from."""
    if parsed is None:
        return None
    return str(FolderName(parsed.hwm, parsed.date, restart=parsed.restart))


def _result(link: _ChainLink, problems: Sequence[Problem]) -> FolderResult:
    metadata = link.metadata
    failed = any(problem.folder == link.name for problem in problems)
    tables = link.csv_files
    rows = None
    if metadata is not None and metadata.gim_version.startswith("gimexport"):
        tables = len(metadata.tables)
        rows = sum(entry.rows for entry in metadata.tables)
    return FolderResult(
        name=link.name,
        kind=metadata.kind if metadata else None,
        hwm_from=metadata.hwm_from if metadata else None,
        hwm_to=metadata.hwm_to if metadata else None,
        max_data_ts=metadata.max_data_ts if metadata else None,
        tables=tables,
        rows=rows,
        link=link.link,
        status="failed" if failed else "ok",
        note=link.note,
    )


def _remember(
    directory: Path,
    links: Sequence[_ChainLink],
    problems: Sequence[Problem],
    start: Position | None,
) -> str | None:
    """Write the newest folder that is sound along with all before it.

    The position links to the end of the newest generation among them: the
    export writes no more folders of an older one.
    """
    blamed = {problem.folder for problem in problems}
    sound: list[_ChainLink] = []
    for link in links:
        if link.name in blamed:
            break
        sound.append(link)
    if not sound:
        return None

    newest = sound[-1].name
    ends = [
        (link.generation, end)
        for link in sound
        if link.kind != "re-export"
        and link.generation is not None
        and (end := link.end()) is not None
    ]
    if start is not None:
        ends.append(
            (
                start.generation,
                _End(start.linked_folder, start.hwm_to, start.max_data_ts),
            )
        )
    if ends:
        generation, end = max(ends, key=lambda pair: (pair[0], pair[1].hwm_to))
        position = Position(newest, end.hwm_to, end.max_data_ts, generation, end.folder)
    else:
        position = Position.from_name(newest) or Position(newest, 0, 0)
    write_position(directory, position)
    logger.info("remembered %s as verified", newest)
    return newest
