"""/checkin, /timezone, shared locations and /progress: kind answers, and next_checkin_at kept right."""

from __future__ import annotations

from datetime import time, timedelta
from pathlib import Path

import pytest

from bot.core.checkin import places
from bot.core.checkin.settings import parse_time
from bot.core.dialog.engine import DialogState
from bot.core.dialog.graph import DialogGraph
from bot.core.messages import (
    CheckinCommand,
    Press,
    SharedLocation,
    ShowProgress,
    Start,
    Text,
    TimezoneCommand,
    UpdateProfile,
)
from bot.core.turn import respond
from bot.storage import users
from bot.storage.database import Database
from bot.storage.users import UserKey
from tests.support.chat import ConsoleChat
from tests.support.checkin import CHANNEL, Clock, Rig, at

HURT_PARTNER = DialogState(role="hurt_partner")


def reply(brain, event, state: DialogState = HURT_PARTNER):
    step = respond(brain, state, event)
    return step, step.outcome.replies[0].text


# --- parsing and places (pure) ------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("07:30", time(7, 30)), ("7:05", time(7, 5)), ("0730", time(7, 30)), ("7am", time(7, 0)),
    ("7:30 pm", time(19, 30)), ("12am", time(0, 0)), ("12 pm", time(12, 0)),
    ("25:99", None), ("13pm", None), ("noon", None), ("", None), ("24:00", None),
])
def test_times_people_type(text: str, expected) -> None:
    assert parse_time(text) == expected


@pytest.mark.parametrize(("typed", "zone"), [
    ("Lisbon", "Europe/Lisbon"), ("europe/berlin", "Europe/Berlin"), ("São Paulo", "America/Sao_Paulo"),
    ("sao paulo", "America/Sao_Paulo"), ("München", "Europe/Berlin"), ("Paris", "Europe/Paris"),
    ("Paris, US", "America/Chicago"), ("Bath, UK", "Europe/London"), ("Spain", "Europe/Madrid"),
    ("UTC+3", "Etc/GMT-3"), ("gmt-5", "Etc/GMT+5"), ("Pago Pago, American Samoa", "Pacific/Pago_Pago"),
])
def test_zones_from_cities_countries_names_and_offsets(typed: str, zone: str) -> None:
    assert places.resolve(typed).zone == zone


def test_unknown_and_ambiguous_places() -> None:
    assert places.resolve("Atlantis") == places.Place(None)  # a small town in South Africa needs its country
    assert places.resolve("Atlantis, ZA").zone == "Africa/Johannesburg"
    assert places.resolve("United States") == places.Place(None, ambiguous=True)
    assert places.resolve("x" * 200).zone is None


def test_zones_from_shared_coordinates() -> None:
    assert places.zone_at(52.52, 13.40) == "Europe/Berlin"
    assert places.zone_at(1.87, -157.36) == "Pacific/Kiritimati"
    assert places.zone_at(-14.28, -170.70) == "Pacific/Pago_Pago"
    assert places.zone_at(95.0, 0.0) is None


# --- replies (pure core) ------------------------------------------------------------------


def test_a_time_that_does_not_exist_gets_a_kind_answer_and_changes_nothing(brain) -> None:
    step, text = reply(brain, CheckinCommand("25:99"))
    assert "25:99" in text and "00:00" in text and "23:59" in text
    assert step.outcome.effects == ()


def test_an_unknown_place_gets_a_kind_answer_and_changes_nothing(brain) -> None:
    step, text = reply(brain, TimezoneCommand("Atlantis"))
    assert "Atlantis" in text and "Europe/Lisbon" in text
    assert step.outcome.effects == ()
    _, text = reply(brain, TimezoneCommand("United States"))
    assert "several time zones" in text


def test_setting_the_time_and_zone_say_so_and_change_the_profile(brain) -> None:
    step, text = reply(brain, CheckinCommand("7:30pm"))
    assert "19:30" in text and step.outcome.effects == (UpdateProfile.of(checkin_enabled=True, checkin_time="19:30"),)
    step, text = reply(brain, TimezoneCommand("Lisbon"))
    assert "Europe/Lisbon" in text and step.outcome.effects == (UpdateProfile.of(timezone="Europe/Lisbon"),)
    step, text = reply(brain, SharedLocation(38.72, -9.14))
    assert "Europe/Lisbon" in text and step.outcome.effects == (UpdateProfile.of(timezone="Europe/Lisbon"),)
    step, _ = reply(brain, CheckinCommand("off"))
    assert step.outcome.effects == (UpdateProfile.of(checkin_enabled=False),)


def test_a_settings_command_keeps_the_user_on_their_step(brain, real_graph: DialogGraph) -> None:
    state = DialogState(node=real_graph.roles["hurt_partner"].menu, role="hurt_partner")
    for event in (CheckinCommand("08:15"), TimezoneCommand("Oslo"), SharedLocation(59.9, 10.7)):
        assert respond(brain, state, event).state == state


def test_bare_commands_show_the_settings_with_buttons(brain) -> None:
    step = respond(brain, DialogState(role="broke_trust"), CheckinCommand(""))
    assert step.outcome.replies[0].text.startswith("Your check-in comes every day at 08:00, UTC time")
    assert "The time it comes" in [b.label for b in step.outcome.replies[-1].buttons]
    step = respond(brain, DialogState(role="broke_trust"), TimezoneCommand(""))
    assert "London · Lisbon · Dublin" in [b.label for b in step.outcome.replies[-1].buttons]


# --- through the chat service, on SQLite and PostgreSQL ---------------------------------------


async def test_next_checkin_at_follows_every_change(db: Database, brain) -> None:
    clock = Clock(at(2025, 1, 15, 12))
    rig = Rig(db, brain, clock)
    await rig.event("ana", Start())
    assert await rig.next_at("ana") is None  # no role yet: nothing to ask
    await rig.event("ana", Press(brain.graph.role_choice, "role_hurt_partner"))
    assert await rig.next_at("ana") == at(2025, 1, 16, 8)  # the defaults: 08:00 UTC
    await rig.press("ana", "No need")  # onboarding: discreet mode first
    await rig.press("ana", "Berlin · Paris · Rome")  # then the zone
    assert await rig.next_at("ana") == at(2025, 1, 16, 7)
    await rig.event("ana", CheckinCommand("21:00"))
    assert await rig.next_at("ana") == at(2025, 1, 15, 20)  # later today
    await rig.event("ana", CheckinCommand("off"))
    assert await rig.next_at("ana") is None
    await rig.event("ana", CheckinCommand("on"))
    assert await rig.next_at("ana") == at(2025, 1, 15, 20)
    await rig.event("ana", SharedLocation(40.71, -74.0))
    assert (await rig.record("ana")).timezone == "America/New_York"
    assert await rig.next_at("ana") == at(2025, 1, 16, 2)
    await rig.event("ana", CheckinCommand(""))
    await rig.press("ana", "The time it comes")
    await rig.press("ana", "07:00")
    assert (await rig.record("ana")).checkin_time == "07:00"
    assert await rig.next_at("ana") == at(2025, 1, 16, 12)


async def test_a_typed_city_sets_the_zone_and_is_not_kept(db: Database, brain) -> None:
    rig = Rig(db, brain, Clock(at(2025, 1, 15, 12)))
    await rig.event("ana", Start())
    await rig.event("ana", Press(brain.graph.role_choice, "role_broke_trust"))
    await rig.press("ana", "No need")
    await rig.press("ana", "Somewhere else: I'll type my city")
    out = await rig.event("ana", Text("Tokyo"))
    assert "Asia/Tokyo" in out.replies[0].text
    user = await rig.record("ana")
    assert user.timezone == "Asia/Tokyo"
    assert await db.run(lambda c: users.journal_entries(c, user.id)) == []


async def test_check_in_answers_are_stored_where_they_belong(db: Database, brain) -> None:
    clock = Clock(at(2025, 1, 15, 6))
    rig = Rig(db, brain, clock)
    await rig.user("ben", "Europe/Berlin", "08:00", role="broke_trust")
    await rig.user("hana", "Europe/Berlin", "08:00", role="hurt_partner")
    await rig.run_until(at(2025, 1, 15, 7, 5))
    await rig.press("ben", "3 · so-so")
    await rig.event("ben", Text("home by six"))
    await rig.press("hana", "5 · good")
    await rig.event("hana", Text("a quiet evening"))
    assert [r["mood"] for r in await rig.rows("ben")] == [3]
    assert [r["mood"] for r in await rig.rows("hana")] == [5]
    hana = await rig.record("hana")
    assert [(e["name"], e["text"]) for e in await db.run(lambda c: users.journal_entries(c, hana.id))] == [
        ("safety_need", "a quiet evening")]
    # Next morning Ben is asked about the promise first, quoted back to him.
    await rig.run_until(at(2025, 1, 16, 7, 5))
    assert "home by six" in rig.received["ben"][1].texts[0]
    await rig.press("ben", "Yes, I kept it")
    promises = await rig.db.run(_promises((await rig.record("ben")).id))
    assert promises == [("home by six", "yes")]


def _promises(user_id: int):
    def work(conn):
        import sqlalchemy as sa

        from bot.storage.tables import promises
        rows = conn.execute(sa.select(promises.c.text, promises.c.kept).where(promises.c.user_id == user_id))
        return [tuple(r) for r in rows]
    return work


async def test_each_check_in_carries_a_new_insight(db: Database, brain) -> None:
    rig = Rig(db, brain, Clock(at(2025, 1, 1, 6)))
    await rig.user("hana", "UTC", "07:00", role="hurt_partner")
    await rig.run_until(at(2025, 1, 12, 8), step=timedelta(minutes=30))
    # The insight is the paragraph under the intro's first line (the question is joined below it).
    insights = [r.texts[0].split("\n\n")[1] for r in rig.received["hana"]]
    assert len(insights) == 12 and len(set(insights)) == 12
    assert len((await rig.record("hana")).extra["insights_shown"]) == 12


async def test_progress_is_a_chart_with_a_one_line_summary(db: Database, brain, tmp_path: Path, monkeypatch) -> None:
    clock = Clock(at(2025, 1, 1, 6))
    rig = Rig(db, brain, clock)
    await rig.user("ben", "Europe/Berlin", "08:00", role="broke_trust")
    empty = await rig.event("ben", ShowProgress())
    assert empty.replies[0].image is None and "Nothing to draw yet" in empty.replies[0].text
    for day in range(6):
        await rig.run_until(at(2025, 1, 1 + day, 7, 5))
        if "Did you keep it?" in rig.received["ben"][-1].texts[-1]:
            await rig.press("ben", ["Yes, I kept it", "Partly", "Not this time"][day % 3])
        await rig.press("ben", f"{1 + day % 5} · " + ["very low", "low", "so-so", "okay", "good"][day % 5])
        await rig.event("ben", Text(f"promise {day}"))
    out = await rig.event("ben", ShowProgress())
    chart, guide_map = out.replies  # the chart, then the parts of the guide visited
    assert "of the guide" in guide_map.text
    assert chart.image is not None and chart.image.startswith(b"\x89PNG")
    assert "6 check-ins" in chart.text and "Promises: 1 kept, 2 partly, 2 not kept." in chart.text
    assert "\n" not in chart.text
    # The console cannot show a picture: it saves it and says where.
    monkeypatch.chdir(tmp_path)
    console = ConsoleChat(rig.chat, "ben")
    console.console.key = UserKey(CHANNEL, "ben")
    seen = await console.send("/progress")
    assert "chart saved to" in seen[0].text and (tmp_path / "trustbot-progress.png").read_bytes() == chart.image
