"""The raw SQLite path of every turn stores exactly what SQLAlchemy stores.

A database written by one release (or one path) is read by the other, so the
stored text must be identical, not merely equivalent: each test writes the
same values through both paths and compares the column text, then reads each
path's row through the other path.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.engine import Connection

from bot import json_codec
from bot.core.identity import UserKey
from bot.storage import checkins as checkin_store
from bot.storage import migrate, privacy, users
from bot.storage import sqlite_raw as raw
from bot.storage.database import Database
from bot.storage.tables import UtcDateTime, chat_messages

NOW = datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=UTC)

DATETIMES = [
    NOW,
    NOW.replace(microsecond=0),
    datetime(999, 1, 2, 3, 4, 5, 6, tzinfo=UTC),
    datetime(2026, 12, 31, 23, 59, 59, 999999),  # naive
    datetime(2026, 6, 1, 12, 0, tzinfo=timezone(timedelta(hours=2))),  # tzinfo dropped, not converted
]

STATES: list[dict[str, Any]] = [
    {},
    {"node": "start", "role": "hurt", "counters": {"a": 1}, "variants": [1, 2.5, None, True]},
    {"note": "Привет, ça va? 💔 👩‍❤️‍👨 日本語", "nested": {"emoji": ["🙂", "\u0000", "\"quoted\"\\"]}},
    # A lone surrogate (a broken emoji in held text): orjson refuses it, the codec falls back.
    {"pending": "half an emoji \ud83d here", "big": 2**70},
]


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[Database]:
    import asyncio

    database = Database(f"sqlite:///{tmp_path / 'raw.sqlite3'}")
    asyncio.run(migrate.upgrade(database))
    yield database
    asyncio.run(database.dispose())


def run(db: Database, work: Any) -> Any:
    import asyncio

    return asyncio.run(db.run(work))


class Paths:
    """Switch between the two paths inside one test."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch):
        self.monkeypatch = monkeypatch

    def sqlalchemy(self) -> None:
        self.monkeypatch.setattr(raw, "is_sqlite", lambda conn: False)

    def raw(self) -> None:
        self.monkeypatch.undo()


@pytest.fixture
def paths(monkeypatch: pytest.MonkeyPatch) -> Paths:
    return Paths(monkeypatch)


# --- the converters against SQLAlchemy's own type processors ---------------------

DIALECT = sqlite_dialect.dialect()


@pytest.mark.parametrize("value", DATETIMES)
def test_datetime_text_is_sqlalchemys(value: datetime) -> None:
    impl = UtcDateTime.dialect_impl(DIALECT)
    stored = impl.bind_processor(DIALECT)(value)  # type: ignore[misc]
    assert raw.datetime_text(value) == stored
    assert raw.text_datetime(stored) == impl.result_processor(DIALECT, None)(stored)  # type: ignore[misc]
    assert raw.text_datetime(None) is None


@pytest.mark.parametrize("value", STATES)
def test_json_text_is_sqlalchemys_with_the_engines_serializer(sqlite_db: Database, value: dict[str, Any]) -> None:
    assert sqlite_db._sync is not None
    dialect = sqlite_db._sync.dialect
    impl = sa.JSON().dialect_impl(dialect)
    stored = impl.bind_processor(dialect)(value)  # type: ignore[misc]
    assert raw.json_text(value) == stored
    assert raw.text_json(stored) == impl.result_processor(dialect, None)(stored) == value  # type: ignore[misc]


def test_the_engine_encodes_json_with_the_codec_the_raw_path_uses(sqlite_db: Database) -> None:
    assert sqlite_db._sync is not None
    assert sqlite_db._sync.dialect._json_serializer is json_codec.dumps  # type: ignore[attr-defined]
    assert sqlite_db._sync.dialect._json_deserializer is json_codec.loads  # type: ignore[attr-defined]


@pytest.mark.parametrize("value", STATES)
def test_json_written_by_an_earlier_release_reads_the_same(value: dict[str, Any]) -> None:
    """Releases before orjson stored ``json.dumps`` text, ``\\uXXXX`` escapes and all."""
    import json

    assert raw.text_json(json.dumps(value)) == value


# --- both paths on a real database ---------------------------------------------------

KEY = UserKey("telegram", "42")


def _stored_user(conn: Connection, user_id: int) -> tuple[Any, ...]:
    """The column text as SQLite holds it, bypassing every type processor."""
    return tuple(conn.exec_driver_sql(
        "SELECT state, updated_at, typeof(state), typeof(updated_at) FROM users WHERE id = ?", (user_id,)
    ).one())


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("now", DATETIMES[:2])
def test_user_state_round_trips_both_ways(sqlite_db: Database, paths: Paths, state: dict[str, Any],
                                          now: datetime) -> None:
    user = run(sqlite_db, lambda c: users.get_or_create(c, KEY, NOW, chat_id=7))
    written: dict[str, tuple[Any, ...]] = {}
    read: dict[tuple[str, str], users.UserRecord | None] = {}
    for writer in ("sqlalchemy", "raw"):
        getattr(paths, writer)()
        run(sqlite_db, lambda c: users.update(c, user.id, now, state=state))
        paths.raw()
        written[writer] = run(sqlite_db, lambda c: _stored_user(c, user.id))
        for reader in ("sqlalchemy", "raw"):
            getattr(paths, reader)()
            read[writer, reader] = run(sqlite_db, lambda c: users.find(c, KEY, lock=True))
            paths.raw()
    assert written["raw"] == written["sqlalchemy"]
    assert written["raw"][2:] == ("text", "text")
    records = set(map(repr, read.values()))
    assert len(records) == 1, records
    found = read["raw", "raw"]
    assert found is not None and found.state == state and found.id == user.id and found.chat_id == 7
    assert found.created_at == NOW.replace(tzinfo=None) and isinstance(found.active, bool)


def test_find_reads_every_column_as_sqlalchemy_does(sqlite_db: Database, paths: Paths) -> None:
    """Booleans, NULLs, zones, next_checkin_at and extra: not only state."""
    user = run(sqlite_db, lambda c: users.get_or_create(c, KEY, NOW))
    paths.sqlalchemy()
    run(sqlite_db, lambda c: users.update(
        c, user.id, NOW, discreet=True, active=False, checkin_enabled=False, timezone="Europe/Kyiv",
        checkin_time="08:30", next_checkin_at=NOW + timedelta(days=1), extra={"shown": ["ä", "🙂"]}))
    by_sqlalchemy = run(sqlite_db, lambda c: users.find(c, KEY))
    paths.raw()
    by_raw = run(sqlite_db, lambda c: users.find(c, KEY))
    assert by_raw == by_sqlalchemy
    assert by_raw.discreet is True and by_raw.active is False and by_raw.checkin_enabled is False
    assert by_raw.next_checkin_at == (NOW + timedelta(days=1)).replace(tzinfo=None)
    assert run(sqlite_db, lambda c: users.find(c, UserKey("telegram", "nobody"))) is None


def test_message_ids_round_trip_both_ways(sqlite_db: Database, paths: Paths) -> None:
    user = run(sqlite_db, lambda c: users.get_or_create(c, KEY, NOW, chat_id=7))
    paths.sqlalchemy()
    run(sqlite_db, lambda c: privacy.record_messages(c, user.id, 7, [10, 11], NOW))
    paths.raw()
    run(sqlite_db, lambda c: privacy.record_messages(c, user.id, 7, [12, 13], NOW))
    run(sqlite_db, lambda c: privacy.record_messages(c, user.id, 7, [], NOW))
    stored = run(sqlite_db, lambda c: c.exec_driver_sql(
        "SELECT user_id, chat_id, message_id, created_at, typeof(created_at) FROM chat_messages ORDER BY id"
    ).all())
    assert [tuple(r) for r in stored] == [
        (user.id, 7, m, "2026-03-01 09:30:15.123456", "text") for m in (10, 11, 12, 13)
    ]
    for reader in ("sqlalchemy", "raw"):
        getattr(paths, reader)()
        assert run(sqlite_db, lambda c: privacy.message_ids(c, user.id)) == [10, 11, 12, 13]
        created = run(sqlite_db, lambda c: c.execute(sa.select(chat_messages.c.created_at)).scalars().all())
        assert created == [NOW.replace(tzinfo=None)] * 4
        paths.raw()


# --- transactions ---------------------------------------------------------------------


def test_an_error_rolls_back_every_raw_write(sqlite_db: Database) -> None:
    user = run(sqlite_db, lambda c: users.get_or_create(c, KEY, NOW, chat_id=7))

    def work(conn: Connection) -> None:
        users.update(conn, user.id, NOW, state={"node": "changed"})
        privacy.record_messages(conn, user.id, 7, [1, 2], NOW)
        raise RuntimeError("the turn failed")

    with pytest.raises(RuntimeError):
        run(sqlite_db, work)
    found = run(sqlite_db, lambda c: users.find(c, KEY))
    assert found is not None and found.state == {}
    assert run(sqlite_db, lambda c: privacy.message_ids(c, user.id)) == []


def test_a_database_error_is_sqlalchemys_and_rolls_back(sqlite_db: Database) -> None:
    """A foreign key failure on the raw path: SQLAlchemy's IntegrityError, no parameters
    in its message, and the unit of work's earlier raw write undone."""
    user = run(sqlite_db, lambda c: users.get_or_create(c, KEY, NOW, chat_id=7))

    def work(conn: Connection) -> None:
        users.update(conn, user.id, NOW, state={"secret": "what a user wrote"})
        privacy.record_messages(conn, user.id + 1000, 7, [99], NOW)

    with pytest.raises(sa.exc.IntegrityError) as caught:
        run(sqlite_db, work)
    assert isinstance(caught.value.orig, sqlite3.IntegrityError)
    assert "99" not in str(caught.value) and "secret" not in str(caught.value)
    found = run(sqlite_db, lambda c: users.find(c, KEY))
    assert found is not None and found.state == {}
    assert run(sqlite_db, lambda c: c.exec_driver_sql("SELECT count(*) FROM chat_messages").scalar()) == 0


def test_committed_before_run_returns(sqlite_db: Database, tmp_path: Path) -> None:
    """Another connection (another process) sees the turn as soon as ``run`` returns."""
    user = run(sqlite_db, lambda c: users.get_or_create(c, KEY, NOW, chat_id=7))
    run(sqlite_db, lambda c: users.update(c, user.id, NOW, state={"node": "next"}))
    run(sqlite_db, lambda c: privacy.record_messages(c, user.id, 7, [5], NOW))
    other = sqlite3.connect(tmp_path / "raw.sqlite3")
    try:
        assert other.execute("SELECT state FROM users").fetchall() == [('{"node":"next"}',)]
        assert other.execute("SELECT message_id FROM chat_messages").fetchall() == [(5,)]
    finally:
        other.close()


def test_one_connection_with_the_pragmas(sqlite_db: Database) -> None:
    def pragmas(conn: Connection) -> tuple[Any, ...]:
        return tuple(conn.exec_driver_sql(f"PRAGMA {name}").scalar()
                     for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout"))

    assert run(sqlite_db, pragmas) == ("wal", 1, 1, 5000)
    first = run(sqlite_db, lambda c: c.connection.driver_connection)
    assert run(sqlite_db, lambda c: c.connection.driver_connection) is first
    assert run(sqlite_db, lambda c: c.in_transaction()) is True


def test_an_invalidated_connection_is_replaced(sqlite_db: Database) -> None:
    first = run(sqlite_db, lambda c: c)
    first.invalidate()
    second = run(sqlite_db, lambda c: c)
    assert second is not first and not second.invalidated
    assert run(sqlite_db, lambda c: c.exec_driver_sql("PRAGMA foreign_keys").scalar()) == 1


def test_usable_again_after_dispose(sqlite_db: Database) -> None:
    import asyncio

    run(sqlite_db, lambda c: users.get_or_create(c, KEY, NOW))
    asyncio.run(sqlite_db.dispose())
    assert run(sqlite_db, lambda c: users.find(c, KEY)) is not None


# --- check-in bookkeeping of a turn that moves the schedule -----------------------


def _claim(conn: Connection, user_id: int, day: date) -> None:
    checkin_store.insert_claims(conn, [{
        "user_id": user_id, "local_date": day, "due_at": NOW, "status": checkin_store.CLAIMED, "attempts": 1,
        "claimed_at": NOW, "resend_at": None, "sent_at": None, "mood": None, "created_at": NOW,
    }])


def test_schedule_bookkeeping_round_trips_both_ways(sqlite_db: Database, paths: Paths) -> None:
    user = run(sqlite_db, lambda c: users.get_or_create(c, KEY, NOW))
    other = run(sqlite_db, lambda c: users.get_or_create(c, UserKey("telegram", "43"), NOW))
    run(sqlite_db, lambda c: users.update(c, user.id, NOW, timezone="Europe/Kyiv", checkin_time="21:05",
                                          checkin_enabled=False))
    for day in (date(2026, 2, 27), date(2026, 3, 1), date(2026, 2, 28)):
        run(sqlite_db, lambda c, day=day: _claim(c, user.id, day))
    due = NOW + timedelta(hours=11, microseconds=1)
    seen: dict[str, tuple[Any, ...]] = {}
    for path in ("sqlalchemy", "raw"):
        getattr(paths, path)()
        run(sqlite_db, lambda c: checkin_store.set_next(c, [(user.id, due), (other.id, None)]))
        run(sqlite_db, lambda c: checkin_store.set_next(c, []))
        paths.raw()
        stored = run(sqlite_db, lambda c: c.exec_driver_sql(
            "SELECT next_checkin_at FROM users ORDER BY id").scalars().all())
        for reader in ("sqlalchemy", "raw"):
            getattr(paths, reader)()
            seen[path, reader] = (
                stored,
                run(sqlite_db, lambda c: users.find(c, KEY)).next_checkin_at,
                run(sqlite_db, lambda c: checkin_store.schedule_row(c, user.id)),
                run(sqlite_db, lambda c: checkin_store.schedule_row(c, user.id + 1000)),
                run(sqlite_db, lambda c: checkin_store.last_day(c, user.id)),
                run(sqlite_db, lambda c: checkin_store.last_day(c, other.id)),
            )
            paths.raw()
        run(sqlite_db, lambda c: checkin_store.set_next(c, [(user.id, None)]))
    assert len(set(map(repr, seen.values()))) == 1, seen
    assert seen["raw", "raw"] == (
        ["2026-03-01 20:30:15.123457", None], due.replace(tzinfo=None),
        checkin_store.ScheduleRow(active=True, checkin_enabled=False, checkin_time="21:05", timezone="Europe/Kyiv"),
        None, date(2026, 3, 1), None,
    )
    row = seen["raw", "raw"][2]
    assert isinstance(row.active, bool) and isinstance(row.checkin_enabled, bool)


def test_a_new_user_row_is_the_same_by_either_path(sqlite_db: Database, paths: Paths) -> None:
    """First contact writes the row raw on SQLite; every column must read as
    the SQLAlchemy insert wrote it, and a second call must find, not insert."""
    columns = "channel, external_id, chat_id, state, active, discreet, checkin_enabled, extra, created_at, " \
              "updated_at, typeof(state), typeof(created_at)"
    stored: dict[str, tuple[Any, ...]] = {}
    found: dict[str, users.UserRecord] = {}
    for number, path in enumerate(("sqlalchemy", "raw")):
        getattr(paths, path)()
        key = UserKey("telegram", f"new-{number}")
        created = run(sqlite_db, lambda c, key=key: users.get_or_create(c, key, NOW, chat_id=7))
        again = run(sqlite_db, lambda c, key=key: users.get_or_create(c, key, NOW + timedelta(hours=1)))
        paths.raw()
        assert created.is_new and not again.is_new and again.id == created.id
        stored[path] = tuple(run(sqlite_db, lambda c, key=key: c.exec_driver_sql(
            f"SELECT {columns} FROM users WHERE external_id = ?", (key.external_id,)).one()))[2:]
        found[path] = again
    assert stored["raw"] == stored["sqlalchemy"]
    assert {path: (r.state, r.extra, r.active, r.discreet, r.checkin_enabled, r.chat_id, r.created_at)
            for path, r in found.items()} == {
        path: ({}, {}, True, False, True, 7, NOW.replace(tzinfo=None)) for path in ("sqlalchemy", "raw")}


@pytest.mark.parametrize("changes", [
    {"discreet": True},
    {"timezone": "Europe/Kyiv", "checkin_time": "08:30", "checkin_enabled": True},
    {"checkin_enabled": False, "active": False},
    {"next_checkin_at": NOW + timedelta(days=1)},
    {"next_checkin_at": None, "timezone": None},
    {"extra": {"shown": ["ä", "🙂"], "n": 1.5}, "chat_id": 42},
    {"state": STATES[2], "active": True},
])
def test_any_settings_update_stores_what_sqlalchemy_stores(sqlite_db: Database, paths: Paths,
                                                         changes: dict[str, Any]) -> None:
    """Settings, check-in bookkeeping and the like go raw on SQLite too: each
    column's stored text and type must be SQLAlchemy's, read back alike."""
    columns = ", ".join(f"{name}, typeof({name})" for name in (*changes, "updated_at"))
    stored: dict[str, tuple[Any, ...]] = {}
    found: dict[str, users.UserRecord] = {}
    for number, path in enumerate(("sqlalchemy", "raw")):
        key = UserKey("telegram", f"settings-{number}")
        user = run(sqlite_db, lambda c, key=key: users.get_or_create(c, key, NOW, chat_id=7))
        getattr(paths, path)()
        run(sqlite_db, lambda c, user=user: users.update(c, user.id, NOW + timedelta(minutes=5), **changes))
        paths.raw()
        stored[path] = tuple(run(sqlite_db, lambda c, user=user: c.exec_driver_sql(
            f"SELECT {columns} FROM users WHERE id = ?", (user.id,)).one()))
        found[path] = run(sqlite_db, lambda c, key=key: users.find(c, key))
    assert stored["raw"] == stored["sqlalchemy"]
    for name, value in changes.items():
        want = value.replace(tzinfo=None) if isinstance(value, datetime) else value
        assert getattr(found["raw"], name) == getattr(found["sqlalchemy"], name) == want
