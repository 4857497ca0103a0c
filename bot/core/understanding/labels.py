"""What one labelled example stands for: the row labels of the reader's index.

Apart from :mod:`content` so that the writer's examples and the corpus
(:mod:`corpus`) share them without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.core.understanding.reading import SafetyLevel


class LabelKind(StrEnum):
    DANGER = "danger"
    SAFE = "safe"
    FEELING = "feeling"
    SMALL_TALK = "small_talk"
    OFF_TOPIC = "off_topic"
    FAQ = "faq"


@dataclass(frozen=True)
class ExampleLabel:
    """What one example stands for. ``value`` is the category, feeling,
    small-talk kind or FAQ id; ``level`` only for danger."""

    kind: LabelKind
    value: str = ""
    level: SafetyLevel | None = None
