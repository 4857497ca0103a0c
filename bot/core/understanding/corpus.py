"""The labelled corpus the reader learns from: ``dialogs/corpus/*.yaml``.

Why a corpus beside the writer's examples: the examples in
``understanding.yaml`` say what each kind of message sounds like, but a few
hundred of them cannot cover how people write. Measured on 2026-12-02, a
reader that also learns from the messages of every earlier labelled set
(the development set and six sets written blind) caught more danger on the
set it had not seen, asked fewer needless safety questions and met more
feelings, for every set left out in turn, and on the lines of each that
share less than half their words with any other (README, "Understanding
free text"). So every labelled message, and every miss found later, is
training data; the figure that counts is measured on a set the reader never
learnt from (``tests/data/understanding/``).

Each file has the evaluation sets' schema (``danger``, ``multilingual_danger``,
``sad_but_safe``, ``feelings``, ``faq``, ``off_topic``, ``small_talk``), so a
miss can move from a report into a file as it is. Danger from the corpus is
learnt at the *possible* level: the model alone gives the full safety reply
only near one of the writer's ``clear`` examples (see the reader).

Pure: parsing and labels; the files are read by :func:`load_corpus`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from bot.core.dialog.graph import Problem
from bot.core.dialog.loader import load_data
from bot.core.understanding.labels import ExampleLabel, LabelKind
from bot.core.understanding.reading import Feeling, SafetyCategory, SafetyLevel, SmallTalk

#: Where the corpus lives, inside the dialogs folder.
CORPUS_DIR = "corpus"
#: Bump when the schema or the labels a file gives change: parsed files
#: cached under the old format are then never used.
FORMAT = "corpus-1"

Rows = tuple[tuple[str, ExampleLabel], ...]


class ParsedFiles(Protocol):
    """Parsed corpus files by :func:`file_key` (an adapter keeps them on disk:
    parsing the corpus's YAML costs a start a few hundred milliseconds)."""

    def get(self, key: str) -> Rows | None: ...

    def put(self, key: str, rows: Rows) -> None: ...


def file_key(data: bytes) -> str:
    """What a file's rows depend on: the format and the file's bytes."""
    return hashlib.sha256(FORMAT.encode() + b"\0" + data).hexdigest()

Message = Annotated[str, StringConstraints(min_length=1, max_length=300, strip_whitespace=True)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DangerItem(_Strict):
    text: Message
    category: SafetyCategory
    lang: str | None = None


class FeelingItem(_Strict):
    text: Message
    feeling: Feeling


class FaqItem(_Strict):
    text: Message
    faq: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    #: Who asks (evaluation only: an entry's answer per role is the FAQ's business).
    role: Literal["any", "hurt_partner", "broke_trust"] = "any"


class CorpusFile(_Strict):
    version: Literal[1]
    danger: list[DangerItem] = Field(default_factory=list)
    multilingual_danger: list[DangerItem] = Field(default_factory=list)
    sad_but_safe: list[Message] = Field(default_factory=list)
    feelings: list[FeelingItem] = Field(default_factory=list)
    faq: list[FaqItem] = Field(default_factory=list)
    off_topic: list[Message] = Field(default_factory=list)
    small_talk: list[Message] = Field(default_factory=list)


@dataclass(frozen=True)
class Corpus:
    """Every labelled message, file by file (a file is one writer's set, so
    evaluation can leave one out whole)."""

    files: tuple[tuple[str, Rows], ...] = ()

    def labelled(self) -> list[tuple[str, ExampleLabel]]:
        return [row for _, rows in self.files for row in rows]

    def names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.files)

    def part(self, name: str) -> Rows:
        return next((rows for n, rows in self.files if n == name), ())

    def without(self, name: str) -> Corpus:
        """The corpus with one file left out (to measure on it)."""
        return Corpus(tuple((n, rows) for n, rows in self.files if n != name))

    def faq_ids(self) -> set[str]:
        return {label.value for _, rows in self.files for _, label in rows if label.kind is LabelKind.FAQ}


EMPTY = Corpus()


def labels_of(parsed: CorpusFile) -> Rows:
    """One (text, label) per message, in the file's section order."""
    rows: list[tuple[str, ExampleLabel]] = []
    for item in (*parsed.danger, *parsed.multilingual_danger):
        rows.append((item.text, ExampleLabel(LabelKind.DANGER, item.category.value, SafetyLevel.POSSIBLE)))
    rows += [(text, ExampleLabel(LabelKind.SAFE)) for text in parsed.sad_but_safe]
    rows += [(item.text, ExampleLabel(LabelKind.FEELING, item.feeling.value)) for item in parsed.feelings]
    rows += [(item.text, ExampleLabel(LabelKind.FAQ, item.faq)) for item in parsed.faq]
    rows += [(text, ExampleLabel(LabelKind.OFF_TOPIC)) for text in parsed.off_topic]
    # Small talk is told by rules; its rows only argue against a feeling or an answer.
    rows += [(text, ExampleLabel(LabelKind.SMALL_TALK, SmallTalk.ACK.value)) for text in parsed.small_talk]
    return tuple(rows)


def build_file(name: str, data: object) -> tuple[Rows, list[Problem]]:
    try:
        parsed = CorpusFile.model_validate(data)
    except ValidationError as exc:
        return (), [Problem(name, ".".join(str(p) for p in err["loc"]), err["msg"]) for err in exc.errors()]
    return labels_of(parsed), []


def unknown_faq_ids(corpus: Corpus, known: Iterable[str]) -> list[Problem]:
    """A corpus line that names an FAQ entry the FAQ does not have."""
    missing = sorted(corpus.faq_ids() - set(known))
    return [Problem(f"{CORPUS_DIR}/", "faq", f"unknown FAQ entry: {faq_id}") for faq_id in missing]


def load_corpus(directory: Path, parsed: ParsedFiles | None = None) -> tuple[Corpus, list[Problem]]:
    """Every ``*.yaml`` in ``<directory>/corpus`` (none: an empty corpus);
    a file whose bytes ``parsed`` knows is not parsed again."""
    folder = Path(directory) / CORPUS_DIR
    files: list[tuple[str, Rows]] = []
    problems: list[Problem] = []
    for path in sorted(folder.glob("*.y*ml")) if folder.is_dir() else ():
        name = f"{CORPUS_DIR}/{path.name}"
        try:
            raw = path.read_bytes()
            text = raw.decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(Problem(name, "", f"cannot read: {exc}"))
            continue
        key = file_key(raw)
        rows = parsed.get(key) if parsed is not None else None
        if rows is None:
            data, found = load_data(name, text)
            if not found:
                rows, found = build_file(name, data)
                if not found and parsed is not None:
                    parsed.put(key, rows)
            problems += found
        files.append((path.stem, rows or ()))
    return Corpus(tuple(files)), problems
