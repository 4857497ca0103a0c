"""The pure parts of linking partners: tokens, deep links, buttons, words (issue #13)."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import pytest

from bot.core import callbacks
from bot.core.dialog.lint import lint_dir
from bot.core.dialog.loader import DialogError
from bot.core.partner import rules, views
from bot.core.partner.content import load_partner
from bot.core.partner.events import (
    AcceptInvite,
    AnswerQuestion,
    DeclineInvite,
    Felt,
    FeltKept,
    NeedSpace,
    ResumeSharing,
    SharePromise,
    ShowPartner,
    SkipQuestion,
    Unlink,
)
from tests.conftest import DIALOGS


def test_tokens_are_random_long_enough_url_safe_and_stored_only_as_a_hash() -> None:
    tokens = {rules.new_token() for _ in range(200)}
    assert len(tokens) == 200
    assert rules.TOKEN_BYTES * 8 >= 128
    for token in tokens:
        assert rules.well_formed(token) and len(token) <= 64
        hashed = rules.token_hash(token)
        assert len(hashed) == 64 and token not in hashed
    assert timedelta(hours=24) == rules.INVITE_TTL
    for bad in ("", "short", "a" * 65, "../../etc/passwd", "tok en with spaces here", "ünïcode-token-1234567"):
        assert not rules.well_formed(bad)


def test_the_deep_link_names_the_bot_and_the_console_gets_the_token_form() -> None:
    assert rules.deep_link("trustbot_test_bot", "abc") == "https://t.me/trustbot_test_bot?start=abc"
    assert rules.deep_link(None, "abc") is None
    texts = load_partner().texts
    made = "\n".join(r.text for r in views.invite_made(texts, "TOKEN123", None))
    assert "/start TOKEN123" in made


def test_first_names_are_one_printable_line() -> None:
    assert rules.clean_name("  Ana\n\u202eMaria\x00 ") == "Ana Maria"
    assert len(rules.clean_name("x" * 500)) == rules.NAME_LENGTH


def test_placeholders_are_filled_once_so_typed_braces_stay_as_typed() -> None:
    assert rules.fill("You: {mine} / Them: {theirs}", mine="{theirs}", theirs="ok") == "You: {theirs} / Them: ok"


def test_every_partner_button_fits_telegram_and_decodes_to_itself() -> None:
    for event in (AcceptInvite(), DeclineInvite(), ShowPartner(), Unlink(), SharePromise(2**62),
                  FeltKept(2**62, Felt.PARTLY.value), AnswerQuestion(2**62), SkipQuestion(2**62), NeedSpace(),
                  ResumeSharing()):
        data = callbacks.encode(event)
        assert len(data.encode()) <= callbacks.MAX_BYTES
        assert callbacks.decode(data) == event
    with pytest.raises(callbacks.BadCallback):
        callbacks.decode("1:Pf:x:yes")


def test_the_shipped_words_load_and_lint_clean() -> None:
    content = load_partner(DIALOGS)
    assert content.questions and "Never shared" in content.texts.shared
    assert not [p for p in lint_dir(DIALOGS).problems if p.file == "partner.yaml"]


def test_a_typo_in_a_placeholder_stops_the_bot_and_lint_names_it(tmp_path: Path) -> None:
    folder = tmp_path / "dialogs"
    shutil.copytree(DIALOGS, folder)
    path = folder / "partner.yaml"
    path.write_text(path.read_text().replace("{promise}", "{promse}"))
    with pytest.raises(DialogError) as raised:
        load_partner(folder)
    assert "promse" in str(raised.value)
    assert any(p.file == "partner.yaml" for p in lint_dir(folder).problems)


def test_questions_come_round_in_order() -> None:
    questions = {"a": "A?", "b": "B?"}
    assert [rules.next_question(questions, n) for n in range(5)] == ["a", "b", "a", "b", "a"]
