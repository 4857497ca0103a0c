"""Read ``kind: faq`` YAML into a :class:`FaqBook`, or into a list of problems.

It reuses the dialog loader's YAML reading and :class:`Problem` so that the
linter and the writers see FAQ mistakes in exactly the same shape as dialog
mistakes: file, path inside the file, line, and a plain message.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, model_validator

from bot.core.dialog.graph import Problem
from bot.core.dialog.loader import DialogError, Document, parse_yaml, read_one
from bot.core.dialog.schema import NodeId, Section, Text
from bot.core.faq.model import FaqBook, FaqEntry, FaqTexts
from bot.core.roles import Role

FAQ_VERSION = 1
#: Telegram shows about this much of a button label on a phone without cutting it.
MAX_TITLE = 40
#: An answer is one chat message that fits on a phone screen without scrolling.
MAX_ANSWER = 600
#: Fewer examples than this leave the matcher too little vocabulary to learn from.
MIN_EXAMPLES = 3

Label = Annotated[str, StringConstraints(min_length=1, max_length=64, strip_whitespace=True)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Answer = Annotated[str, StringConstraints(min_length=1, max_length=MAX_ANSWER, strip_whitespace=True)]


class FaqTextsSpec(_Strict):
    unsure: Text
    did_you_mean: Text
    topics_header: Text
    open_section_button: Label
    all_topics_button: Label
    none_of_these_button: Label


class FaqEntrySpec(_Strict):
    title: Annotated[str, StringConstraints(min_length=1, max_length=MAX_TITLE, strip_whitespace=True)]
    answer: Answer
    examples: list[Text] = Field(min_length=MIN_EXAMPLES)
    section: Section | None = None
    #: Answers written for one role; ``answer`` is the default for the others.
    answers: dict[Role, Answer] = Field(default_factory=dict)
    #: Roles this question fits; none: every role.
    roles: list[Role] = Field(default_factory=list)


class FaqFile(_Strict):
    """The whole ``faq.yaml``: the bot's words, then the entries by id."""

    version: Literal[1]
    kind: Literal["faq"]
    texts: FaqTextsSpec
    entries: dict[NodeId, FaqEntrySpec] = Field(min_length=1)

    @model_validator(mode="after")
    def _examples_belong_to_one_entry(self) -> FaqFile:
        """The same example under two entries would teach the matcher to hesitate."""
        owner: dict[str, str] = {}
        for entry_id, entry in self.entries.items():
            for example in entry.examples:
                key = _squash(example)
                if key in owner and owner[key] != entry_id:
                    raise ValueError(
                        f"example {example!r} is under both '{owner[key]}' and '{entry_id}'; keep it in one"
                    )
                owner[key] = entry_id
        return self


def _squash(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def entry_lines(text: str) -> dict[str, int]:
    """The line of each entry id, so a problem can point the writer at it."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return {}
    if not isinstance(root, yaml.MappingNode):
        return {}
    for key, value in root.value:
        if key.value == "entries" and isinstance(value, yaml.MappingNode):
            return {k.value: k.start_mark.line + 1 for k, _ in value.value}
    return {}


def _problems(name: str, exc: ValidationError, lines: Mapping[str, int]) -> list[Problem]:
    problems = []
    for err in exc.errors():
        loc = [str(part) for part in err["loc"] if part != "[key]"]
        line = lines.get(loc[1]) if len(loc) > 1 and loc[0] == "entries" else None
        message = err["msg"].removeprefix("Value error, ")
        problems.append(Problem(name, ".".join(loc), message, line))
    return problems


def build_book(doc: Document, lines: Mapping[str, int] | None = None) -> tuple[FaqBook | None, list[Problem]]:
    """Validate one parsed FAQ document; the book only when nothing is wrong."""
    try:
        parsed = FaqFile.model_validate(doc.data)
    except ValidationError as exc:
        return None, _problems(doc.name, exc, lines or {})
    texts = FaqTexts(**parsed.texts.model_dump())
    entries = tuple(
        FaqEntry(
            id=entry_id,
            title=spec.title,
            answer=spec.answer,
            examples=tuple(spec.examples),
            section=spec.section,
            answers={str(k): v for k, v in spec.answers.items()} or None,
            roles=tuple(spec.roles),
        )
        for entry_id, spec in parsed.entries.items()
    )
    return FaqBook(entries, texts), []


def parse_faq(name: str, text: str) -> tuple[FaqBook | None, list[Problem]]:
    """Parse FAQ YAML given as text (tests and the linter feed text directly)."""
    doc, problems = parse_yaml(name, text)
    if doc is None:
        return None, problems
    return build_book(doc, entry_lines(text))


def load_faq(directory: Path) -> FaqBook:
    """The one ``kind: faq`` file in ``directory``; raise :class:`DialogError` if it is broken."""
    directory = Path(directory)
    doc = read_one(directory, "faq")
    try:
        lines = entry_lines((directory / doc.name).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        lines = {}
    book, problems = build_book(doc, lines)
    if problems or book is None:
        raise DialogError(problems)
    return book
