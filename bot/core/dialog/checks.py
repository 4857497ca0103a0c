"""Checks a dialog can run on a typed answer (``ask.check`` in the YAML).

Each check returns what it found as short phrases; the YAML decides what the
bot says about them, so the words stay with the writers.
"""

from __future__ import annotations

import re
from collections.abc import Callable

#: Phrases that turn an apology into a defence. Each pattern is matched on word
#: boundaries; the label is what the user is shown.
_EXCUSE_PATTERNS: tuple[tuple[str, str], ...] = (
    (r"\bbut\b", '"but"'),
    (r"\bhowever\b", '"however"'),
    (r"\bif you\b", '"if you…"'),
    (r"\byou made me\b", '"you made me"'),
    (r"\byou drove me\b", '"you drove me"'),
    (r"\byou pushed me\b", '"you pushed me"'),
    (r"\bbecause you\b", '"because you…"'),
    (r"\byou never\b", '"you never"'),
    (r"\byou always\b", '"you always"'),
    (r"\bsorry (?:that )?you feel\b", '"sorry you feel…"'),
    (r"\bsorry if\b", '"sorry if…"'),
    (r"\bif i hurt you\b", '"if I hurt you"'),
    (r"\bnot (?:really |entirely )?my fault\b", '"not my fault"'),
    (r"\bit just happened\b", '"it just happened"'),
    (r"\bwasn'?t (?:that|a) big deal\b", '"wasn\'t a big deal"'),
    (r"\banyone would\b", '"anyone would"'),
    (r"\bi was (?:drunk|stressed|tired)\b", '"I was drunk/stressed/tired"'),
    (r"\byou have to understand\b", '"you have to understand"'),
    (r"\bonly because\b", '"only because"'),
)
_EXCUSES = tuple((re.compile(p, re.IGNORECASE), label) for p, label in _EXCUSE_PATTERNS)


def excuses(text: str) -> list[str]:
    """Phrases that justify or shift blame, in the order they first appear."""
    normalised = text.replace("’", "'")
    found = sorted(
        ((m.start(), label) for rx, label in _EXCUSES if (m := rx.search(normalised))),
    )
    return [label for _, label in found]


def boundaries(text: str) -> list[str]:
    """Split a list of boundaries (one per line, or separated by ';' or '•')."""
    parts = re.split(r"[\n;•]+|(?:^|\s)-\s", text)
    return [p.strip(" .,-*") for p in parts if len(p.strip(" .,-*")) >= 2]


def place(text: str) -> list[str]:
    """The time zone of a typed city, country or zone name ([] when unknown)."""
    from bot.core.checkin.places import resolve  # the city index loads on first use

    found = resolve(text)
    return [found.zone] if found.zone else []


CHECKS: dict[str, Callable[[str], list[str]]] = {
    "excuses": excuses,
    "boundaries": boundaries,
    "place": place,
}
