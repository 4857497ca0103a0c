"""Two `trustbot run --webhook` processes on one PostgreSQL database, updates split between them."""

from __future__ import annotations

import asyncio
import os
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.storage.database import Database
from bot.storage.tables import checkins
from tests.conftest import shipped_graph
from tests.e2e.conftest import make_due_now, upgrade_schema
from tests.support.botapi_emulator import BotApiEmulator
from tests.support.botprocess import BotProcess
from tests.support.chat import EngineChat
from tests.support.content import mirror
from tests.support.postgres import PostgresServer, free_port
from tests.support.telegram_chat import TelegramChat
from tests.support.walks import mirrored_walk

pytestmark = pytest.mark.slow

GRAPH = shipped_graph()
SECRET = "webhook-secret-for-tests-0123456789"


class SplitChat(TelegramChat):
    """A user whose updates a load balancer sends to one instance, then the other."""

    def __init__(self, emulator: BotApiEmulator, user_id: int, instances: list[BotProcess],
                 mirror: EngineChat | None = None):
        super().__init__(emulator, user_id, timeout=20, mirror=mirror)
        self.instances = instances
        self.turn = 0

    def _post(self, update: dict) -> None:
        instance = self.instances[self.turn % len(self.instances)]
        self.turn += 1
        assert instance.post_update(update) == 200

    async def _send(self, text: str):
        if self.mirror is not None:
            self.expect = len(await self.mirror.send(text))
        before = self._count()
        self._post(self.emulator.send_text(self.user_id, text))
        return await asyncio.to_thread(self._collect, before)

    async def _press(self, label: str):
        if self.mirror is not None:
            self.expect = len(await self.mirror.press(label))
        before = self._count()
        self._post(self.emulator.press_button(self.user_id, label))
        return await asyncio.to_thread(self._collect, before)


@pytest.fixture
def instances(emulator: BotApiEmulator, postgres: PostgresServer, tmp_path: Path):
    url = postgres.create_database(f"two{os.getpid()}{free_port()}")
    upgrade_schema(url, tmp_path)
    started = []
    for name in ("a", "b"):
        workdir = tmp_path / name
        workdir.mkdir()
        process = BotProcess(
            emulator, url, workdir,
            TRUSTBOT_TELEGRAM_WEBHOOK_ENABLED="true",
            TRUSTBOT_TELEGRAM_WEBHOOK_PORT=str(free_port()),
            TRUSTBOT_TELEGRAM_WEBHOOK_SECRET_TOKEN=SECRET,
            TRUSTBOT_CHECKIN_DISPATCH_INTERVAL="0.3",
        )
        started.append(process.start())
    yield started
    for process in started:
        process.stop()
    for process in started:
        assert "Traceback" not in process.log(), process.log()


def test_users_split_across_two_instances_keep_a_consistent_state(emulator: BotApiEmulator, instances) -> None:
    errors: list[str] = []

    def one_user(user_id: int) -> None:
        chat = SplitChat(emulator, user_id, instances)
        try:
            asyncio.run(mirrored_walk(chat, mirror(), user_id, 15, GRAPH.ui.quick_exit_button))
        except AssertionError as exc:
            errors.append(str(exc)[:400])

    threads = [threading.Thread(target=one_user, args=(uid,)) for uid in range(8001, 8007)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors


def test_the_same_tap_sent_to_both_instances_at_once_moves_the_user_only_once(
    emulator: BotApiEmulator, instances
) -> None:
    chat = SplitChat(emulator, 8100, instances, mirror=mirror())
    asyncio.run(chat.send("/start"))
    role_message = emulator.bot_messages(8100)[-1]
    data = role_message["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    before = len(emulator.bot_messages(8100))
    updates = [emulator.press(8100, role_message["message_id"], data) for _ in instances]
    threads = [threading.Thread(target=p.post_update, args=(u,)) for p, u in zip(instances, updates, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    emulator.wait_for(lambda: len(emulator.callback_answers) >= 2, 15)
    # One message for each tap: the step it moved to, and (joined into one) the notice with the step now.
    emulator.wait_for_messages(8100, before + 2, 15)
    # The tap that lost the race says so: wait for that answer itself, not for a quiet chat.
    emulator.wait_for(
        lambda: any("earlier step" in (m["text"] or "") for m in emulator.bot_messages(8100, start=before)), 15
    )
    new = [m["text"] for m in emulator.bot_messages(8100, start=before)]
    stale = [t for t in new if "earlier step" in t]
    assert len(stale) == 1, new  # one tap moved the user; the other found the step already taken


def test_the_webhook_checks_the_secret_and_refuses_garbage(emulator: BotApiEmulator, instances) -> None:
    update = emulator.send_text(8200, "/start")
    assert instances[0].post_update(update, secret="wrong-secret-0123456789") == 403
    assert instances[0].post_update({"not": "an update"}) in (200, 400)
    assert emulator.bot_messages(8200) == []
    assert instances[1].post_update(update) == 200
    emulator.wait_for_messages(8200, 1, 10)


def test_both_instances_dispatch_but_each_check_in_is_sent_exactly_once(emulator: BotApiEmulator, instances) -> None:
    people = list(range(8300, 8312))
    for user in people:
        chat = SplitChat(emulator, user, instances, mirror=mirror())
        asyncio.run(chat.send("/start"))
        asyncio.run(chat.press(chat.buttons[user % 2]))  # either role
        chat.mirror = None  # a settings reply: one message
        asyncio.run(chat.send("/timezone Tokyo"))
    url = instances[0].env["TRUSTBOT_DATABASE_URL"]
    asyncio.run(make_due_now(url, people))
    intro = GRAPH.checkin.texts.intro.split("\n")[0]
    arrived = lambda u: [m for m in emulator.bot_messages(u) if (m["text"] or "").startswith(intro)]  # noqa: E731
    emulator.wait_for(lambda: all(arrived(u) for u in people), 30, poll_interval=0.2)

    async def rows():
        db = Database(url)
        try:
            return await db.run(lambda c: c.execute(
                sa.select(checkins.c.user_id, checkins.c.status)).all())
        finally:
            await db.dispose()

    # Wait until both dispatchers have recorded every send: a doubled claim would show by then.
    deadline = time.monotonic() + 30
    found = asyncio.run(rows())
    while {status for _, status in found} != {"sent"} and time.monotonic() < deadline:
        time.sleep(0.1)
        found = asyncio.run(rows())
    assert len(found) == len(people) and {s for _, s in found} == {"sent"}
    assert {u: len(arrived(u)) for u in people} == dict.fromkeys(people, 1)
