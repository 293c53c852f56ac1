"""Progress bars on a terminal, through rich; nothing otherwise."""

from __future__ import annotations

from types import TracebackType

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from gim_export.progress import NoProgress


class RichProgress:
    """Adapts the core's progress protocol to a rich progress display."""

    def __init__(self) -> None:
        self._display = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[unit]}"),
            TimeElapsedColumn(),
            transient=False,
        )
        self._tasks: dict[str, TaskID] = {}

    def __enter__(self) -> RichProgress:
        self._display.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._display.stop()

    def start(self, task: str, total: int | None = None, unit: str = "rows") -> None:
        """Add a bar for ``task``."""
        self._tasks[task] = self._display.add_task(task, total=total, unit=unit)

    def advance(self, task: str, amount: int) -> None:
        """Move the bar of ``task``."""
        if task in self._tasks:
            self._display.advance(self._tasks[task], amount)

    def finish(self, task: str) -> None:
        """Fill the bar of ``task``."""
        if task in self._tasks:
            task_id = self._tasks[task]
            done = self._display.tasks[task_id].completed
            self._display.update(task_id, total=done, completed=done)


class QuietProgress(NoProgress):
    """No display at all; a context manager so that callers need no branch."""

    def __enter__(self) -> QuietProgress:
        return self

    def __exit__(self, *exc_info: object) -> None:
        return None


def progress_for(terminal: bool) -> RichProgress | QuietProgress:
    """A progress display for a terminal, or none."""
    return RichProgress() if terminal else QuietProgress()
