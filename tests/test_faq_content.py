"""The FAQ content: what ships loads, says what it must, and mistakes read clearly."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.core.dialog.loader import DialogError
from bot.core.dialog.schema import SECTIONS
from bot.core.faq.loader import MAX_ANSWER, MAX_TITLE, load_faq, parse_faq
from bot.core.faq.model import FaqBook

DIALOGS = Path(__file__).resolve().parent.parent / "dialogs"

FAQ_IDS = {
    # Issue #10: questions hurt partners and people who broke trust ask most.
    "repeat_betrayal", "real_change", "checking_phone", "stay_for_kids", "self_blame",
    "intrusive_images", "triggers", "tonight_talk", "repeated_questions", "how_much_detail",
    "how_long", "can_survive", "cant_trust_again",
    *SECTIONS,
    "get_support", "checkin_settings", "privacy",
}


@pytest.fixture(scope="module")
def book() -> FaqBook:
    return load_faq(DIALOGS)


def test_shipped_faq_has_exactly_the_sixteen_topics(book: FaqBook) -> None:
    assert len(FAQ_IDS) == 26
    assert set(book.ids) == FAQ_IDS
    assert len(book.ids) == len(set(book.ids))


def test_every_answer_fits_one_screen_and_every_title_a_button(book: FaqBook) -> None:
    for entry in book:
        assert 0 < len(entry.answer) <= MAX_ANSWER == 600, entry.id
        assert 0 < len(entry.title) <= MAX_TITLE == 40, entry.id


def test_every_entry_has_several_examples(book: FaqBook) -> None:
    for entry in book:
        assert len(entry.examples) >= 5, entry.id


def test_article_sections_offer_their_own_section(book: FaqBook) -> None:
    for section in SECTIONS:
        assert book.get(section).section == section  # type: ignore[union-attr]
    for entry in book:
        assert entry.section is None or entry.section in SECTIONS


def test_settings_and_privacy_answers_name_the_real_commands(book: FaqBook) -> None:
    checkin = book.get("checkin_settings").answer  # type: ignore[union-attr]
    assert re.search(r"/checkin \d\d:\d\d", checkin)
    for command in ("/checkin off", "/checkin on", "/timezone "):
        assert command in checkin
    privacy = book.get("privacy").answer  # type: ignore[union-attr]
    for command in ("/export", "/delete", "/exit"):
        assert command in privacy


def test_support_answer_points_to_real_people_and_warns_about_couples_work_under_abuse(book: FaqBook) -> None:
    answer = book.get("get_support").answer.lower()  # type: ignore[union-attr]
    assert "therapist" in answer or "counsel" in answer
    assert "friend" in answer
    assert "bot" in answer  # a bot is not care
    assert "violence" in answer and "couples" in answer


def test_faq_texts_are_all_written(book: FaqBook) -> None:
    texts = book.texts
    assert "not sure" in texts.unsure.lower()
    for value in vars(texts).values():
        assert value.strip()
    assert len(texts.open_section_button) <= 64


def test_unknown_id_is_none_not_an_error(book: FaqBook) -> None:
    assert book.get("no_such_topic") is None


# --- broken files -------------------------------------------------------------

GOOD = """\
version: 1
kind: faq
texts:
  unsure: "Not sure."
  did_you_mean: "Did you mean?"
  topics_header: "Topics:"
  open_section_button: "Open"
  all_topics_button: "All"
  none_of_these_button: "None"
entries:
  how_long:
    title: "How long?"
    section: forgiveness
    answer: "A while."
    examples: [how long does it take, how many months, when will it end]
"""


def _problems(text: str) -> list[str]:
    book, problems = parse_faq("faq.yaml", text)
    assert book is None
    assert problems
    return [str(p) for p in problems]


def test_minimal_faq_parses() -> None:
    book, problems = parse_faq("faq.yaml", GOOD)
    assert problems == []
    assert book is not None and book.ids == ("how_long",)


def test_too_long_answer_names_the_entry_field_and_line() -> None:
    text = GOOD.replace('answer: "A while."', f'answer: "{"x" * 601}"')
    [problem] = _problems(text)
    assert problem.startswith("faq.yaml:11: entries.how_long.answer:")  # line 11: "how_long:"
    assert "600" in problem


def test_too_long_title_is_reported() -> None:
    [problem] = _problems(GOOD.replace('"How long?"', '"' + "t" * 41 + '"'))
    assert "entries.how_long.title" in problem and "40" in problem


def test_unknown_section_lists_the_valid_ones() -> None:
    [problem] = _problems(GOOD.replace("section: forgiveness", "section: healing"))
    assert "entries.how_long.section" in problem
    assert "forgiveness" in problem  # the valid ids are listed


def test_too_few_examples_are_reported() -> None:
    [problem] = _problems(GOOD.replace("[how long does it take, how many months, when will it end]", "[how long]"))
    assert "entries.how_long.examples" in problem and "3" in problem


def test_missing_text_is_reported() -> None:
    [problem] = _problems(GOOD.replace('  did_you_mean: "Did you mean?"\n', ""))
    assert "texts.did_you_mean" in problem and "required" in problem.lower()


def test_typo_in_a_field_name_is_reported_as_missing_and_unknown() -> None:
    problems = _problems(GOOD.replace("answer:", "answr:"))
    assert any("entries.how_long.answer:" in p and "required" in p.lower() for p in problems)
    assert any("entries.how_long.answr:" in p and "not permitted" in p.lower() for p in problems)


def test_bad_entry_id_is_reported() -> None:
    problems = _problems(GOOD.replace("  how_long:", "  How-Long:"))
    assert any("entries.How-Long" in p for p in problems)


def test_one_example_under_two_entries_is_reported() -> None:
    text = GOOD + """\
  can_survive:
    title: "Survive?"
    answer: "Often."
    examples: [can we survive, "How long does it take?", is there hope]
"""
    [problem] = _problems(text)
    assert "how_long" in problem and "can_survive" in problem


def test_invalid_yaml_reports_the_line() -> None:
    [problem] = _problems(GOOD.replace("  unsure:", "  unsure: [", 1))
    assert "not valid YAML" in problem
    assert re.match(r"faq\.yaml:\d+:", problem)


def test_load_faq_raises_dialog_error_listing_problems(tmp_path: Path) -> None:
    (tmp_path / "faq.yaml").write_text(GOOD.replace("version: 1", "version: 2"), encoding="utf-8")
    with pytest.raises(DialogError) as caught:
        load_faq(tmp_path)
    assert "faq.yaml: version" in str(caught.value)


def test_load_faq_without_a_faq_file_says_so(tmp_path: Path) -> None:
    (tmp_path / "common.yaml").write_text("version: 1\nkind: dialog\n", encoding="utf-8")
    with pytest.raises(DialogError, match="no file with 'kind: faq'"):
        load_faq(tmp_path)


def test_load_faq_refuses_two_faq_files(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(GOOD, encoding="utf-8")
    with pytest.raises(DialogError, match="only one file may have 'kind: faq'"):
        load_faq(tmp_path)


def test_load_faq_ignores_other_kinds(tmp_path: Path) -> None:
    (tmp_path / "faq.yaml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "safety.yaml").write_text("version: 1\nkind: safety\n", encoding="utf-8")
    assert load_faq(tmp_path).ids == ("how_long",)
