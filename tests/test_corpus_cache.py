"""The parsed corpus, cached on disk (bot/adapters/model/corpus_cache.py): a
restart parses nothing, an edited file is parsed (and checked) again, a
damaged cache costs only parsing, and the shipped cache is current."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest

from bot.adapters.model import CorpusCache
from bot.adapters.model.corpus_cache import FILE_NAME
from bot.core.understanding.corpus import load_corpus
from bot.core.understanding.labels import LabelKind
from tests.conftest import DIALOGS

FILE = """version: 1
danger:
  - {text: "he took my passport and my keys", category: control}
sad_but_safe:
  - "i cried in the car park again"
"""


def _dialogs(tmp_path: Path, text: str = FILE) -> Path:
    (tmp_path / "dialogs" / "corpus").mkdir(parents=True)
    (tmp_path / "dialogs" / "corpus" / "mine.yaml").write_text(text, encoding="utf-8")
    return tmp_path / "dialogs"


def test_a_restart_reads_the_parsed_corpus_and_parses_nothing(tmp_path: Path) -> None:
    dialogs = _dialogs(tmp_path)
    first = CorpusCache(tmp_path / "data", prebuilt=None)
    corpus, problems = load_corpus(dialogs, first)
    first.save()
    again = CorpusCache(tmp_path / "data", prebuilt=None)
    cached, _ = load_corpus(dialogs, again)
    assert not problems and first.added == 1 and again.added == 0
    assert cached == corpus
    assert [label.kind for _, label in cached.labelled()] == [LabelKind.DANGER, LabelKind.SAFE]


def test_an_edited_file_is_parsed_and_checked_again(tmp_path: Path) -> None:
    dialogs = _dialogs(tmp_path)
    cache = CorpusCache(tmp_path / "data", prebuilt=None)
    load_corpus(dialogs, cache)
    cache.save()
    (dialogs / "corpus" / "mine.yaml").write_text(FILE.replace("control", "keys"), encoding="utf-8")
    again = CorpusCache(tmp_path / "data", prebuilt=None)
    _, problems = load_corpus(dialogs, again)
    assert [p.where for p in problems] == ["danger.0.category"]


def test_a_damaged_cache_is_parsed_again_with_one_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    dialogs = _dialogs(tmp_path)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / FILE_NAME).write_text("{not json", encoding="utf-8")
    cache = CorpusCache(tmp_path / "data", prebuilt=None)
    with caplog.at_level(logging.WARNING, logger="bot.adapters.model"):
        corpus, problems = load_corpus(dialogs, cache)
    assert not problems and len(corpus.labelled()) == 2 and cache.added == 1
    assert [r for r in caplog.records if "unreadable" in r.getMessage()]


def test_a_file_that_is_not_utf8_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    dialogs = _dialogs(tmp_path)
    (dialogs / "corpus" / "bad.yaml").write_bytes(b"version: 1\noff_topic: ['\xff\xfe']\n")
    corpus, problems = load_corpus(dialogs, CorpusCache(None, prebuilt=None))
    assert [p.file for p in problems] == ["corpus/bad.yaml"]
    assert len(corpus.labelled()) == 2  # the good file still counts


def test_the_shipped_parsed_corpus_is_current(tmp_path: Path) -> None:
    """Fails when dialogs/corpus/ changed without ``python -m bot.adapters.model.prebuilt``."""
    shutil.copytree(DIALOGS / "corpus", tmp_path / "corpus")
    cache = CorpusCache(None)
    load_corpus(tmp_path, cache)
    assert cache.added == 0, "run `python -m bot.adapters.model.prebuilt` and commit its files"
