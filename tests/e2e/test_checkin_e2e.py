"""Check-ins through the real ``trustbot run`` process and the Bot API emulator.

The only test-specific setting is the dispatch interval (half a second instead
of thirty, through ``TRUSTBOT_CHECKIN_DISPATCH_INTERVAL``); the check-in is set
for the coming minute on the real clock, so this waits up to about a minute.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from bot.storage.database import Database
from bot.storage.tables import checkins
from tests.conftest import shipped_graph
from tests.e2e.conftest import assert_clean_log
from tests.support.botapi_emulator import BotApiEmulator
from tests.support.botprocess import BotProcess
from tests.support.content import mirror
from tests.support.telegram_chat import TelegramChat

pytestmark = pytest.mark.slow

GRAPH = shipped_graph()
ROLE_HURT = next(b.label for b in GRAPH.nodes[GRAPH.role_choice].buttons if b.role == "hurt_partner")
#: The dispatch interval the checkin_bot fixture sets.
INTERVAL = "0.5"
INTRO = GRAPH.checkin.texts.intro.split("{")[0].split("\n")[0] if GRAPH.checkin else "Your daily check-in"


def check_ins(emulator: BotApiEmulator, user: int) -> list[dict]:
    return [m for m in emulator.bot_messages(user) if (m.get("text") or "").startswith(INTRO)]


async def statuses(database_url: str) -> list[str]:
    db = Database(database_url)
    try:
        return await db.run(lambda c: [r[0] for r in c.execute(sa.select(checkins.c.status))])
    finally:
        await db.dispose()


@pytest.mark.timeout(240)
async def test_a_check_in_set_for_the_coming_minute_arrives_once_and_not_again_after_a_restart(
    emulator: BotApiEmulator, checkin_bot: BotProcess, database_url: str
) -> None:
    user = 7101
    chat = TelegramChat(emulator, user, mirror=mirror())
    await chat.send("/start")
    await chat.press(ROLE_HURT)
    seen = await chat.press("No need")  # onboarding: discreet mode, then where you are
    assert "check-in" in seen[-1].text and "Skip for now" in seen[-1].buttons
    chat.mirror = None  # settings replies come from the service, not the engine: read the first of them
    seen = await chat.send("/timezone Lisbon")
    assert "Europe/Lisbon" in seen[0].text
    now = datetime.now(ZoneInfo("Europe/Lisbon"))
    due = (now + timedelta(minutes=1 if now.second < 45 else 2)).replace(second=0, microsecond=0)
    seen = await chat.send(f"/checkin {due:%H:%M}")
    assert f"{due:%H:%M}" in seen[0].text and "Europe/Lisbon" in seen[0].text

    await emulator.async_wait_for(lambda: check_ins(emulator, user), timeout=150,
                                  message="no check-in arrived")
    arrived = datetime.now(ZoneInfo("Europe/Lisbon"))
    assert due <= arrived < due + timedelta(seconds=30)
    # The question is a paragraph of its own, joined under the intro: the mood keyboard is under it.
    question = await emulator.async_wait_for(
        lambda: next((m for m in emulator.bot_messages(user)
                      if any(p.startswith("How are you") for p in (m.get("text") or "").split("\n\n"))), None),
        timeout=10,
    )
    assert next(b["text"] for row in question["reply_markup"]["inline_keyboard"] for b in row) == "1 · very low"
    for _ in range(40):  # the send is recorded right after Telegram accepted it
        if await statuses(database_url) == ["sent"]:
            break
        await asyncio.sleep(0.1)
    assert await statuses(database_url) == ["sent"]

    # Kill the bot outright and start it again: several ticks later, still one check-in.
    checkin_bot.kill()
    checkin_bot.start()
    # The one wait for nothing to happen: a doubled check-in would come from a tick, and ticks
    # leave no trace to wait for, so give the restarted dispatcher eight of them.
    await asyncio.sleep(float(INTERVAL) * 8)
    assert len(check_ins(emulator, user)) == 1
    assert await statuses(database_url) == ["sent"]

    # The check-in still works after the restart: the mood is kept, /progress draws it.
    seen = await chat.do(emulator.press_button, "4 · okay")
    assert "safe" in seen[-1].text
    before = len(emulator.bot_messages(user))
    await chat.send("/progress")
    photo = emulator.bot_messages(user)[before]
    assert photo["kind"] == "photo" and "1 check-ins" in (photo.get("caption") or "")
    assert_clean_log(checkin_bot.log())
