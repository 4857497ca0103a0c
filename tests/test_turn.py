"""Typed text in any situation: safety first, then the awaited answer, then the FAQ."""

from __future__ import annotations

import json

import pytest

from bot.cli import main
from bot.core.dialog.engine import DialogState
from bot.core.dialog.graph import DialogGraph
from bot.core.messages import OpenFaq, SafetyFlag, SaveAnswer, Text
from bot.core.profile import Profile
from bot.core.turn import respond
from tests.conftest import make_brain
from tests.support.chat import EngineChat

DANGER = [
    "my partner hit me last night",
    "I want to kill myself",
    "he threatens to take the kids if I leave and I'm scared",
    "I'm afraid he'll hurt me",
]
#: Words a safety answer must never use: no steering towards reconciliation.
PUSHY = ("couples therapy", "couples counselling", "reconcile", "work it out together", "give them another chance")


def _resting_nodes(graph: DialogGraph) -> list[str]:
    return [n for n, node in graph.nodes.items() if node.buttons or node.ask]


@pytest.mark.parametrize("message", DANGER)
def test_a_safety_message_at_any_step_brings_the_safety_answer(real_graph: DialogGraph, message: str) -> None:
    brain = make_brain(real_graph)
    for node_id in _resting_nodes(real_graph):
        role = real_graph.node_role.get(node_id) or "hurt_partner"
        step = respond(brain, DialogState(node=node_id, role=role), Text(message))
        flags = [e for e in step.outcome.effects if isinstance(e, SafetyFlag)]
        assert flags, f"no safety answer at {node_id}"
        filed = any(isinstance(e, SaveAnswer) for e in step.outcome.effects)
        assert not filed, f"danger filed as an answer at {node_id}"
        said = " ".join(r.text for r in step.outcome.replies).lower()
        assert not any(p in said for p in PUSHY), node_id
        assert step.state.node == real_graph.roles[role].menu  # the flow stopped


async def test_after_a_safety_answer_the_old_typed_step_no_longer_takes_text(real_graph: DialogGraph) -> None:
    brain = make_brain(real_graph)
    asking = next(n for n, node in real_graph.nodes.items()
                  if node.ask and real_graph.node_role.get(n) == "hurt_partner")
    step = respond(brain, DialogState(node=asking, role="hurt_partner"), Text("my partner hit me"))
    after = respond(brain, step.state, Text("here are my boundaries"))
    assert not any(isinstance(e, SaveAnswer) for e in after.outcome.effects)


def test_help_lines_follow_the_users_country(real_graph: DialogGraph) -> None:
    brain = make_brain(real_graph)

    def said(tz: str) -> str:
        step = respond(brain, DialogState(), Text("my partner hit me"), Profile(timezone=tz))
        return " ".join(r.text for r in step.outcome.replies)

    assert "116 016" in said("Europe/Berlin")
    assert "1-800-799-7233" in said("America/New_York")
    assert "0808 2000 247" in said("Europe/London")
    assert "116 016" not in said("America/New_York")


def test_configured_help_lines_replace_the_built_in_ones(real_graph: DialogGraph) -> None:
    from dataclasses import replace

    from bot.core.safety.resources import Resource

    shelter = Resource("Local shelter", phone="030 000000", country="DE")
    brain = replace(make_brain(real_graph), resource_overrides={"DE": (shelter,)})
    replies = respond(brain, DialogState(), Text("he beats me"), Profile(timezone="Europe/Berlin")).outcome.replies
    said = " ".join(r.text for r in replies)
    assert "030 000000" in said and "116 016" not in said


async def test_a_question_at_the_menu_gets_the_faq_answer_with_a_way_into_the_section(real_graph: DialogGraph) -> None:
    chat = EngineChat(make_brain(real_graph))
    await chat.send("/start")
    await chat.press(chat.buttons[1])
    await chat.press(real_graph.ui.menu_button)  # skip the onboarding questions
    seen = await chat.send("how long does it take to rebuild trust??")
    assert seen[-1].text == make_brain(real_graph).faq.get("how_long").answer
    assert chat.state.node == real_graph.roles["hurt_partner"].menu  # a question does not move the user
    open_section = make_brain(real_graph).faq.texts.open_section_button
    if open_section in chat.buttons:
        await chat.press(open_section)


async def test_an_off_topic_question_gets_an_honest_not_sure_and_the_topics(real_graph: DialogGraph) -> None:
    chat = EngineChat(make_brain(real_graph))
    seen = await chat.send("what's the weather tomorrow in Paris?")
    brain = make_brain(real_graph)
    assert seen[-1].text == brain.faq.texts.unsure
    # At most six topics that fit the role, then "All topics" and the menu (issue #10).
    assert 2 < len(seen[-1].buttons) <= 6 + 2


async def test_faq_lists_every_topic_and_each_button_answers(real_graph: DialogGraph) -> None:
    brain = make_brain(real_graph)
    chat = EngineChat(brain)
    await chat.send("/faq")
    assert chat.last.text == brain.faq.texts.topics_header
    for entry in brain.faq:
        seen = await chat.event(OpenFaq(entry.id))
        assert seen[-1].text == entry.answer


async def test_a_forged_faq_id_shows_the_topics(real_graph: DialogGraph) -> None:
    chat = EngineChat(make_brain(real_graph))
    seen = await chat.event(OpenFaq("no_such_topic"))
    assert seen[-1].text == make_brain(real_graph).faq.texts.topics_header


def test_explain_json_prints_exactly_one_object(capsys) -> None:
    assert main(["explain", "--json", "how long does it take to rebuild trust"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"safety", "faq_id", "score", "level", "category", "feeling"}
    assert data["safety"] is False and data["faq_id"] == "how_long" and data["score"] > 0.5
    assert main(["explain", "--json", "he said he will kill me"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["safety"] is True and data["faq_id"] is None and data["level"] == "clear"
    assert data["category"] == "threats"
    assert main(["explain", "--json", "recommend a pizza place"]) == 0
    assert json.loads(capsys.readouterr().out)["faq_id"] is None


def test_explain_in_words_says_what_the_bot_would_do(capsys) -> None:
    assert main(["explain", "can our relationship survive this"]) == 0
    out = capsys.readouterr().out
    assert "can_survive" in out and "bot would" in out


def test_explain_in_words_reads_with_the_model_and_shows_what_the_turn_says(capsys, real_graph: DialogGraph) -> None:
    """Danger in words the rules do not know (here Spanish): the rules and the
    word matcher alone would say "not sure", but the bot goes by the model's
    reading, and explain must say so, with the reply each role would get."""
    unsure = make_brain(real_graph).faq.texts.unsure
    assert main(["explain", "estoy pensando en matarme"]) == 0
    out = capsys.readouterr().out
    assert "without the model, bot would: say it is not sure" in out
    assert "reading (rules and model): level clear, category self_harm" in out
    says = [line for line in out.splitlines() if line.startswith("bot says, to ")]
    assert [line.split(" at the menu")[0] for line in says] == [
        "bot says, to broke_trust", "bot says, to hurt_partner"]
    assert all(unsure[:30] not in line for line in says)
    assert main(["explain", "recommend a pizza place"]) == 0
    says = [line for line in capsys.readouterr().out.splitlines() if line.startswith("bot says, to ")]
    assert len(says) == 2 and all(unsure[:30] in line for line in says)
