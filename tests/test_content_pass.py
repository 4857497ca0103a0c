"""The content pass of issue #12: no echo between a step and the menu after
it, no topic the person didn't raise right after a disclosure, and prompts
that come back more than once have more than one wording."""

from __future__ import annotations

import re
from pathlib import Path

from bot.core.dialog.graph import DialogGraph
from bot.core.dialog.schema import Variants
from tests.conftest import make_brain
from tests.support.chat import ConsoleChat

RUN = 4  # words in a row that read as a repetition


def _texts(message: object) -> list[str]:
    return list(message.variants) if isinstance(message, Variants) else [str(message)]


def _runs(text: str) -> set[tuple[str, ...]]:
    words = re.findall(r"[a-z']+", text.lower())
    return {tuple(words[i:i + RUN]) for i in range(len(words) - RUN + 1)}


def test_a_step_that_ends_does_not_echo_the_menu_that_follows(real_graph: DialogGraph) -> None:
    for node_id, node in real_graph.nodes.items():
        role = real_graph.node_role.get(node_id)
        if not node.end or role is None or not node.say:
            continue
        menu = real_graph.nodes[real_graph.roles[role].menu]
        menu_runs = set().union(*(_runs(t) for m in menu.say for t in _texts(m)))
        for text in _texts(node.say[-1]):
            shared = _runs(text) & menu_runs
            assert not shared, f"{node_id} repeats the menu: {shared}"


def test_no_revenge_right_after_someone_names_their_pain(real_graph: DialogGraph) -> None:
    after = real_graph.nodes[real_graph.nodes["hp_heal_name"].ask.next]
    said = " ".join(t for m in after.say for t in _texts(m)).lower()
    assert not any(word in said for word in ("revenge", "getting even", "punish", "feel some of this"))


def test_prompts_that_come_back_have_at_least_two_wordings(real_graph: DialogGraph) -> None:
    """Every step in a role tree that asks for typed text, and the daily check-in's questions."""
    daily = {n for n, node in real_graph.nodes.items() if node.ask and node.ask.save_as in ("promise", "safety_need")}
    for node_id, node in real_graph.nodes.items():
        if node.ask is None or (real_graph.node_role.get(node_id) is None and node_id not in daily):
            continue
        assert any(isinstance(m, Variants) for m in node.say), f"{node_id}: add variants to its prompt"


async def test_the_console_answers_an_out_of_range_number_with_pick_1_to_n(db, real_graph: DialogGraph) -> None:
    from bot.service.chat import ChatService

    chat = ConsoleChat(ChatService(db, make_brain(real_graph)), "ana")
    await chat.open()
    count = len(chat.buttons)
    seen = await chat.send("17")
    assert [s.text for s in seen] == [f"Pick 1–{count}."]


def test_no_file_of_the_article_is_in_the_repository() -> None:
    root = Path(__file__).resolve().parent.parent
    assert not list(root.glob("**/article.txt")) and not list(root.glob("**/field-notes.md"))
