"""The exception hierarchy of gimexport.

Every error a user can cause or meet derives from :class:`GimExportError`.
The CLI catches that base class in one place, prints ``Error: <message>`` on
one line and exits with the class's ``exit_code``.
"""

from __future__ import annotations

from dataclasses import dataclass

# Exit codes shared by all commands.
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_ALREADY_RUNNING = 3
EXIT_MAINTENANCE_LOCK = 4


class GimExportError(Exception):
    """Base class of every error gimexport reports to its user."""

    exit_code = EXIT_FAILURE


class ConfigError(GimExportError):
    """The configuration file or a command-line value is missing or wrong."""

    exit_code = EXIT_USAGE


class DatabaseUnavailable(GimExportError):
    """The Info Mart or target database cannot be reached."""

    def __init__(self, message: str, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class CatalogError(GimExportError):
    """The Info Mart catalog lacks something the export needs."""


class StateError(GimExportError):
    """The output directory's state disagrees with its folders."""


class ExportAlreadyRunning(GimExportError):
    """Another export holds the lock of the output directory."""

    exit_code = EXIT_ALREADY_RUNNING


class MaintenanceLockHeld(GimExportError):
    """Info Mart maintenance holds the advisory lock longer than we wait."""

    exit_code = EXIT_MAINTENANCE_LOCK


class EncodingFailure(GimExportError):
    """A value cannot be written in the configured output encoding."""


class ExportViewsOutdated(GimExportError):
    """An export view refers to a column or table the Info Mart lost."""


@dataclass(frozen=True)
class Problem:
    """One problem found while reading a folder or a chain of folders.

    ``kind`` is one of ``gim_export.chain.PROBLEM_KINDS``; ``file`` names the
    file or zip entry concerned, ``expected`` and ``found`` the values that
    disagree, ``other_folder`` the folder on the other side of a broken link.
    """

    folder: str
    kind: str
    message: str
    file: str | None = None
    expected: str | None = None
    found: str | None = None
    other_folder: str | None = None

    def __str__(self) -> str:
        return f"{self.folder}: {self.kind}: {self.message}"


class PositionFileError(GimExportError):
    """verify-chain cannot write the position it was asked to remember."""


class ChainVerificationError(GimExportError):
    """Received folders are damaged, incomplete or out of chain."""

    def __init__(self, message: str, problems: list[Problem]) -> None:
        super().__init__(message)
        self.problems = problems
