"""Onboarding through Telegram: the real Application on the Bot API emulator.

What a new user sees in Telegram: one light question at a time, never two
keyboards in one turn (the old way stacked three, and only the last worked in
the console), and then help lines for their own country one tap away.
"""

from __future__ import annotations

from bot.core.dialog.loader import load_dir
from tests.conftest import DIALOGS
from tests.support.telegram_inproc import InProcessBot, InProcessChat
from tests.telegram.conftest import assert_clean_log

GRAPH = load_dir(DIALOGS)
ROLE_HURT = next(b.label for b in GRAPH.nodes[GRAPH.role_choice].buttons if b.role == "hurt_partner")


def keyboards(seen: list) -> int:
    return sum(1 for s in seen if s.buttons)


async def test_no_turn_of_onboarding_brings_more_than_one_keyboard(bot: InProcessBot) -> None:
    chat = InProcessChat(bot, 4201)
    turns = [await chat.send("/start")]
    turns.append(await chat.press(ROLE_HURT))
    assert "lock screen" in turns[-1][-1].text  # discreet mode first
    turns.append(await chat.press("No need"))
    assert "help lines" in turns[-1][-1].text and "check-in" in turns[-1][-1].text  # the zone, saying why
    turns.append(await chat.press("London · Lisbon · Dublin"))
    assert "/checkin" in turns[-1][-1].text  # then the check-in time
    turns.append(await chat.press("Skip for now"))
    assert "Healing my hurt" in chat.buttons  # and only then the menu
    for n, seen in enumerate(turns):
        assert keyboards(seen) <= 1, f"turn {n}: {[(s.text[:30], s.buttons) for s in seen]}"

    # Safety, one tap away, with the numbers of the country the zone is in.
    seen = await chat.press(next(b for b in chat.buttons if "/safety" in b))
    said = "\n".join(s.text for s in seen)
    assert "999" in said and "0808 2000 247" in said
    assert GRAPH.ui.quick_exit_button in chat.buttons
    assert_clean_log(bot.log())
