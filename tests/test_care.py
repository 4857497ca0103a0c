"""Issue #12 as conversations: safety one tap away, a safety plan of one's own,
the journal read back, the promise the next check-in follows up, the guide map.

Engine-only conversations use :class:`EngineChat`; whatever needs storage runs
through the console front end on a real database (SQLite and PostgreSQL).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.core import callbacks
from bot.core.care.events import ConfirmDeleteEntry, OpenEntry, OpenJournal
from bot.core.dialog.graph import DialogGraph
from bot.core.messages import OpenMenu, Press, Start, Text
from bot.core.turn import Brain
from bot.service.chat import ChatService
from bot.storage import privacy, users
from bot.storage.database import Database
from bot.storage.tables import journal
from bot.storage.users import UserKey
from tests.support.chat import ConsoleChat, EngineChat
from tests.support.checkin import Clock, Rig, at
from tests.support.paths import role_label

UK_LINES = ("999", "0808 2000 247")
SAFETY_ITEM = "🛟 If I don't feel safe · /safety"


async def _onboard(chat: EngineChat | ConsoleChat, graph: DialogGraph, role: str, zone_label: str | None) -> None:
    await chat.send("/start")
    await chat.press(role_label(graph, role))
    await chat.press("No need")
    await chat.press(zone_label or "Skip for now")
    await chat.press("Skip for now")


# --- safety, one tap away ------------------------------------------------------


@pytest.mark.parametrize("role", ["hurt_partner", "broke_trust"])
async def test_a_london_user_who_taps_the_safety_item_sees_uk_numbers(brain: Brain, role: str) -> None:
    chat = EngineChat(brain)
    await _onboard(chat, brain.graph, role, "London · Lisbon · Dublin")
    seen = await chat.press(SAFETY_ITEM)
    said = "\n".join(s.text for s in seen)
    assert all(number in said for number in UK_LINES), said
    assert "911" not in said and "findahelpline" not in said
    assert "Make or update my safety plan" in chat.buttons and brain.graph.ui.quick_exit_button in chat.buttons
    assert "type what's happening" not in said.lower()


async def test_every_safety_item_in_both_trees_shows_help_lines_at_once(brain: Brain) -> None:
    graph = brain.graph
    safety_steps = [n for n, node in graph.nodes.items() if node.help_lines]
    for source, node in graph.nodes.items():
        for button in node.buttons:
            if button.goto in ("hp_safety", "br_safety"):
                assert graph.nodes[button.goto].help_lines, source
    assert {"hp_safety", "br_safety", "hp_wa_unsafe", "hp_wa_res_unsafe", "safety_now"} <= set(safety_steps)


async def test_without_a_country_one_tap_gives_one_and_then_its_numbers(brain: Brain) -> None:
    chat = EngineChat(brain)
    await _onboard(chat, brain.graph, "hurt_partner", None)
    seen = await chat.press(SAFETY_ITEM)
    assert any("don't know your country" in s.text for s in seen)
    seen = await chat.press("📍 Numbers for my country")
    assert "United Kingdom" in seen[-1].buttons
    seen = await chat.press("United Kingdom")
    said = "\n".join(s.text for s in seen)
    assert all(number in said for number in UK_LINES) and "don't know your country" not in said


async def test_slash_safety_works_from_anywhere_even_before_a_role(brain: Brain) -> None:
    chat = EngineChat(brain)
    await chat.send("/start")
    seen = await chat.send("/safety")
    assert any("emergency" in s.text.lower() for s in seen)
    assert brain.graph.ui.quick_exit_button in chat.buttons
    help_text = brain.graph.ui.help
    from bot.adapters.commands import COMMANDS
    assert "safety" in COMMANDS and "{commands}" in help_text


async def test_options_after_a_disclosure_are_safety_options_not_the_walk_away_quiz(brain: Brain) -> None:
    chat = EngineChat(brain)
    await _onboard(chat, brain.graph, "hurt_partner", "Berlin · Paris · Rome")
    await chat.send("he checks my phone and won't let me see my friends")
    options = brain.safety.texts.buttons["walk_away"]
    seen = await chat.press(options)
    said = "\n".join(s.text for s in seen)
    assert "1 of 4" not in said and "four signs" not in said
    assert "116 016" in said  # Germany's line, from the zone
    assert not any(w in said.lower() for w in ("couples", "reconcil", "you should leave"))


# --- a safety plan of one's own --------------------------------------------------


async def test_a_safety_plan_is_built_reopened_exported_and_erased(
    db: Database, brain: Brain, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    service = ChatService(db, brain)
    chat = ConsoleChat(service, "ana")
    await chat.open()
    await _onboard(chat, brain.graph, "hurt_partner", "London · Lisbon · Dublin")
    seen = await chat.send("/safetyplan")
    assert "haven't written a safety plan" in seen[-1].text
    await chat.press("Write or change my plan")
    assert "1 of 5" in chat.last.text and "Skip" in chat.buttons
    await chat.send("He starts drinking and goes quiet")
    await chat.press("Skip")  # the safe place: skipped
    assert "3 of 5" in chat.last.text
    await chat.send("My sister Mia")
    await chat.send("Passport and charger")
    seen = await chat.send("blue umbrella")
    assert any("/safetyplan" in s.text for s in seen)

    seen = await chat.send("/safetyplan")
    plan = seen[-1].text
    for answer in ("He starts drinking", "My sister Mia", "Passport and charger", "blue umbrella"):
        assert answer in plan
    assert "(not filled in yet)" in plan  # the skipped question

    await chat.send("/export")
    exported = json.loads((tmp_path / "trustbot-export.json").read_text())
    names = {row["name"]: row["text"] for row in exported["journal"]}
    assert names["safety_plan_code"] == "blue umbrella"

    await chat.send("/delete")
    await chat.press(brain.graph.ui.delete_yes)
    assert await db.run(lambda c: users.find(c, UserKey("console", "ana"))) is None
    seen = await chat.send("/safetyplan")
    assert "blue umbrella" not in seen[-1].text and "haven't written" in seen[-1].text


async def test_quick_exit_erases_the_safety_plan(db: Database, brain: Brain) -> None:
    service = ChatService(db, brain)
    chat = ConsoleChat(service, "ana")
    await chat.open()
    await _onboard(chat, brain.graph, "broke_trust", None)
    await chat.send("/safety")
    await chat.press("Make or update my safety plan")
    await chat.send("raised voice")
    user = await db.run(lambda c: users.find(c, UserKey("console", "ana")))
    assert user is not None
    await chat.send("/exit")
    counts = await db.run(lambda c: privacy.rows_of_user(c, user.id))
    assert all(n == 0 for n in counts.values()), counts


async def test_discreet_mode_covers_the_safety_plan(brain: Brain) -> None:
    chat = EngineChat(brain)
    await chat.send("/start")
    await chat.press(role_label(brain.graph, "hurt_partner"))
    await chat.press("Yes, be discreet")
    seen = await chat.send("/safetyplan")
    assert seen[-1].text.startswith(brain.graph.ui.discreet_line)


# --- the journal in the chat ------------------------------------------------------


async def test_journal_lists_opens_and_deletes_entries(db: Database, brain: Brain) -> None:
    service = ChatService(db, brain)
    chat = ConsoleChat(service, "ana")
    await chat.open()
    await _onboard(chat, brain.graph, "hurt_partner", "London · Lisbon · Dublin")
    seen = await chat.send("/journal")
    assert "Nothing in your journal yet" in seen[-1].text
    await chat.send("/menu")
    await chat.press("Healing my hurt")
    await chat.press("Name what hurts")
    await chat.send("The lies about the weekends")
    await chat.press("Write down my boundaries")
    await chat.send("I need honest answers")

    seen = await chat.send("/journal")
    listing = seen[-1]
    assert "Healing my hurt" in listing.text  # grouped by section, in the menu's words
    titles = [b for b in listing.buttons if "What hurts" in b or "My boundaries" in b]
    assert len(titles) == 2 and all(any(ch.isdigit() for ch in t) for t in titles)  # dated

    seen = await chat.press(next(b for b in listing.buttons if "What hurts" in b))
    assert "The lies about the weekends" in seen[-1].text
    seen = await chat.press("🗑 Delete this entry")
    assert "can't be undone" in seen[-1].text
    seen = await chat.press("Yes, delete it")
    assert "Deleted" in seen[-1].text
    seen = await chat.press("Back to my journal")
    assert "What hurts" not in seen[-1].text and "My boundaries" in seen[-1].text


async def test_a_forged_entry_id_never_reaches_another_users_entry(db: Database, brain: Brain) -> None:
    service = ChatService(db, brain)
    ana, ben = ConsoleChat(service, "ana"), ConsoleChat(service, "ben")
    for chat in (ana, ben):
        await chat.open()
        await _onboard(chat, brain.graph, "hurt_partner", None)
    await ana.send("/menu")
    await ana.press("Healing my hurt")
    await ana.press("Name what hurts")
    await ana.send("Ana's private words")
    ana_user = await db.run(lambda c: users.find(c, UserKey("console", "ana")))
    (row_id,) = await db.run(lambda c: c.execute(sa.select(journal.c.id).where(journal.c.user_id == ana_user.id)).one())
    for event in (OpenEntry("j", row_id), ConfirmDeleteEntry("j", row_id)):
        data = callbacks.encode(event)
        assert len(data.encode()) <= 64
        outcome = await service.handle(UserKey("console", "ben"), callbacks.decode(data), _ignore)
        assert "Ana's private words" not in " ".join(r.text for r in outcome.replies)
        assert "isn't in your journal" in outcome.replies[-1].text
    left = await db.run(lambda c: users.journal_entries(c, ana_user.id))
    assert [e["text"] for e in left] == ["Ana's private words"]


async def _ignore(outcome: object) -> None:
    return None


# --- the promise the next check-in follows up ----------------------------------------


async def test_the_next_check_in_asks_about_the_promise_picked_in_the_dialog(db: Database, brain: Brain) -> None:
    clock = Clock(at(2025, 1, 15, 12))
    rig = Rig(db, brain, clock)
    await rig.user("ben", "Europe/London", "08:00", role="broke_trust")
    await rig.event("ben", OpenMenu())
    await rig.event("ben", Press(brain.graph.roles["broke_trust"].menu, "br_act"))
    await rig.press("ben", "Pick one small promise")
    out = await rig.event("ben", Text("Phone face down at dinner"))
    assert any("next check-in" in r.text for r in out.replies)
    await rig.run_until(at(2025, 1, 16, 8, 5))
    received = rig.received["ben"][-1]
    assert any("Phone face down at dinner" in t for t in received.texts)
    assert "Did you keep it?" in received.texts[-1]
    # It is in the journal too, under Promises.
    listing = await rig.event("ben", OpenJournal())
    assert "Phone face down at dinner" not in listing.replies[-1].text  # titles, not contents
    assert "My promise" in listing.replies[-1].text


# --- where am I in the guide ------------------------------------------------------------


async def test_progress_shows_the_parts_visited_and_suggests_one_gently(brain: Brain) -> None:
    chat = EngineChat(brain)
    await _onboard(chat, brain.graph, "hurt_partner", None)
    await chat.press("What trust really is")
    await chat.send("/menu")
    await chat.press("Forgiveness")
    seen = await chat.send("/progress")
    guide = seen[-1].text
    assert "2 of the 10" in guide and "✓ What trust really is" in guide and "✓ Forgiveness" in guide
    assert "How trust gets broken" in guide and "No hurry" in guide
    seen = await chat.press("Open that part")
    assert chat.state.node == brain.graph.roles["hurt_partner"].sections["how_trust_breaks"]


async def test_each_tool_is_reachable_from_both_menus(brain: Brain) -> None:
    menus = {"hurt_partner": ["When it floods back", "Tonight's talk", "A minute to breathe"],
             "broke_trust": ["When something sets them off", "Tonight's talk", "A minute to breathe"]}
    for role, labels in menus.items():
        for label in labels:
            chat = EngineChat(brain)
            await _onboard(chat, brain.graph, role, None)
            await chat.press("Tools for hard moments")
            seen = await chat.press(label)
            assert seen and chat.state.node is not None


async def test_start_begins_at_the_welcome(brain: Brain) -> None:
    chat = EngineChat(brain)
    seen = await chat.event(Start())
    assert seen
