"""The FAQ matcher on a labelled evaluation set (tests/data/faq_eval.yaml).

Thresholds, and why:

* top-1 accuracy >= 0.85 on in-scope questions: a wrong first guess still
  shows up as a did-you-mean choice or the topic list, so 85 % keeps the bot
  useful; measured ~0.95 (and ~0.9 on questions written after the matcher was
  tuned, before they were added here).
* precision of confident answers >= 0.95: answering the wrong question with
  confidence on a topic like this hurts more than one extra tap, so the bot
  asks when unsure; measured 1.0.
* answer rate >= 0.70: guards the other way, so that "never answer" cannot
  pass the off-topic test; measured ~0.85.
* off-topic: >= 0.90 must not get an answer (measured 1.0), and >= 0.70 must
  get the honest "not sure" rather than did-you-mean (measured ~0.8).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bot.core.faq.explain import explain, format_explanation
from bot.core.faq.loader import load_faq
from bot.core.faq.matcher import CLARIFY_MAX, CLARIFY_MIN, FaqMatcher
from bot.core.faq.model import FaqBook, FaqEntry, FaqTexts
from bot.core.safety.check import SafetyResult

ROOT = Path(__file__).resolve().parent.parent
EVAL = yaml.safe_load((ROOT / "tests" / "data" / "faq_eval.yaml").read_text(encoding="utf-8"))
IN_SCOPE = [(question, faq_id) for faq_id, questions in EVAL["faq"].items() for question in questions]
OFF_TOPIC: list[str] = EVAL["off_topic"]


@pytest.fixture(scope="module")
def book() -> FaqBook:
    return load_faq(ROOT / "dialogs")


@pytest.fixture(scope="module")
def matcher(book: FaqBook) -> FaqMatcher:
    return FaqMatcher(book)


def _squash(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def _misses(matcher: FaqMatcher, pairs: list[tuple[str, str]]) -> list[str]:
    return [f"{want} <- {q!r} (got {matcher.rank(q)[0].faq_id})"
            for q, want in pairs if matcher.rank(q)[0].faq_id != want]


# --- the evaluation set itself --------------------------------------------------


def test_eval_set_covers_every_topic_with_five_or_more_questions(book: FaqBook) -> None:
    # Entries added by issue #10 are measured on dialogs/corpus/dev.yaml.
    assert set(EVAL["faq"]) <= set(book.ids)
    for faq_id, questions in EVAL["faq"].items():
        assert len(questions) >= 5, faq_id
    assert len(OFF_TOPIC) >= 25


def test_eval_questions_are_not_copies_of_the_faq_examples(book: FaqBook) -> None:
    examples = {_squash(e) for entry in book for e in entry.examples}
    copied = [q for q, _ in IN_SCOPE if _squash(q) in examples]
    assert not copied


# --- accuracy -----------------------------------------------------------------


def test_top1_accuracy_on_in_scope_questions(matcher: FaqMatcher) -> None:
    misses = _misses(matcher, IN_SCOPE)
    accuracy = 1 - len(misses) / len(IN_SCOPE)
    assert accuracy >= 0.85, f"top-1 {accuracy:.3f}; misses:\n" + "\n".join(misses)


def test_confident_answers_are_right_and_frequent(matcher: FaqMatcher) -> None:
    answered = [(q, want, d) for q, want in IN_SCOPE if (d := matcher.decide(q)).kind == "answer"]
    wrong = [f"{want} <- {q!r} (answered {d.matches[0].faq_id})"
             for q, want, d in answered if d.matches[0].faq_id != want]
    precision = 1 - len(wrong) / max(len(answered), 1)
    rate = len(answered) / len(IN_SCOPE)
    assert precision >= 0.95, f"precision {precision:.3f}:\n" + "\n".join(wrong)
    assert rate >= 0.70, f"answers only {rate:.3f} of in-scope questions"


def test_off_topic_questions_get_no_confident_answer(matcher: FaqMatcher) -> None:
    decisions = {q: matcher.decide(q) for q in OFF_TOPIC}
    answered = [f"{q!r} -> {d.matches[0]}" for q, d in decisions.items() if d.kind == "answer"]
    rejection = 1 - len(answered) / len(OFF_TOPIC)
    assert rejection >= 0.90, f"rejection {rejection:.3f}:\n" + "\n".join(answered)
    unsure = sum(d.kind == "unsure" for d in decisions.values()) / len(OFF_TOPIC)
    assert unsure >= 0.70, f"only {unsure:.3f} of off-topic questions get an honest 'not sure'"


@pytest.mark.parametrize("question", ["what's the weather tomorrow", "recommend a pizza place", "", "   ", "🙂"])
def test_plainly_unrelated_text_is_unsure(matcher: FaqMatcher, question: str) -> None:
    decision = matcher.decide(question)
    assert decision.kind == "unsure"
    assert decision.matches == ()


def _swap_middle_letters(question: str) -> str:
    """A phone-keyboard typo: two neighbouring letters swapped in the longest word."""
    words = question.split()
    i = max(range(len(words)), key=lambda k: len(words[k]))
    word = words[i]
    if len(word) >= 5:
        j = len(word) // 2
        words[i] = word[:j] + word[j + 1] + word[j] + word[j + 2:]
    return " ".join(words)


def test_typos_in_the_longest_word_keep_the_match(matcher: FaqMatcher) -> None:
    typo_pairs = [(_swap_middle_letters(q), want) for q, want in IN_SCOPE]
    assert sum(a != b for (a, _), (b, _) in zip(typo_pairs, IN_SCOPE, strict=True)) > len(IN_SCOPE) // 2
    misses = _misses(matcher, typo_pairs)
    accuracy = 1 - len(misses) / len(typo_pairs)
    assert accuracy >= 0.80, f"top-1 with typos {accuracy:.3f}:\n" + "\n".join(misses)


@pytest.mark.parametrize(
    ("question", "faq_id"),
    [
        ("he cheated, how do i forgive him", "forgiveness"),
        ("forgiving my wife after her cheating", "forgiveness"),
        ("i lied and she found out, how do i make it right", "take_responsibility"),
        ("can our relatonship survive this", "can_survive"),
        ("how do i stop the daily reminders", "checkin_settings"),
        ("my timezone is wrong", "checkin_settings"),
        ("delete all my data please", "privacy"),
    ],
)
def test_word_forms_synonyms_and_typos(matcher: FaqMatcher, question: str, faq_id: str) -> None:
    assert matcher.rank(question)[0].faq_id == faq_id


def test_every_faq_example_finds_its_own_entry(book: FaqBook, matcher: FaqMatcher) -> None:
    pairs = [(example, entry.id) for entry in book for example in entry.examples]
    misses = _misses(matcher, pairs)
    assert len(misses) / len(pairs) <= 0.05, "\n".join(misses)


# --- shape of the results -------------------------------------------------------


def test_rank_scores_every_entry_in_order_within_0_and_1(matcher: FaqMatcher, book: FaqBook) -> None:
    for question, _ in IN_SCOPE[:40] + [(q, "") for q in OFF_TOPIC[:10]]:
        ranked = matcher.rank(question)
        assert sorted(m.faq_id for m in ranked) == sorted(book.ids)
        scores = [m.score for m in ranked]
        assert scores == sorted(scores, reverse=True)
        assert all(0.0 <= s <= 1.0 for s in scores)


def test_decisions_carry_the_matches_to_act_on(matcher: FaqMatcher) -> None:
    kinds = set()
    for question in [q for q, _ in IN_SCOPE] + OFF_TOPIC:
        decision = matcher.decide(question)
        kinds.add(decision.kind)
        assert len(decision.top) == 3
        if decision.kind == "answer":
            assert decision.matches == (decision.top[0],)
        elif decision.kind == "clarify":
            assert 1 <= len(decision.matches) <= CLARIFY_MAX
            assert decision.matches[0] == decision.top[0]
            assert all(m.score >= CLARIFY_MIN for m in decision.matches)
        else:
            assert decision.matches == ()
            assert decision.top[0].score < CLARIFY_MIN
    assert kinds == {"answer", "clarify", "unsure"}


def test_matcher_learns_from_whatever_book_it_is_given() -> None:
    texts = FaqTexts("?", "?", "?", "?", "?", "?")
    tiny = FaqBook(
        (
            FaqEntry("cats", "Cats", "Meow.", ("how do I feed my cat", "what do kittens eat", "cat food advice")),
            FaqEntry("boats", "Boats", "Ahoy.", ("how do I sail a boat", "sailing for beginners", "boat licence")),
        ),
        texts,
    )
    matcher = FaqMatcher(tiny)
    assert matcher.decide("what should my kitten eat").matches[0].faq_id == "cats"
    assert matcher.rank("learning to sail").pop(0).faq_id == "boats"
    assert matcher.decide("how do I rebuild trust").kind != "answer"


def test_long_messages_do_not_break_the_matcher(matcher: FaqMatcher) -> None:
    long_text = "how long does it take to rebuild trust " * 300
    assert matcher.decide(long_text).kind == "answer"


# --- explain ----------------------------------------------------------------------


def test_explain_reports_a_confident_answer(matcher: FaqMatcher) -> None:
    result = explain("how long does it take to rebuild trust after an affair", matcher)
    assert result["safety"] is False
    assert result["faq_id"] == "how_long"
    assert result["action"] == "answer"
    assert 0.5 <= result["score"] <= 1.0
    assert next(m["faq_id"] for m in result["top"]) == "how_long"


def test_explain_gives_no_faq_id_when_the_bot_would_not_answer(matcher: FaqMatcher) -> None:
    result = explain("recommend a pizza place", matcher)
    assert result["faq_id"] is None
    assert result["action"] == "unsure"
    assert result["score"] < CLARIFY_MIN


def test_explain_puts_safety_first(matcher: FaqMatcher) -> None:
    result = explain("my partner hit me, how do i forgive him", matcher)
    assert result["safety"] is True
    assert result["categories"] == ["violence"]
    assert result["action"] == "safety"


def test_explain_uses_the_safety_check_it_is_given(matcher: FaqMatcher) -> None:
    result = explain("how do i forgive him", matcher, safety_check=lambda _: SafetyResult(True, ("fear",)))
    assert result["safety"] is True and result["action"] == "safety"


def test_formatted_explanation_shows_safety_top3_and_the_move_but_not_the_text(matcher: FaqMatcher) -> None:
    question = "how long does it take to rebuild trust"
    shown = format_explanation(explain(question, matcher))
    assert "safety: no hit" in shown
    assert shown.count("\n  ") == 3  # three ranked lines
    assert "how_long" in shown
    assert "bot would: answer with FAQ 'how_long'" in shown
    assert question not in shown

    shown = format_explanation(explain("i want to kill myself", matcher))
    assert "safety: HIT (self_harm)" in shown
    assert "bot would: send the safety reply" in shown

    shown = format_explanation(explain("what's the weather tomorrow", matcher))
    assert "not sure" in shown
