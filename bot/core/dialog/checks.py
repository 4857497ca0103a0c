"""Checks a dialog can run on a typed answer (``ask.check`` in the YAML).

Each check returns what it found as short phrases; the YAML decides what the
bot says about them, so the words stay with the writers.
"""

from __future__ import annotations

import re
from collections.abc import Callable

#: Phrases that turn an apology into a defence: blame shifted onto the hurt
#: partner, the act made smaller, or hurry to close the subject. Each pattern
#: is matched on word boundaries; the label is what the user is shown.
#: ``you``/``u`` both count (chat spelling). Lookaheads keep fair sentences
#: clear: "but I know that's no excuse", "if you want to ask me anything",
#: "you never deserved this" and "because you deserve the truth" own the act.
_YOU = r"(?:you|u)"
_FAIR_BUT = (r"(?!\s+(?:i know|i understand|i'?m not making|i'?m not excusing|that'?s no excuse|it'?s no excuse|"
             r"there'?s no excuse|no excuse|i take|i own|it was (?:my|all my) (?:choice|fault|doing)|i will|i'?ll|"
             r"i want to (?:make|earn|do|change)|i'?m (?:going|ready|committed|trying)))")
_EXCUSE_PATTERNS: tuple[tuple[str, str], ...] = (
    (rf"\bbut\b{_FAIR_BUT}", '"but"'),
    (rf"\bhowever\b{_FAIR_BUT}", '"however"'),
    (rf"\bif {_YOU}\b(?!\s+(?:want|wanna|need|ever|would|'?d like|like|ask|decide|choose|are ready|'?re ready|let me))",
     '"if you…"'),
    (rf"\b{_YOU} made me\b", '"you made me"'),
    (rf"\b{_YOU} drove me\b", '"you drove me"'),
    (rf"\b{_YOU} pushed me\b", '"you pushed me"'),
    (rf"\bbecause {_YOU}\b(?!\s+(?:deserve|matter|are worth|'?re worth|asked|trusted))", '"because you…"'),
    (rf"\b{_YOU} never\b(?!\s+(?:deserved|did anything wrong|asked for))", '"you never"'),
    (rf"\b{_YOU} always\b(?!\s+(?:deserved|did your best|were (?:honest|loyal|faithful|good to me)))",
     '"you always"'),
    (rf"\b{_YOU}(?: were|'?re| are|r) (?:so )?(?:distant|cold|never there|always busy|overreacting)\b|"
     rf"\b{_YOU} weren'?t (?:there|around|interested)\b", '"you were…"'),
    (r"\bsorry (?:that )?(?:you|u) (?:feel|felt|think|see it)\b", '"sorry you feel…"'),
    (r"\bsorry if\b", '"sorry if…"'),
    (rf"\bif i hurt {_YOU}\b", '"if I hurt you"'),
    (r"\bnot (?:really |entirely |all |completely )?my fault\b", '"not my fault"'),
    (r"\bit (?:just )?happened\b(?! because i)", '"it just happened"'),
    (r"\b(?:wasn'?t|isn'?t|not) (?:that |such )?(?:a )?big (?:a )?deal\b", '"wasn\'t a big deal"'),
    (r"\b(?:it|she|he|they|that|this) (?:didn'?t|did not|doesn'?t|does not) mean (?:anything|a thing)\b|"
     r"\b(?:it|she|he|that) meant nothing\b|\bit was nothing\b|\bit was (?:only|just) (?:physical|once|a kiss|"
     r"texting|a fling|sex|a one[- ]time thing)\b", '"it meant nothing"'),
    (r"\b(?:can|could|should|shall) we (?:just |please )?"
     r"(?:move on|put (?:this|it) behind us|forget (?:it|this|about it))\b"
     r"|\blet'?s (?:just )?(?:move on|forget (?:it|this|about it))\b|\bget over it\b", '"can we just move on"'),
    (r"\banyone would\b|\beveryone does\b", '"anyone would"'),
    (r"\bi was (?:so |really |very |just |a bit |super )?(?:drunk|high|wasted|stressed|tired|lonely|bored)\b|"
     r"\bthe (?:alcohol|drink|drinking) (?:made me|was)\b", '"I was drunk/stressed/tired"'),
    (r"\bwe were on a break\b", '"we were on a break"'),
    (rf"\b{_YOU} have to understand\b", '"you have to understand"'),
    (r"\bonly because\b", '"only because"'),
    (r"\bwhat did (?:you|u) expect\b", '"what did you expect"'),
)
_EXCUSES = tuple((re.compile(p, re.IGNORECASE), label) for p, label in _EXCUSE_PATTERNS)


def excuses(text: str) -> list[str]:
    """Phrases that justify or shift blame, in the order they first appear."""
    normalised = text.replace("’", "'").lower()
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
