"""The FAQ as plain, frozen data.

The turn layer, the matcher and the explain tool only ever see these
dataclasses, never the YAML or pydantic, so that none of them has to care how
the content was written or validated.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class FaqEntry:
    """One question the bot can answer.

    ``examples`` are ways people might ask it; the matcher learns its
    vocabulary from them. ``section`` is an article section id whose dialog an
    answer can offer as a button (None: no button).
    """

    id: str
    title: str
    answer: str
    examples: tuple[str, ...]
    section: str | None = None
    #: Role -> an answer written for that role; ``answer`` is the shared default.
    answers: Mapping[str, str] | None = None
    #: The roles this question fits (empty: everyone), for the topic list.
    roles: tuple[str, ...] = ()

    def answer_for(self, role: str | None) -> str:
        """The answer written for ``role``, else the shared one: a hurt partner
        must not get advice meant for the one who broke trust."""
        return (self.answers or {}).get(role or "", self.answer)

    def fits(self, role: str | None) -> bool:
        return not self.roles or role is None or role in self.roles


@dataclass(frozen=True)
class FaqTexts:
    """The bot's own words around FAQ answers, owned by the writers."""

    #: Said when the bot cannot tell what was asked; the topics follow as buttons.
    unsure: str
    #: Said above two or three likely topics when the bot is torn between them.
    did_you_mean: str
    #: Said above the topic buttons for /faq.
    topics_header: str
    #: Label of the button under an answer that opens the matching guide section.
    open_section_button: str
    #: Label of the button that lists every topic.
    all_topics_button: str
    #: Label of the button under "did you mean" for when no suggestion fits.
    none_of_these_button: str


@dataclass(frozen=True)
class FaqBook:
    """All FAQ entries in the order writers gave them (the order of /faq buttons)."""

    entries: tuple[FaqEntry, ...]
    texts: FaqTexts

    def __iter__(self) -> Iterator[FaqEntry]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(entry.id for entry in self.entries)

    def get(self, faq_id: str) -> FaqEntry | None:
        """The entry with this id, or None (an old button may carry a removed id)."""
        for entry in self.entries:
            if entry.id == faq_id:
                return entry
        return None
