"""``understanding.yaml`` as plain, frozen data: labelled examples and the
words for feelings and small talk.

Writers own the examples (what each kind of message sounds like) and the
replies; the reader and the turn layer only see these dataclasses.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from bot.core.dialog.graph import Problem
from bot.core.dialog.loader import DialogError, Document, read_one
from bot.core.dialog.schema import Section, Text
from bot.core.roles import Role
from bot.core.understanding.corpus import EMPTY, Corpus, load_corpus
from bot.core.understanding.labels import ExampleLabel, LabelKind
from bot.core.understanding.reading import (
    Feeling,
    SafetyCategory,
    SafetyLevel,
    SmallTalk,
)

Label = Annotated[str, StringConstraints(min_length=1, max_length=64, strip_whitespace=True)]
Example = Annotated[str, StringConstraints(min_length=1, max_length=300, strip_whitespace=True)]
#: Roles a reflection may be written for; "any" is the shared default.
RoleKey = Literal["any", "hurt_partner", "broke_trust"]


class NextStep(StrEnum):
    """What a feeling's reflection may offer as a button."""

    GROUNDING = "grounding"
    GUIDE = "guide"
    SUPPORT = "support"
    FAQ = "faq"


@dataclass(frozen=True)
class FeelingContent:
    examples: tuple[str, ...]
    #: Role (or "any") -> reflections to rotate through.
    reflect: Mapping[str, tuple[str, ...]]
    next: tuple[NextStep, ...]
    #: Role -> guide section for the "guide" step.
    guide: Mapping[str, str]
    faq: str | None = None

    def reflections(self, role: str | None) -> tuple[str, ...]:
        return self.reflect.get(role or "", ()) or self.reflect.get("any", ()) or next(iter(self.reflect.values()))


@dataclass(frozen=True)
class UnderstandingTexts:
    grounding_button: str
    guide_button: str
    support_button: str
    faq_button: str
    nudge: str
    skip_button: str
    still_waiting: str


@dataclass(frozen=True)
class UnderstandingContent:
    danger: Mapping[tuple[SafetyLevel, SafetyCategory], tuple[str, ...]]
    safe: tuple[str, ...]
    feelings: Mapping[Feeling, FeelingContent]
    small_talk: Mapping[SmallTalk, tuple[tuple[str, ...], tuple[str, ...]]]
    off_topic: tuple[str, ...]
    texts: UnderstandingTexts
    #: The labelled messages of ``dialogs/corpus/`` (learnt from like the examples).
    corpus: Corpus = EMPTY

    def labelled(self) -> list[tuple[str, ExampleLabel]]:
        """Every example with its label, in a stable order (the order of the
        rows of the example matrix and of its cache key): the writer's
        examples, then the corpus."""
        rows: list[tuple[str, ExampleLabel]] = []
        for (level, category), texts in self.danger.items():
            rows += [(t, ExampleLabel(LabelKind.DANGER, category.value, level)) for t in texts]
        rows += [(t, ExampleLabel(LabelKind.SAFE)) for t in self.safe]
        for feeling, content in self.feelings.items():
            rows += [(t, ExampleLabel(LabelKind.FEELING, feeling.value)) for t in content.examples]
        for kind, (examples, _) in self.small_talk.items():
            rows += [(t, ExampleLabel(LabelKind.SMALL_TALK, kind.value)) for t in examples]
        rows += [(t, ExampleLabel(LabelKind.OFF_TOPIC)) for t in self.off_topic]
        return rows + self.corpus.labelled()


# --- the YAML schema ---------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SafetySpec(_Strict):
    clear: dict[SafetyCategory, list[Example]]
    possible: dict[SafetyCategory, list[Example]] = Field(default_factory=dict)
    safe: list[Example] = Field(min_length=1)

    @model_validator(mode="after")
    def _every_category(self) -> SafetySpec:
        missing = [c.value for c in SafetyCategory if not self.clear.get(c)]
        if missing:
            raise ValueError(f"safety.clear needs examples for: {', '.join(missing)}")
        return self


class FeelingSpec(_Strict):
    examples: list[Example] = Field(min_length=3)
    reflect: dict[RoleKey, list[Text]] = Field(min_length=1)
    next: list[NextStep] = Field(min_length=1, max_length=3)
    guide: dict[Role, Section] = Field(default_factory=dict)
    faq: str | None = None

    @model_validator(mode="after")
    def _steps_have_targets(self) -> FeelingSpec:
        if NextStep.FAQ in self.next and not self.faq:
            raise ValueError("next lists 'faq' but no 'faq:' entry id is given")
        if NextStep.GUIDE in self.next and not self.guide:
            raise ValueError("next lists 'guide' but no 'guide:' sections per role are given")
        if any(not texts for texts in self.reflect.values()):
            raise ValueError("every reflect list needs at least one reflection")
        return self


class SmallTalkSpec(_Strict):
    examples: list[Example] = Field(min_length=1)
    replies: list[Text] = Field(min_length=1)


class TextsSpec(_Strict):
    grounding_button: Label
    guide_button: Label
    support_button: Label
    faq_button: Label
    nudge: Text
    skip_button: Label
    still_waiting: Text


class UnderstandingFile(_Strict):
    version: Literal[1]
    kind: Literal["understanding"]
    safety: SafetySpec
    feelings: dict[Feeling, FeelingSpec]
    small_talk: dict[SmallTalk, SmallTalkSpec]
    off_topic: list[Example] = Field(min_length=1)
    texts: TextsSpec

    @model_validator(mode="after")
    def _complete(self) -> UnderstandingFile:
        missing = [f.value for f in Feeling if f not in self.feelings]
        if missing:
            raise ValueError(f"feelings missing: {', '.join(missing)}")
        return self


def build_content(doc: Document) -> tuple[UnderstandingContent | None, list[Problem]]:
    try:
        parsed = UnderstandingFile.model_validate(doc.data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err["loc"] if p != "[key]")
            problems.append(Problem(doc.name, where, err["msg"].removeprefix("Value error, ")))
        return None, problems
    danger: dict[tuple[SafetyLevel, SafetyCategory], tuple[str, ...]] = {}
    levels = ((SafetyLevel.CLEAR, parsed.safety.clear), (SafetyLevel.POSSIBLE, parsed.safety.possible))
    for level, by_category in levels:
        for category, texts in by_category.items():
            danger[(level, category)] = tuple(texts)
    feelings = {
        feeling: FeelingContent(
            examples=tuple(spec.examples),
            reflect={role: tuple(texts) for role, texts in spec.reflect.items()},
            next=tuple(spec.next),
            guide={str(k): str(v) for k, v in spec.guide.items()},
            faq=spec.faq,
        )
        for feeling, spec in parsed.feelings.items()
    }
    small_talk = {kind: (tuple(s.examples), tuple(s.replies)) for kind, s in parsed.small_talk.items()}
    words = UnderstandingTexts(**parsed.texts.model_dump())
    return UnderstandingContent(danger, tuple(parsed.safety.safe), feelings, small_talk,
                                tuple(parsed.off_topic), words), []


def load_understanding(directory: Path, *, corpus: bool = True) -> UnderstandingContent:
    """The one ``kind: understanding`` file and the corpus beside it; raise
    :class:`DialogError` listing every problem of both. ``corpus=False``: the
    file alone, for a reader by the rules alone (the corpus only teaches the model)."""
    content, problems = build_content(read_one(Path(directory), "understanding"))
    found: Corpus = EMPTY
    if corpus:
        found, more = load_corpus(Path(directory))
        problems += more
    if problems or content is None:
        raise DialogError(problems)
    return replace(content, corpus=found)
