"""The shipped dialogs, walked through the engine: every node shown, every section reached."""

from __future__ import annotations

from collections import deque

import pytest

from bot.core.dialog import engine
from bot.core.dialog.engine import DialogState
from bot.core.dialog.graph import DialogGraph
from bot.core.dialog.schema import ROLES, SECTIONS, Variants
from bot.core.messages import CheckIn, Press, Start, Text
from tests.conftest import make_brain
from tests.support import fingerprint
from tests.support.chat import EngineChat
from tests.support.paths import first_words, label_paths, role_label

#: Typed answers for steps that wait for text: one with an excuse in it, one without.
ANSWERS = ("I'm sorry, but you never listened", "I lied to you and I am sorry")


def walk_everything(graph: DialogGraph) -> tuple[set[str], set[str]]:
    """Breadth-first over every button and typed answer from /start, and from
    the other ways into the dialogs: a check-in (with and without a promise
    waiting) for each role, and the /checkin and /timezone settings steps.

    Returns the nodes the user rested on and every text they were shown.
    """
    first = engine.step(graph, DialogState(), Start())
    rested: set[str] = set()
    shown: set[str] = set()
    queue = deque([first])
    if graph.checkin is not None:
        for role in graph.roles:
            for promise in ("", "home by six"):
                queue.append(engine.step(graph, DialogState(role=role), CheckIn("A thought.", promise)))
            for node_id in (graph.checkin.settings, graph.checkin.timezone):
                queue.append(engine.enter(graph, DialogState(role=role), node_id))
    if graph.care is not None:
        # /safety, the safety reply's buttons and the country picker open these.
        care = graph.care
        for role in graph.roles:
            for node_id in (care.safety_node, care.options_node, care.country_node, care.plan_node):
                queue.append(engine.enter(graph, DialogState(role=role), node_id))
    seen_states: set[tuple] = set()
    while queue:
        result = queue.popleft()
        state = result.state
        shown.update(r.text for r in result.outcome.replies)
        key = (state.node, state.role, tuple(sorted(state.counters.items())))
        if key in seen_states:
            continue
        seen_states.add(key)
        rested.add(state.node or "")
        node = graph.nodes[state.node or ""]
        for reply in result.outcome.replies:
            for button in reply.buttons:
                if isinstance(button.action, Press):
                    queue.append(engine.step(graph, state, button.action))
        if node.ask:
            for answer in ANSWERS:
                queue.append(engine.step(graph, state, Text(answer)))
    # Short exercises (tool_*) open from a feeling's button (OpenTool), then their own buttons.
    for node_id in (n for n in graph.nodes if n.startswith("tool_")):
        result = engine.enter(graph, DialogState(role=next(iter(graph.roles))), node_id)
        rested.add(result.state.node or "")
        shown.update(r.text for r in result.outcome.replies)
        for button in result.outcome.replies[-1].buttons:
            if isinstance(button.action, Press):
                shown.update(r.text for r in engine.step(graph, result.state, button.action).outcome.replies)
    return rested, shown


def test_every_node_of_both_trees_is_shown_through_the_engine(real_graph: DialogGraph) -> None:
    rested, shown = walk_everything(real_graph)
    missed = []
    for node_id, node in real_graph.nodes.items():
        if node.buttons or node.ask:
            # Onboarding questions are shown beside the menu, never rested on.
            beside = node.anytime and any(w in shown for w in first_words(real_graph, node_id))
            if node_id not in rested and not beside:
                missed.append(node_id)
        elif node.say and not any(w in shown for w in first_words(real_graph, node_id)):
            missed.append(node_id)
    assert not missed, f"never shown: {missed}"


@pytest.mark.parametrize("role", ROLES)
async def test_each_section_is_reached_from_the_role_menu(real_graph: DialogGraph, role: str) -> None:
    paths = label_paths(real_graph, role)
    assert set(paths) == set(SECTIONS)
    for section, labels in paths.items():
        chat = EngineChat(make_brain(real_graph))
        await chat.send("/start")
        await chat.press(role_label(real_graph, role))
        await chat.press(real_graph.ui.menu_button)  # the onboarding questions can wait
        for label in labels:
            await chat.press(label)
        entry = real_graph.roles[role].sections[section]
        assert any(chat.said(w) for w in first_words(real_graph, entry)), section
        assert len(labels) <= 4


def test_every_message_is_chat_sized(real_graph: DialogGraph) -> None:
    for node_id, node in real_graph.nodes.items():
        for message in node.say:
            for text in message.variants if isinstance(message, Variants) else [message]:
                assert len(text) <= 600, node_id


def _bot_words(data: object, key: str = "") -> list[str]:
    """Every string the bot says; example questions (what users type) are left out."""
    if key == "examples":
        return []
    if isinstance(data, str):
        return [data]
    if isinstance(data, dict):
        return [t for k, v in data.items() for t in _bot_words(v, str(k))]
    if isinstance(data, list):
        return [t for v in data for t in _bot_words(v, key)]
    return []


def _all_bot_texts() -> list[tuple[str, str]]:
    """(file name, text) for every string the bot says in the shipped content."""
    import yaml

    from tests.conftest import DIALOGS

    return [(path.name, text) for path in sorted(DIALOGS.glob("*.yaml"))
            for text in _bot_words(yaml.safe_load(path.read_text(encoding="utf-8")))]


def test_content_is_written_not_pasted_from_the_article() -> None:
    """No run of eight words the bot says is copied from the source article.

    The article itself is not in the repository; its hashed shingles are
    (tests/data/article_shingles.json, made by scripts/article_fingerprint.py).
    """
    article = fingerprint.load()
    assert len(article) > 500  # the whole article, not an empty or truncated file
    texts = _all_bot_texts()
    assert len(texts) > 100
    for name, text in texts:
        copied = fingerprint.copied_runs(text, article)
        assert not copied, f"{name} copies the article: {copied[:3]}"


SYNTHETIC_SOURCE = ("Trust is rebuilt through many small promises kept over a long time, "
                    "and never through one grand gesture or speech.")


def test_a_copied_eight_word_run_is_caught_whatever_its_case_and_punctuation() -> None:
    hashes = fingerprint.fingerprint(SYNTHETIC_SOURCE)
    probe = "Remember: TRUST is rebuilt, through many small promises kept... every day."
    assert fingerprint.copied_runs(probe, hashes) == ["trust is rebuilt through many small promises kept"]
    # Curly apostrophes read like straight ones.
    quoted = fingerprint.fingerprint("it\u2019s the small promises kept over a long time that count")
    assert fingerprint.copied_runs("It's the small promises kept over a long time.", quoted)


def test_seven_shared_words_are_not_a_copy() -> None:
    hashes = fingerprint.fingerprint(SYNTHETIC_SOURCE)
    assert fingerprint.copied_runs("Trust is rebuilt through many small promises, slowly.", hashes) == []


def test_the_content_check_fails_on_a_bot_text_holding_an_article_run(tmp_path) -> None:
    """The real check over the shipped texts, with one text carrying a fingerprinted run."""
    name, text = next((n, t) for n, t in _all_bot_texts() if fingerprint.runs(t))
    # A run taken from a bot text stands in for an article run: its hash is
    # put into a copy of the article's fingerprint, as if the article had it.
    run = fingerprint.runs(text)[0]
    article = fingerprint.load() | {fingerprint.shingle_hash(run)}
    saved = tmp_path / "article_shingles.json"
    saved.write_text(fingerprint.dump(article), encoding="utf-8")
    reloaded = fingerprint.load(saved)
    caught = [(n, fingerprint.copied_runs(t, reloaded)) for n, t in _all_bot_texts()
              + [("probe", "We say: " + " ".join(run) + ".")]]
    assert ("probe", [" ".join(run)]) in caught
    assert any(n == name and runs for n, runs in caught)
