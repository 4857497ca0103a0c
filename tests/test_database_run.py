"""``Database.run`` on PostgreSQL: a transaction the server aborts to break a
deadlock (or a serialization failure) is run again, whole, a few times at
most, so a race between two instances costs a retry, not an error reply.

The aborts here are real: two instances updating two rows in opposite
orders, and ``RAISE ... USING ERRCODE`` for the exact SQLSTATE.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import AsyncIterator, Callable

import pytest
import pytest_asyncio
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from bot.storage.database import RETRIES, Database
from tests.support.postgres import PostgresServer

pytestmark = pytest.mark.slow

_names = itertools.count()


@pytest_asyncio.fixture
async def pair(postgres: PostgresServer) -> AsyncIterator[tuple[Database, Database]]:
    """Two instances (two pools) on one database with a table of two counters."""
    url = postgres.create_database(f"run{next(_names)}")
    first, second = Database(url), Database(url)

    def setup(conn: Connection) -> None:
        conn.exec_driver_sql("CREATE TABLE counters (id int PRIMARY KEY, n int NOT NULL)")
        conn.exec_driver_sql("INSERT INTO counters VALUES (1, 0), (2, 0)")

    await first.run(setup)
    yield first, second
    await first.dispose()
    await second.dispose()


def _counters(conn: Connection) -> list[tuple[int, int]]:
    return [(int(r[0]), int(r[1])) for r in conn.exec_driver_sql("SELECT id, n FROM counters ORDER BY id")]


def _raising(code: str, runs: list[int], times: int) -> Callable[[Connection], str]:
    """Work that writes, then fails with SQLSTATE ``code`` on its first ``times`` runs."""
    def work(conn: Connection) -> str:
        runs.append(1)
        conn.exec_driver_sql("UPDATE counters SET n = n + 1 WHERE id = 1")
        if len(runs) <= times:
            conn.exec_driver_sql(f"DO $$ BEGIN RAISE EXCEPTION 'aborted' USING ERRCODE = '{code}'; END $$")
        return "done"
    return work


async def test_two_instances_deadlocking_both_commit_each_write_exactly_once(
        pair: tuple[Database, Database], caplog: pytest.LogCaptureFixture) -> None:
    """Each instance updates the two rows in the opposite order; the pause on the
    first run makes both hold their first row before reaching for the second,
    so PostgreSQL must abort one. It is run again and both commit."""
    first, second = pair
    runs: list[str] = []

    def crossing(name: str, order: tuple[int, int]) -> Callable[[Connection], str]:
        def work(conn: Connection) -> str:
            runs.append(name)
            conn.exec_driver_sql(f"UPDATE counters SET n = n + 1 WHERE id = {order[0]}")
            if runs.count(name) == 1:
                conn.exec_driver_sql("SELECT pg_sleep(0.3)")
            conn.exec_driver_sql(f"UPDATE counters SET n = n + 1 WHERE id = {order[1]}")
            return name
        return work

    with caplog.at_level(logging.WARNING, logger="bot.storage.database"):
        done = await asyncio.gather(first.run(crossing("one", (1, 2))), second.run(crossing("two", (2, 1))))
    assert done == ["one", "two"]
    assert len(runs) == 3  # one of them ran twice
    assert await first.run(_counters) == [(1, 2), (2, 2)]  # the aborted run left nothing behind
    retried = [r.getMessage() for r in caplog.records]
    assert retried == [f"transaction aborted (SQLSTATE 40P01), running it again (1 of {RETRIES})"]


async def test_a_serialization_failure_is_run_again_from_the_start(pair: tuple[Database, Database]) -> None:
    first, _ = pair
    runs: list[int] = []
    assert await first.run(_raising("40001", runs, times=2)) == "done"
    assert len(runs) == 3
    assert await first.run(_counters) == [(1, 1), (2, 0)]


async def test_an_abort_every_time_gives_up_after_a_few_runs(pair: tuple[Database, Database]) -> None:
    first, _ = pair
    runs: list[int] = []
    with pytest.raises(sa.exc.DBAPIError) as raised:
        await first.run(_raising("40P01", runs, times=RETRIES + 5))
    assert getattr(raised.value.orig, "sqlstate", None) == "40P01"
    assert len(runs) == RETRIES + 1
    assert await first.run(_counters) == [(1, 0), (2, 0)]


async def test_other_database_errors_are_not_run_again(pair: tuple[Database, Database]) -> None:
    first, _ = pair
    runs: list[int] = []
    with pytest.raises(sa.exc.DBAPIError):
        await first.run(_raising("23505", runs, times=1))  # unique_violation: running again would not help
    assert len(runs) == 1
    assert await first.run(_counters) == [(1, 0), (2, 0)]
