"""The one way to talk to the database: run a unit of work in a transaction.

Queries are plain synchronous SQLAlchemy Core functions taking a
``Connection``. On SQLite they run inline on the event loop: each turn is a
few hundred microseconds of local I/O, and skipping the thread hop of an async
driver is what makes per-update durable commits cheap (see bench/). On
PostgreSQL the same functions run through ``AsyncConnection.run_sync`` over
asyncpg, so network round trips never block the loop. Either way a unit of
work is one transaction: all of it is stored, or none. On SQLite the few
statements every update runs skip SQLAlchemy's execute machinery and go to
``sqlite3`` on the same connection and transaction (``sqlite_raw.py``).
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bot import json_codec
from bot.storage.checkpoint import WalCheckpointer

T = TypeVar("T")

log = logging.getLogger(__name__)

#: PostgreSQL aborted the transaction so another could go on; running it again is safe.
RETRYABLE = frozenset({"40P01", "40001"})  # deadlock_detected, serialization_failure
#: How many times an aborted transaction is run again before its error is raised.
RETRIES = 3


class DatabaseError(Exception):
    """The database cannot be used; the message names the setting to fix."""


def _sqlite_path(url: sa.URL) -> Path | None:
    db = url.database
    if not db or db == ":memory:" or db.startswith("file:"):
        return None
    return Path(db)


def _prepare_sqlite_file(path: Path) -> None:
    """Create the folder and file readable by their owner only: the file holds confessions."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not path.exists():
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(fd)
    os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)


class Database:
    """Owns the engine; ``run`` is the only way code reaches a connection."""

    def __init__(self, url: str):
        try:
            parsed = make_url(url)
        except sa.exc.ArgumentError as exc:
            raise DatabaseError(f"database.url is not a database URL: {exc}") from None
        self.url = parsed
        self.dialect = parsed.get_backend_name()
        self._sync: Engine | None = None
        #: SQLite: the one connection every unit of work runs on (see ``_run_sqlite``).
        self._conn: Connection | None = None
        self._async: AsyncEngine | None = None
        self._checkpointer: WalCheckpointer | None = None
        if self.dialect == "sqlite":
            path = _sqlite_path(parsed)
            if path is not None:
                try:
                    _prepare_sqlite_file(path)
                except OSError as exc:
                    raise DatabaseError(f"database.url: cannot create {path}: {exc.strerror}") from None
            # hide_parameters: an error message must never carry what a user wrote.
            self._sync = sa.create_engine(parsed.set(drivername="sqlite+pysqlite"), hide_parameters=True,
                                          json_serializer=json_codec.dumps, json_deserializer=json_codec.loads)
            event.listen(self._sync, "connect", _sqlite_pragmas)
            if path is not None:
                # Checkpoints off the loop (checkpoint.py); the loop's connection never runs one.
                self._checkpointer = WalCheckpointer(path).start()
                event.listen(self._sync, "connect", _no_autocheckpoint)
        elif self.dialect == "postgresql":
            self._async = create_async_engine(
                parsed.set(drivername="postgresql+asyncpg"), pool_size=10, max_overflow=10, pool_recycle=1800,
                hide_parameters=True, json_serializer=json_codec.dumps, json_deserializer=json_codec.loads,
            )
        else:
            raise DatabaseError(f"database.url: unsupported database '{self.dialect}' (use sqlite or postgresql)")

    @property
    def is_sqlite(self) -> bool:
        return self._sync is not None

    async def run(self, work: Callable[[Connection], T]) -> T:
        """Run ``work`` in one transaction and commit (or roll back on error).

        On PostgreSQL a transaction the server aborts as a deadlock or a
        serialization failure (SQLSTATE 40P01, 40001) did nothing: it is run
        again from the start, a few times at most, after a short random pause,
        instead of turning a race between two instances into an error for
        someone. So ``work`` may run more than once: it keeps its effects in
        the transaction and its result (nothing outside them counts a run).
        Locks taken in one order (see ``links.lock``) keep this the exception.
        SQLite has one writer at a time and no such aborts.
        """
        if self._sync is not None:
            return self._run_sqlite(work)
        assert self._async is not None
        for attempt in range(1, RETRIES + 2):
            try:
                async with self._async.begin() as conn:
                    return await conn.run_sync(work)
            except sa.exc.DBAPIError as exc:
                code = getattr(exc.orig, "sqlstate", None)
                if code not in RETRYABLE or attempt > RETRIES:
                    raise
                # The SQLSTATE only: the statement's parameters may hold what someone wrote.
                log.warning("transaction aborted (SQLSTATE %s), running it again (%d of %d)", code, attempt, RETRIES)
                await asyncio.sleep(random.uniform(0.005, 0.05) * attempt)
        raise AssertionError("unreachable")

    def _run_sqlite(self, work: Callable[[Connection], T]) -> T:
        """One transaction on the long-lived connection.

        ``Engine.begin`` per unit of work checked a connection out of the pool
        and back in (pool events, reset-on-return rollback) around a body of a
        few hundred microseconds, for the same ``sqlite3`` connection every
        time: the pool keeps it open anyway. Work runs inline with no await, so
        units of work never overlap on the loop and one connection serves them
        all. ``Connection.begin``'s context commits, or rolls back on an error
        (a failed commit included), exactly as ``Engine.begin``'s did.
        """
        conn = self._conn
        if conn is None or conn.invalidated:
            conn = self._conn = self._connect_sqlite()
        with conn.begin():
            return work(conn)

    def _connect_sqlite(self) -> Connection:
        """A fresh connection (the first, or after SQLAlchemy invalidated the last)."""
        if self._conn is not None:
            self._conn.close()
        assert self._sync is not None
        return self._sync.connect()

    async def dispose(self) -> None:
        if self._checkpointer is not None:
            self._checkpointer.stop()
            self._checkpointer = None
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if self._sync is not None:
            self._sync.dispose()
        if self._async is not None:
            await self._async.dispose()


def _no_autocheckpoint(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA wal_autocheckpoint=0")
    cur.close()


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    """WAL with synchronous=NORMAL: durable across a process crash, fast commits;
    busy_timeout lets the console and the bot share the file; foreign keys make
    ON DELETE CASCADE real (SQLite leaves them off by default)."""
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()
