"""The dialog engine on its own: no Telegram, no database, no clock."""

from __future__ import annotations

import itertools
import json
from dataclasses import replace

from bot.core.dialog import engine
from bot.core.dialog.engine import DialogState
from bot.core.messages import OpenMenu, OpenSection, Press, Resume, SaveAnswer, Start, Text
from tests.support.chat import EngineChat

MENU = "☰ Menu"


async def test_start_greets_and_asks_for_a_role(min_chat: EngineChat) -> None:
    seen = await min_chat.send("/start")
    assert "rebuilding trust" in seen[0].text
    assert min_chat.buttons == ["I broke my partner's trust", "My partner broke my trust", "What is this bot?"]


async def test_choosing_a_role_opens_that_roles_menu(min_chat: EngineChat) -> None:
    await min_chat.send("/start")
    await min_chat.press("My partner broke my trust")
    assert "hurt_partner menu" in min_chat.last.text
    assert min_chat.state.role == "hurt_partner"
    assert "Forgiveness" in min_chat.buttons


async def test_every_step_but_a_menu_has_a_menu_button(min_chat: EngineChat) -> None:
    await min_chat.send("/start")
    assert MENU not in min_chat.buttons  # the role choice is itself a menu
    await min_chat.press("I broke my partner's trust")
    assert MENU not in min_chat.buttons
    await min_chat.press("Walk Away")
    assert min_chat.buttons == ["Yes", "No", MENU]
    await min_chat.press(MENU)
    assert "broke_trust menu" in min_chat.last.text


async def test_menu_wording_rotates_and_never_repeats_twice_in_a_row(min_chat: EngineChat) -> None:
    await min_chat.send("/start")
    await min_chat.press("I broke my partner's trust")
    shown = [min_chat.last.text]
    for _ in range(4):
        await min_chat.send("/menu")
        shown.append(min_chat.last.text)
    assert all(a != b for a, b in itertools.pairwise(shown))
    assert set(shown) == {"broke_trust menu, first wording.", "broke_trust menu, second wording."}


async def test_typed_answer_is_kept_and_excuses_are_pointed_out(min_chat: EngineChat) -> None:
    await min_chat.send("/start")
    await min_chat.press("I broke my partner's trust")
    await min_chat.press("Take Responsibility")
    seen = await min_chat.send("I'm sorry, but you never listened to me")
    # One message: the excuses found first, then the thanks (see bot.core.render.join).
    assert len(seen) == 1
    assert seen[0].parts[0] == 'Found: "but", "you never"'
    assert min_chat.effects == [
        SaveAnswer("note_b", "I'm sorry, but you never listened to me", "b_take_responsibility")
    ]
    assert "Thank you for writing it." in seen[0].parts[1:]


async def test_an_apology_without_excuses_gets_the_clean_reply(min_chat: EngineChat) -> None:
    await min_chat.send("/start")
    await min_chat.press("I broke my partner's trust")
    await min_chat.press("Take Responsibility")
    seen = await min_chat.send("I lied to you. That was wrong, and I am sorry.")
    assert seen[0].parts[0] == "No excuses found."


async def test_walk_away_check_counts_yes_answers_and_resets_on_return(min_chat: EngineChat) -> None:
    await min_chat.send("/start")
    await min_chat.press("My partner broke my trust")
    await min_chat.press("Walk Away")
    await min_chat.press("Yes")
    await min_chat.press("Yes")
    assert min_chat.said("Two signs.")
    await min_chat.send("/menu")
    await min_chat.press("Walk Away")
    await min_chat.press("Yes")
    seen = await min_chat.press("No")
    assert seen[0].parts[0] == "Fewer than two signs."


async def test_a_button_from_an_earlier_step_explains_and_shows_the_current_step(min_graph) -> None:
    state = engine.step(min_graph, DialogState(), Start()).state
    state = engine.step(min_graph, state, Press("choose_role", "role_hurt_partner")).state
    result = engine.step(min_graph, state, Press("choose_role", "role_broke_trust"))
    assert result.outcome.stale
    assert result.state.role == "hurt_partner"
    assert result.outcome.replies[0].text.startswith("That button belongs to an earlier step")
    assert "hurt_partner menu" in result.outcome.replies[-1].text


async def test_forged_button_for_a_node_that_does_not_exist_changes_nothing(min_graph) -> None:
    state = engine.step(min_graph, DialogState(), Start()).state
    result = engine.step(min_graph, state, Press("no_such_node", "x"))
    assert result.outcome.stale
    assert result.state.node == state.node


async def test_a_user_on_a_removed_node_lands_on_their_menu_with_a_note(min_graph) -> None:
    state = DialogState(node="node_from_an_old_release", role="broke_trust")
    result = engine.step(min_graph, state, Resume())
    assert result.state.node == "b_menu"
    assert result.outcome.replies[0].text.startswith("I've been updated")
    pressed = engine.step(min_graph, state, Press("node_from_an_old_release", "go"))
    assert pressed.state.node == "b_menu"


async def test_a_removed_role_sends_the_user_to_choose_again(min_graph) -> None:
    result = engine.step(min_graph, DialogState(node="b_menu", role="retired_role"), OpenMenu())
    assert result.state.node == "choose_role"
    assert result.state.role is None


async def test_section_jump_uses_the_users_role(min_graph) -> None:
    result = engine.step(min_graph, DialogState(node="h_menu", role="hurt_partner"), OpenSection("forgiveness"))
    assert result.outcome.replies[0].text == "hurt_partner about forgiveness."
    no_role = engine.step(min_graph, DialogState(), OpenSection("forgiveness"))
    assert no_role.state.node == "choose_role"


async def test_text_is_a_dialog_event_only_while_a_step_waits_for_it(min_graph) -> None:
    at_menu = DialogState(node="b_menu", role="broke_trust")
    assert not engine.is_dialog_event(min_graph, at_menu, Text("how long does it take?"))
    asking = replace(at_menu, node="b_take_responsibility")
    assert engine.is_dialog_event(min_graph, asking, Text("I am sorry"))


async def test_a_steps_keyboard_is_built_once_and_an_edited_graph_builds_its_own(min_graph) -> None:
    state = engine.step(min_graph, DialogState(), Start()).state
    first = engine.step(min_graph, state, Press("choose_role", "role_hurt_partner")).outcome.replies[-1].buttons
    again = engine.step(min_graph, state, Press("choose_role", "role_hurt_partner")).outcome.replies[-1].buttons
    assert first and again is first
    relabelled = {**min_graph.nodes, "h_menu": min_graph.nodes["h_menu"].model_copy(update={"buttons": ()})}
    edited = replace(min_graph, nodes=relabelled)
    assert not edited.keyboards
    shown = engine.step(edited, state, Press("choose_role", "role_hurt_partner")).outcome.replies[-1].buttons
    assert len(shown) < len(first)


def test_state_survives_a_json_round_trip() -> None:
    import json

    state = DialogState(node="b_q2", role="broke_trust", variants={"b_menu.0": 1}, counters={"signs": 1})
    assert DialogState.from_json(json.loads(json.dumps(state.to_json()))) == state


def test_malformed_stored_state_becomes_a_fresh_start() -> None:
    assert DialogState.from_json("garbage") == DialogState()
    stored = {"node": 5, "counters": {"a": "x", "b": True, "c": 2}}
    assert DialogState.from_json(stored) == DialogState(counters={"c": 2})


def test_the_safety_questions_category_survives_storage_without_held_text() -> None:
    state = DialogState(node="hp_menu", pending=None, pending_category="self_harm")
    assert DialogState.from_json(json.loads(json.dumps(state.to_json()))) == state
