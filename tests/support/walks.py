"""A random walk through the dialogs, checked step by step against the pure engine.

Used where many users talk at once (through one bot process, or two): each
user's chat must read exactly as the engine alone would have it, which proves
no reply went to the wrong user and no step was lost or doubled.
"""

from __future__ import annotations

import random

from bot.core.dialog.graph import DialogGraph
from tests.support.chat import ChatClient, EngineChat, Seen
from tests.support.paths import role_label, route_to_answer
from tests.support.telegram_chat import TelegramChat

TEXTS = ("I'm sorry, but I was stressed", "I need honesty", "/menu", "how long will this take")


async def mirrored_walk(chat: ChatClient, mirror: EngineChat, seed: int, steps: int, quick_exit: str) -> None:
    rng = random.Random(seed)

    def expect(want: list[Seen]) -> None:
        if isinstance(chat, TelegramChat):
            chat.expect = len(want)

    want = await mirror.send("/start")
    expect(want)
    got = await chat.send("/start")
    assert [s.text for s in got] == [s.text for s in want], f"user {seed} /start"
    for n in range(steps):
        # Quick exit erases the chat and says nothing: it ends a conversation, not a step.
        choices = [b for b in mirror.buttons if b != quick_exit]
        if choices and rng.random() < 0.85:
            label = rng.choice(choices)
            want = await mirror.press(label)
            expect(want)
            got = await chat.press(label)
        else:
            text = rng.choice(TEXTS)
            want = await mirror.send(text)
            expect(want)
            got = await chat.send(text)
        assert [s.text for s in got] == [s.text for s in want], (
            f"user {seed} step {n}: got {[s.text[:40] for s in got]}, want {[s.text[:40] for s in want]}"
        )


async def journal_an_apology(chat: ChatClient, graph: DialogGraph, text: str) -> None:
    """Walk to the apology draft of the role that broke trust and type ``text``
    (something private in the journal, for the privacy tests of every back end)."""
    await chat.send("/start")
    await chat.press(role_label(graph, "broke_trust"))
    await chat.press(graph.ui.menu_button)  # the onboarding questions can wait
    for label in route_to_answer(graph, "broke_trust", "apology_draft"):
        await chat.press(label)
    assert any("Quick exit" in b for b in chat.buttons), chat.buttons  # a step that waits for typing
    await chat.send(text)
