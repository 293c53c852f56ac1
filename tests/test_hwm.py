"""The chunk choice: gaps, open transactions, data-time limits."""

from __future__ import annotations

import pytest

from gim_export.hwm import choose_chunk, dead_below, passable_keys
from gim_export.infomart import AuditKey

DAY = 86400


def key(number: int, data_ts: int | None = None) -> AuditKey:
    ts = data_ts if data_ts is not None else number * 3600
    return AuditKey(number, ts + 60, ts, None, None)


def keys(*numbers: int) -> list[AuditKey]:
    return [key(n) for n in numbers]


@pytest.mark.parametrize(
    ("numbers", "hwm", "dead", "expected", "blocked"),
    [
        ((1, 2, 3), 0, 0, (1, 2, 3), None),
        ((1, 2, 4), 0, 0, (1, 2), 3),
        ((1, 2, 4), 0, 4, (1, 2, 4), None),
        ((4, 5), 2, 0, (), 3),
        ((6, 9), 5, 9, (6, 9), None),
        ((6, 9, 12), 5, 9, (6, 9), 10),
        ((), 5, 0, (), None),
    ],
    ids=[
        "contiguous",
        "gap-stops",
        "dead-gap-passes",
        "gap-right-after-hwm",
        "dead-gaps-of-several-keys",
        "gap-above-dead-bound",
        "nothing-committed",
    ],
)
def test_passable_keys(
    numbers: tuple[int, ...],
    hwm: int,
    dead: int,
    expected: tuple[int, ...],
    blocked: int | None,
) -> None:
    passable, blocked_at = passable_keys(keys(*numbers), hwm, dead)
    assert tuple(k.audit_key for k in passable) == expected
    assert blocked_at == blocked


def test_dead_below_needs_every_open_transaction_ended() -> None:
    first_view = keys(1, 2, 5)
    assert dead_below(first_view, transactions_still_open=True) == 0
    assert dead_below(first_view, transactions_still_open=False) == 5
    assert dead_below([], transactions_still_open=False) == 0


def test_chunk_stops_at_one_day_of_data() -> None:
    committed = [key(n, n * 6 * 3600) for n in range(1, 11)]  # one key per 6 h
    chunk = choose_chunk(committed, 0, None, DAY)
    assert chunk is not None
    assert [k.audit_key for k in chunk.keys] == [1, 2, 3, 4, 5]
    assert chunk.max_data_ts - chunk.data_from_ts == DAY
    assert chunk.blocked_at is None


def test_chunk_continues_from_previous_data_time() -> None:
    committed = [key(n, n * 6 * 3600) for n in range(6, 11)]
    chunk = choose_chunk(committed, 5, 5 * 6 * 3600, DAY)
    assert chunk is not None
    assert [k.audit_key for k in chunk.keys] == [6, 7, 8, 9]


def test_single_key_wider_than_a_chunk_is_never_split() -> None:
    committed = [key(1, 0), key(2, 3 * DAY), key(3, 3 * DAY + 60)]
    first = choose_chunk(committed, 0, None, DAY)
    assert first is not None and [k.audit_key for k in first.keys] == [1]
    second = choose_chunk(committed[1:], 1, first.max_data_ts, DAY)
    assert second is not None and [k.audit_key for k in second.keys] == [2]
    assert second.max_data_ts == 3 * DAY


def test_catch_up_after_outage_moves_one_day_at_a_time() -> None:
    burst = [key(10 + i, i * 4 * 3600) for i in range(18)]  # 3 days in 4-hour keys
    position, data_ts, chunks = 9, 0, []
    while True:
        chunk = choose_chunk(
            [k for k in burst if k.audit_key > position], position, data_ts, DAY
        )
        if chunk is None:
            break
        chunks.append(chunk)
        assert chunk.max_data_ts - chunk.data_from_ts <= DAY
        position, data_ts = chunk.hwm_to.audit_key, chunk.max_data_ts
    assert [c.key_count for c in chunks] == [7, 6, 5]
    assert position == 27


def test_data_time_never_goes_backwards() -> None:
    committed = [key(1, 5000), key(2, 1000), AuditKey(3, 9000, None, None, None)]
    chunk = choose_chunk(committed, 0, 4000, DAY)
    assert chunk is not None
    assert chunk.max_data_ts == 5000
    assert chunk.hwm_to.audit_key == 3


def test_blocked_chunk_reports_missing_key() -> None:
    chunk = choose_chunk(keys(1, 2, 4, 5), 0, None, DAY)
    assert chunk is not None
    assert chunk.hwm_to.audit_key == 2
    assert chunk.blocked_at == 3
    assert choose_chunk(keys(4, 5), 2, None, DAY) is None
