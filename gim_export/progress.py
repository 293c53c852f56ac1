"""How long work reports its progress without knowing about terminals.

Core functions accept any object with the three methods of :class:`Progress`.
The CLI passes a rich progress bar on a terminal and :class:`NoProgress`
otherwise, so that runs under cron stay quiet.
"""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    """Receives progress of long work, one task at a time or several at once."""

    def start(self, task: str, total: int | None = None, unit: str = "rows") -> None:
        """A task begins; ``total`` is None when its size is unknown."""

    def advance(self, task: str, amount: int) -> None:
        """A task moved ``amount`` units further."""

    def finish(self, task: str) -> None:
        """A task is done."""


class NoProgress:
    """Progress that goes nowhere: for tests, cron and scripts."""

    def start(self, task: str, total: int | None = None, unit: str = "rows") -> None:
        """Ignore the start of a task."""

    def advance(self, task: str, amount: int) -> None:
        """Ignore an advance."""

    def finish(self, task: str) -> None:
        """Ignore the end of a task."""
