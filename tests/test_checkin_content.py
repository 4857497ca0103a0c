"""The check-in as content: dialogs/checkin.yaml through the engine, and its lint rules."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from bot.cli import main
from bot.core.checkin.insights import Insight, next_insight, pool_for
from bot.core.dialog import engine
from bot.core.dialog.engine import DialogState
from bot.core.dialog.graph import DialogGraph
from bot.core.messages import ButtonAction, CheckIn, Press, SaveAnswer, SaveChoice, Text
from tests.conftest import DIALOGS, make_brain
from tests.support.chat import EngineChat
from tests.support.paths import role_label


def checkin(graph: DialogGraph, role: str, promise: str = "") -> engine.Step:
    state = DialogState(node=graph.roles[role].menu, role=role)
    return engine.step(graph, state, CheckIn("Small steps count.", promise))


def labels(step: engine.Step) -> list[str]:
    return [b.label for r in step.outcome.replies for b in r.buttons]


def press(graph: DialogGraph, step: engine.Step, label: str) -> engine.Step:
    button = next(b for r in step.outcome.replies for b in r.buttons if b.label == label)
    assert isinstance(button.action, Press)
    return engine.step(graph, step.state, button.action)


def test_a_check_in_opens_with_a_plain_line_and_the_insight_then_asks_the_mood(real_graph: DialogGraph) -> None:
    step = checkin(real_graph, "hurt_partner")
    first = step.outcome.replies[0].text
    assert first.startswith("Your daily check-in.") and "Small steps count." in first
    assert step.outcome.replies[-1].text.startswith("How are you feeling today")
    assert labels(step)[:5] == ["1 · very low", "2 · low", "3 · so-so", "4 · okay", "5 · good"]
    assert {"Later, please", "Pause check-ins"} <= set(labels(step))


def test_hurt_partner_records_the_mood_and_what_they_need_to_feel_safe(real_graph: DialogGraph) -> None:
    step = press(real_graph, checkin(real_graph, "hurt_partner"), "2 · low")
    assert SaveChoice("mood", "2", "ci_hp") in step.outcome.effects
    assert any("hard" in r.text for r in step.outcome.replies)  # a kind word on a low day
    assert engine.awaiting_text(real_graph, step.state)
    answered = engine.step(real_graph, step.state, Text("An honest answer when I ask"))
    assert SaveAnswer("safety_need", "An honest answer when I ask", "ci_hp_need") in answered.outcome.effects


def test_broke_trust_is_asked_about_the_open_promise_first_then_mood_then_a_new_promise(real_graph) -> None:
    step = checkin(real_graph, "broke_trust", promise="home by six")
    assert "home by six" in step.outcome.replies[0].text
    assert step.outcome.replies[-1].text == "Did you keep it?"
    step = press(real_graph, step, "Partly")
    assert SaveChoice("promise_kept", "partly", "ci_br_kept") in step.outcome.effects
    step = press(real_graph, step, "4 · okay")
    assert SaveChoice("mood", "4", "ci_br_mood") in step.outcome.effects
    step = engine.step(real_graph, step.state, Text("phone down at dinner"))
    assert SaveAnswer("promise", "phone down at dinner", "ci_br_promise") in step.outcome.effects


def test_without_an_open_promise_broke_trust_starts_with_the_mood(real_graph: DialogGraph) -> None:
    step = checkin(real_graph, "broke_trust")
    assert step.state.node == "ci_br_mood"


@pytest.mark.parametrize(("label", "action"), [("Later, please", "snooze"), ("Pause check-ins", "pause")])
def test_snooze_and_pause_are_built_in_actions(real_graph: DialogGraph, label: str, action: str) -> None:
    step = press(real_graph, checkin(real_graph, "hurt_partner"), label)
    assert ButtonAction(action, "ci_hp") in step.outcome.effects


def test_a_user_without_a_role_gets_no_check_in(real_graph: DialogGraph) -> None:
    step = engine.step(real_graph, DialogState(), CheckIn("x"))
    assert step.outcome.replies == () and step.state == DialogState()


async def test_choosing_a_role_the_first_time_offers_discreet_mode_first(real_graph: DialogGraph) -> None:
    chat = EngineChat(make_brain(real_graph))
    await chat.send("/start")
    seen = await chat.press(role_label(real_graph, "broke_trust"))
    assert len(seen) == 1 and "lock screen" in seen[0].text
    assert seen[0].buttons[:2] == ["Yes, be discreet", "No need"]
    step = engine.step(real_graph, chat.state, Press("discreet_offer", "on"))
    assert SaveChoice("discreet", "on", "discreet_offer") in step.outcome.effects and not step.outcome.stale


async def test_onboarding_asks_one_thing_at_a_time_and_says_why_it_asks_the_zone(real_graph: DialogGraph) -> None:
    chat = EngineChat(make_brain(real_graph))
    await chat.send("/start")
    await chat.press(role_label(real_graph, "hurt_partner"))
    seen = await chat.press("No need")
    assert len(seen) == 1 and "help lines" in seen[0].text and "check-in" in seen[0].text
    assert "Berlin · Paris · Rome" in seen[0].buttons and "Skip for now" in seen[0].buttons
    seen = await chat.press("Berlin · Paris · Rome")
    assert SaveChoice("timezone", "Europe/Berlin", "ob_zone") in chat.effects
    assert len(seen) == 1 and "/checkin" in seen[0].text and "Skip for now" in seen[0].buttons
    seen = await chat.press("Skip for now")
    assert chat.state.node == real_graph.roles["hurt_partner"].menu
    assert sum(1 for s in seen if s.buttons) == 1
    # Tapped later, from the menu, an onboarding button still works (anytime).
    step = engine.step(real_graph, chat.state, Press("ob_zone", "london"))
    assert not step.outcome.stale
    # Switching role later does not ask again.
    await chat.send("/role")
    again = await chat.press(role_label(real_graph, "broke_trust"))
    assert chat.state.node == real_graph.roles["broke_trust"].menu
    assert not any("lock screen" in s.text for s in again)


def test_a_typed_city_is_checked_for_a_zone(real_graph: DialogGraph) -> None:
    state = engine.enter(real_graph, DialogState(role="hurt_partner"), "tz_city").state
    found = engine.step(real_graph, state, Text("Lisbon"))
    assert "Europe/Lisbon" in found.outcome.replies[0].text
    missing = engine.step(real_graph, state, Text("Atlantis"))
    assert "couldn't find" in missing.outcome.replies[0].text


# --- insights -------------------------------------------------------------------


def test_insights_do_not_repeat_until_all_were_shown() -> None:
    pool = tuple(Insight(f"i{n}", f"text {n}") for n in range(7))
    shown: list[str] = []
    first_round = []
    for _ in range(7):
        insight, shown = next_insight(pool, shown, seed="42")
        first_round.append(insight.id)
    assert sorted(first_round) == sorted(i.id for i in pool)
    insight, shown = next_insight(pool, shown, seed="42")
    assert insight.id != first_round[-1] and shown == [insight.id]  # a new round, not the last one again


def test_an_insight_removed_from_the_content_is_forgotten() -> None:
    pool = (Insight("a", "A"), Insight("b", "B"))
    insight, shown = next_insight(pool, ["gone", "a"], seed="1")
    assert insight.id == "b" and shown == ["a", "b"]


def test_each_role_has_insights_from_its_own_dialog_and_from_the_faq(real_graph: DialogGraph) -> None:
    brain = make_brain(real_graph)
    for role in real_graph.roles:
        pool = pool_for(real_graph, brain.faq, role)
        own = [i for i in pool if i.id.startswith("d:")]
        assert len(own) >= 10 and any(i.id.startswith("f:") for i in pool)
        prefix = "br_" if role == "broke_trust" else "hp_"
        assert all(i.id[2:].startswith(prefix) for i in own)
        assert all(0 < len(i.text) <= 600 for i in pool)


# --- lint --------------------------------------------------------------------------

Files = dict[str, dict]


def _spec(files: Files) -> dict:
    return files["checkin.yaml"]["checkin"]


def _button(files: Files, node: str, index: int) -> dict:
    return files["checkin.yaml"]["nodes"][node]["buttons"][index]


def mood_out_of_range(files: Files) -> None:
    _button(files, "ci_hp", 4)["value"] = 6


def unknown_recorded_name(files: Files) -> None:
    _button(files, "ci_hp", 0)["save_as"] = "moood"


def bad_zone_value(files: Files) -> None:
    _button(files, "tz_pick", 0)["value"] = "Europe/Londn"


def unquoted_yes(files: Files) -> None:
    _button(files, "ci_br_kept", 0)["value"] = True


def missing_entry(files: Files) -> None:
    del _spec(files)["entry"]["hurt_partner"]


def entry_nowhere(files: Files) -> None:
    _spec(files)["entry"]["hurt_partner"] = "ci_nowhere"


def insight_missing_node(files: Files) -> None:
    _spec(files)["insights"]["broke_trust"].append("br_renamed")


def insight_of_other_role(files: Files) -> None:
    _spec(files)["insights"]["broke_trust"].append("hp_heal")


def insight_with_variants(files: Files) -> None:
    _spec(files)["insights"]["broke_trust"].append("br_menu")


def placeholder_typo(files: Files) -> None:
    _spec(files)["texts"]["time_set"] = "Done: {tme}, {zone} time."


def onboarding_not_anytime(files: Files) -> None:
    files["checkin.yaml"]["onboarding"] = ["tz_pick"]
    files["checkin.yaml"]["nodes"]["tz_pick"]["anytime"] = False


def checkin_in_two_files(files: Files) -> None:
    files["checkin2.yaml"] = {"version": 1, "kind": "dialog", "checkin": _spec(files),
                              "nodes": {"ci_extra": {"say": "Extra.", "end": True}}}


def half_a_shared_file(files: Files) -> None:
    files["checkin.yaml"]["start"] = "welcome"


CASES: list[tuple[Callable[[Files], None], str]] = [
    (mood_out_of_range, "'6' is not a valid mood: use a mood from 1 to 5"),
    (unknown_recorded_name, "'moood' is not something a button can record"),
    (bad_zone_value, "'Europe/Londn' is not a valid timezone"),
    (unquoted_yes, 'put the value in quotes'),
    (missing_entry, "no check-in for role hurt_partner"),
    (entry_nowhere, "checkin.entry.hurt_partner: points to 'ci_nowhere', which does not exist"),
    (insight_missing_node, "'br_renamed' does not exist"),
    (insight_of_other_role, "'hp_heal' is not in the broke_trust dialog"),
    (insight_with_variants, "has variants"),
    (placeholder_typo, "'time_set' uses {tme}"),
    (onboarding_not_anytime, "add 'anytime: true'"),
    (checkin_in_two_files, "only one file may have 'checkin'"),
    (half_a_shared_file, "the shared file needs 'start', 'role_choice' and 'ui'"),
]


@pytest.mark.parametrize(("mutate", "expected"), CASES, ids=[c[0].__name__ for c in CASES])
def test_lint_catches_check_in_mistakes(tmp_path: Path, capsys, mutate, expected: str) -> None:
    for path in DIALOGS.glob("*.yaml"):
        shutil.copy(path, tmp_path)
    files: Files = {"checkin.yaml": yaml.safe_load((tmp_path / "checkin.yaml").read_text())}
    mutate(files)
    for name, data in files.items():
        (tmp_path / name).write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    assert main(["lint", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert any(expected in line and "checkin" in line for line in out.splitlines()), out


def test_a_folder_without_checkin_yaml_still_lints_clean(tmp_path: Path, capsys) -> None:
    for path in DIALOGS.glob("*.yaml"):
        if path.name != "checkin.yaml":
            shutil.copy(path, tmp_path)
    assert main(["lint", str(tmp_path)]) == 0, capsys.readouterr().out
