"""What the bot understood from one typed message, as plain data.

A :class:`Reading` is all the turn layer needs to choose an answer; it holds
labels and scores, never the text, so it can be logged or explained safely.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.core.roles import Role


class SafetyLevel(StrEnum):
    """How sure the bot is that someone may be in danger.

    POSSIBLE exists because embedding scores of danger and of deep sadness
    overlap: a gentle "are you safe?" costs little, a miss can cost a life.
    """

    NONE = "none"
    POSSIBLE = "possible"
    CLEAR = "clear"


class SafetyCategory(StrEnum):
    """Kinds of danger; each needs different help (crisis vs abuse lines)."""

    SELF_HARM = "self_harm"
    RISK_TO_OTHERS = "risk_to_others"
    SEXUAL_VIOLENCE = "sexual_violence"
    VIOLENCE = "violence"
    THREATS = "threats"
    FEAR = "fear"
    CONTROL = "control"


#: The most urgent first: a reply addresses the first category it finds.
CATEGORY_ORDER: tuple[SafetyCategory, ...] = tuple(SafetyCategory)


class Feeling(StrEnum):
    HEARTBREAK = "heartbreak"
    LONELINESS = "loneliness"
    SHAME = "shame"
    ANGER = "anger"
    NUMBNESS = "numbness"
    PANIC = "panic"
    INTRUSIVE_IMAGES = "intrusive_images"


class SmallTalk(StrEnum):
    """Short social messages that deserve a light answer, not a topic list."""

    ACK = "ack"
    THANKS = "thanks"
    GREETING = "greeting"
    BYE = "bye"
    EMOJI = "emoji"
    UNSURE = "unsure"  # "idk", "not sure", "dunno"


@dataclass(frozen=True)
class Context:
    """Where the message was typed: the user's role and current step.

    ``writing`` is True at a step that waits for the user's own words (an
    apology draft, a journal): there "I hid my phone from her" is a
    confession, not a sign of being controlled.
    """

    role: Role | None = None
    node: str | None = None
    section: str | None = None
    writing: bool = False


@dataclass(frozen=True)
class Reading:
    level: SafetyLevel = SafetyLevel.NONE
    categories: tuple[SafetyCategory, ...] = ()
    #: "en", or the code of the other language the message seems written in.
    language: str = "en"
    feeling: Feeling | None = None
    small_talk: SmallTalk | None = None
    #: The FAQ entry to answer outright, if any.
    faq_id: str | None = None
    #: Entries to offer as "did you mean" when torn (empty otherwise).
    faq_candidates: tuple[str, ...] = ()
    #: The best FAQ score (0..1), for explaining and tuning.
    faq_score: float = 0.0
    question: bool = False
    #: The danger score (margins to the nearest examples + the danger probe), for explaining.
    danger_margin: float = 0.0

    @property
    def in_danger(self) -> bool:
        return self.level is not SafetyLevel.NONE

    @property
    def category(self) -> SafetyCategory | None:
        return self.categories[0] if self.categories else None
