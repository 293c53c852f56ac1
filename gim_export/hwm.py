"""Choosing the next chunk: the audit keys one export folder will hold.

The chunk starts right after the stream's high-water mark and takes committed
audit keys in order. It stops

- before an audit key that is missing from the log while a later one is
  present, unless that key is known to be dead (its transaction rolled back):
  the transaction holding it may still commit, and passing it would lose its
  rows for good;
- when the data time of the next key would carry the chunk past
  ``chunk-size-seconds`` beyond where the stream's data time stood; a single
  audit key is never split, so a chunk always holds at least one key.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from gim_export.infomart import AuditKey


@dataclass(frozen=True)
class Chunk:
    """The audit keys (hwm_from, hwm_to] of one folder and its data time."""

    hwm_from: int
    hwm_to: AuditKey
    keys: tuple[AuditKey, ...]
    data_from_ts: int
    max_data_ts: int
    blocked_at: int | None

    @property
    def key_count(self) -> int:
        """How many audit keys the chunk holds."""
        return len(self.keys)


def passable_keys(
    committed: Sequence[AuditKey], hwm: int, dead_below: int = 0
) -> tuple[list[AuditKey], int | None]:
    """Return the keys after ``hwm`` with no unresolved gap before them.

    Missing keys below ``dead_below`` are known to be dead. The second value
    is the first missing audit key that stopped the walk, or None when none
    did.
    """
    passable: list[AuditKey] = []
    expected = hwm + 1
    for key in committed:
        if key.audit_key > expected and key.audit_key > dead_below:
            return passable, max(expected, dead_below)
        passable.append(key)
        expected = key.audit_key + 1
    return passable, None


def choose_chunk(
    committed: Sequence[AuditKey],
    hwm: int,
    previous_max_data_ts: int | None,
    chunk_size_seconds: int,
    dead_below: int = 0,
) -> Chunk | None:
    """Return the next chunk after ``hwm``, or None when nothing can be exported."""
    keys, blocked_at = passable_keys(committed, hwm, dead_below)
    if not keys:
        return None

    first_ts = keys[0].max_chunk_ts
    data_from = previous_max_data_ts
    if data_from is None:
        data_from = first_ts if first_ts is not None else keys[0].created_ts
    limit = data_from + chunk_size_seconds

    chosen: list[AuditKey] = []
    max_data_ts = data_from
    for key in keys:
        key_ts = key.max_chunk_ts if key.max_chunk_ts is not None else max_data_ts
        if chosen and key_ts > limit:
            blocked_at = None
            break
        chosen.append(key)
        max_data_ts = max(max_data_ts, key_ts)

    return Chunk(
        hwm_from=hwm,
        hwm_to=chosen[-1],
        keys=tuple(chosen),
        data_from_ts=data_from,
        max_data_ts=max_data_ts,
        blocked_at=blocked_at if len(chosen) == len(keys) else None,
    )


def dead_below(first_view: Sequence[AuditKey], transactions_still_open: bool) -> int:
    """Return the bound under which every key missing from the log is dead.

    A key missing below a committed key of ``first_view`` was taken before
    that view's snapshot. If no transaction that was open after the snapshot
    is still open, the key's transaction has ended: had it committed, the
    export snapshot taken afterwards shows it, so whatever is missing there
    rolled back.
    """
    if transactions_still_open or not first_view:
        return 0
    return first_view[-1].audit_key
