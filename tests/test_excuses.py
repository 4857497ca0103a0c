"""The excuse spotter in the apology draft: casual blame-shifting is caught, fair sentences are left alone."""

from __future__ import annotations

import pytest

from bot.core.dialog.checks import excuses


@pytest.mark.parametrize("text", [
    "u pushed me away for months",
    "it didn't mean anything, she meant nothing to me",
    "can we just move on now",
    "I was drunk and it got out of hand",
    "i was so stressed at work",
    "you were so distant that year",
    "sorry you feel that way",
    "sorry if i hurt you",
    "it wasn't that big a deal honestly",
    "ur the one who stopped talking to me, u made me do it",
    "we were on a break anyway",
    "lets just forget about it",
    "I'm sorry, but you never listen",
])
def test_casual_blame_shifting_and_minimising_is_pointed_out(text: str) -> None:
    assert excuses(text), text


@pytest.mark.parametrize("text", [
    "I lied to you for months and I'm sorry. There is no excuse for it.",
    "I'm sorry, but I know that's no excuse. It was my choice.",
    "I'll answer any question if you want to ask me anything",
    "you never deserved any of this",
    "I'm telling you everything because you deserve the truth",
    "I broke your trust. I'm going to show you with what I do, not with words.",
    "you always deserved honesty from me",
    "I hurt you, and I'm sorry for every lie.",
    "it was just me being selfish, nobody else is to blame",
])
def test_a_fair_apology_is_left_alone(text: str) -> None:
    assert excuses(text) == [], text


def test_excuses_are_listed_in_the_order_they_were_written() -> None:
    assert excuses("I was drunk, and you made me feel alone") == ['"I was drunk/stressed/tired"', '"you made me"']
