"""Safety first: the danger check, the resources, and the caring reply.

Thresholds on the labelled set (tests/data/faq_eval.yaml, ``safety``):
recall >= 0.95, because a missed disclosure is the worst failure this bot can
have; false alarms <= 0.05 on ordinary heartbreak talk, because a crisis reply
to "we had an argument about dishes" teaches people to ignore it. Measured:
recall 1.0 and no false alarms on this set. On phrasings written after the
patterns, before being added here, recall was ~0.75: the set is the floor the
patterns must keep, not a promise about every message.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.core.dialog.loader import DialogError
from bot.core.safety.check import CATEGORIES, check
from bot.core.safety.loader import load_safety, parse_resources, parse_safety
from bot.core.safety.model import SafetyContent
from bot.core.safety.resources import Resource, resources_for
from bot.core.safety.respond import format_resource, safety_plan_texts, safety_replies

ROOT = Path(__file__).resolve().parent.parent
EVAL = yaml.safe_load((ROOT / "tests" / "data" / "faq_eval.yaml").read_text(encoding="utf-8"))
POSITIVE: list[dict] = EVAL["safety"]["positive"]
NEGATIVE: list[str] = EVAL["safety"]["negative"]


@pytest.fixture(scope="module")
def content() -> SafetyContent:
    return load_safety(ROOT / "dialogs")


# --- the check on the labelled set ------------------------------------------------


def test_eval_set_has_enough_examples_in_every_category() -> None:
    assert len(POSITIVE) >= 30 and len(NEGATIVE) >= 30
    for category in CATEGORIES:
        if category == "risk_to_others":
            continue  # new in issue #10: measured on dialogs/corpus/dev.yaml
        assert sum(p["category"] == category for p in POSITIVE) >= 5, category


def test_recall_on_danger_messages() -> None:
    missed = [p["text"] for p in POSITIVE if not check(p["text"]).hit]
    recall = 1 - len(missed) / len(POSITIVE)
    assert recall >= 0.95, f"recall {recall:.3f}; missed:\n" + "\n".join(missed)


def test_danger_is_filed_under_the_right_category() -> None:
    wrong = [f"{p['category']}: {p['text']!r} -> {check(p['text']).categories}"
             for p in POSITIVE if p["category"] not in check(p["text"]).categories]
    assert len(wrong) / len(POSITIVE) <= 0.10, "\n".join(wrong)


def test_false_alarms_on_ordinary_heartbreak() -> None:
    alarms = [f"{t!r} -> {check(t).categories}" for t in NEGATIVE if check(t).hit]
    rate = len(alarms) / len(NEGATIVE)
    assert rate <= 0.05, f"false alarms {rate:.3f}:\n" + "\n".join(alarms)


def test_faq_questions_are_not_alarms() -> None:
    faq = yaml.safe_load((ROOT / "dialogs" / "faq.yaml").read_text(encoding="utf-8"))
    questions = [q for qs in EVAL["faq"].values() for q in qs] + EVAL["off_topic"]
    questions += [e for entry in faq["entries"].values() for e in entry["examples"]]
    alarms = [q for q in questions if check(q).hit]
    assert len(alarms) / len(questions) <= 0.02, alarms


# --- the cases the issue names ------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("I want to kill myself", "self_harm"),
        ("my partner hit me", "violence"),
        ("he threatens to take the kids if I leave", "threats"),
        ("I'm afraid he'll hurt me", "fear"),
        ("she checks my phone and won't let me see my friends", "control"),
        ("He forced me to have sex", "sexual_violence"),
    ],
)
def test_named_danger_cases_hit(text: str, category: str) -> None:
    result = check(text)
    assert result.hit
    assert category in result.categories


@pytest.mark.parametrize("text", ["we had an argument about dishes", "I hurt her feelings by lying"])
def test_named_ordinary_cases_do_not_hit(text: str) -> None:
    assert check(text).hit is False
    assert check(text).categories == ()


def test_dying_inside_is_heartbreak_but_wanting_to_die_is_not() -> None:
    """The documented judgment call: the idiom does not hit, the plain wish does."""
    assert not check("he cheated and I feel like dying inside").hit
    assert check("he cheated and I feel like dying").hit
    assert check("he cheated and I just want to die").hit


@pytest.mark.parametrize(
    "text",
    [
        "he has never hit me",
        "he didn't hit me, he just lies",
        "I'm not suicidal, only exhausted",
        "I would never hurt myself",
        "I'm not afraid he will hurt me, I'm afraid he'll leave",
    ],
)
def test_negation_cancels_a_match(text: str) -> None:
    assert not check(text).hit


def test_negation_does_not_cross_a_clause() -> None:
    assert check("I'm not sure how to say this, but he hit me").hit
    assert check("I don't know. He hit me again.").hit


def test_negation_inside_a_danger_phrase_still_hits() -> None:
    assert check("I don't want to live anymore").hit
    assert check("he won't let me leave the house").hit


def test_phone_checking_alone_is_a_weak_sign() -> None:
    assert not check("my wife checks my phone since the affair").hit
    assert check("he checks my phone and demands all my passwords").categories == ("control",)


def test_threats_to_leave_are_boundaries_not_danger() -> None:
    assert not check("she threatened to leave me if I lie again").hit
    assert check("she threatened me").hit


def test_several_categories_come_most_urgent_first() -> None:
    result = check("he hit me and now I want to kill myself")
    assert result.categories == ("self_harm", "violence")


def test_case_apostrophes_and_missing_apostrophes_do_not_matter() -> None:
    for text in ("MY PARTNER HIT ME", "I’m afraid he’ll hurt me", "im afraid hell hurt me",
                 "i dont want to live anymore"):
        assert check(text).hit, text


def test_empty_text_is_no_hit() -> None:
    assert check("") == check("   ") == check("🙂")
    assert not check("").hit


# --- safety.yaml ---------------------------------------------------------------------


def test_shipped_safety_content_loads_with_every_category(content: SafetyContent) -> None:
    assert set(content.texts.openings) == set(CATEGORIES)
    assert set(content.texts.buttons) == {"safety_plan", "walk_away", "menu"}


@pytest.mark.parametrize(
    ("country", "numbers"),
    [
        ("US", ["911", "1-800-799-7233", "START to 88788", "988"]),
        ("GB", ["999", "0808 2000 247", "116 123"]),
        ("DE", ["110", "116 016", "0800 111 0 111"]),
    ],
)
def test_country_resources_have_real_numbers(content: SafetyContent, country: str, numbers: list[str]) -> None:
    found = {value for r in content.resources[country] for value in (r.phone, r.sms) if value}
    for number in numbers:
        assert number in found, (country, number)


def test_default_resources_work_anywhere(content: SafetyContent) -> None:
    default = content.resources["default"]
    assert any(r.url and "findahelpline.com" in r.url for r in default)
    assert any(r.note and "emergency" in r.note for r in default)


def _all_texts(content: SafetyContent) -> list[str]:
    t = content.texts
    return [*t.openings.values(), t.not_care, t.resources_header, *t.safety_plan_offer.values(), t.privacy_note,
            *t.buttons.values(), *t.safety_plan.values()]


@pytest.mark.parametrize(
    "phrase",
    ["couples", "couple's", "reconcil", "work it out", "work things out", "talk to your partner", "talk it through",
     "give them another chance", "leave him", "leave her", "you should leave", "break up", "dump"],
)
def test_safety_texts_neither_steer_back_to_the_partner_nor_push_a_break_up(
    content: SafetyContent, phrase: str
) -> None:
    for text in _all_texts(content):
        assert phrase not in text.lower(), text


def test_safety_texts_say_a_bot_is_not_care_and_offer_a_way_out(content: SafetyContent) -> None:
    assert "bot" in content.texts.not_care.lower()
    assert "/exit" in content.texts.privacy_note and "/delete" in content.texts.privacy_note


# --- resources_for --------------------------------------------------------------------


def test_resources_for_a_listed_country(content: SafetyContent) -> None:
    assert resources_for("gb", catalogue=content.resources) == list(content.resources["GB"])
    assert resources_for("UK", catalogue=content.resources) == list(content.resources["GB"])


@pytest.mark.parametrize("code", [None, "", "NO", "not a country", "123"])
def test_resources_for_anywhere_else_are_the_defaults(content: SafetyContent, code: str | None) -> None:
    assert resources_for(code, catalogue=content.resources) == list(content.resources["default"])


def test_overrides_replace_a_country_or_add_one(content: SafetyContent) -> None:
    mine = (Resource("Local line", phone="0800 000", country="GB"),)
    added = (Resource("Ligne", phone="3919", country="FR"),)
    overrides = {"gb": mine, "FR": added}
    assert resources_for("GB", overrides, catalogue=content.resources) == list(mine)
    assert resources_for("FR", overrides, catalogue=content.resources) == list(added)
    assert resources_for("US", overrides, catalogue=content.resources) == list(content.resources["US"])


def test_config_resources_are_validated_with_clear_problems() -> None:
    resources, problems = parse_resources({"FR": [{"name": "3919", "phone": 3919}]})
    assert problems == [] and resources["FR"][0].phone == "3919"
    _, problems = parse_resources({"fr": [{"name": "x"}], "ES": [{"name": "y", "phone": "call us"}]})
    shown = "\n".join(str(p) for p in problems)
    assert "two-letter country code" in shown
    assert "at least one of phone, sms, url or note" in shown
    assert "resources.ES.0.phone" in shown


# --- the reply ---------------------------------------------------------------------------


def test_reply_to_partner_violence_has_numbers_plan_and_options(content: SafetyContent) -> None:
    reply = safety_replies(check("my partner hit me"), resources_for("US", catalogue=content.resources), content.texts)
    text = "\n".join(reply.messages)
    assert "1-800-799-7233" in text and "911" in text
    assert "988" not in text  # the suicide line is for self-harm
    assert content.texts.not_care in text
    assert [b.id for b in reply.buttons] == ["safety_plan", "walk_away", "menu"]
    assert reply.categories == ("violence",)


def test_reply_to_self_harm_has_the_crisis_line_and_no_walk_away(content: SafetyContent) -> None:
    reply = safety_replies(check("I want to kill myself"), resources_for("GB", catalogue=content.resources),
                           content.texts)
    text = "\n".join(reply.messages)
    assert "116 123" in text and "999" in text
    assert "0808 2000 247" not in text
    assert [b.id for b in reply.buttons] == ["safety_plan", "menu"]
    assert reply.messages[0] == content.texts.openings["self_harm"]


def test_reply_without_a_hit_is_empty(content: SafetyContent) -> None:
    reply = safety_replies(check("we had an argument about dishes"), content.resources["US"], content.texts)
    assert reply.messages == () and reply.buttons == ()


def test_resource_lines_show_every_way_to_reach_a_service(content: SafetyContent) -> None:
    hotline = next(r for r in content.resources["US"] if r.sms)
    line = format_resource(hotline, content.texts)
    assert hotline.name in line and "call 1-800-799-7233" in line and "text START to 88788" in line
    assert "thehotline.org" in line


def test_safety_plans_follow_the_danger(content: SafetyContent) -> None:
    plans = content.texts.safety_plan
    assert safety_plan_texts(("violence",), content.texts) == (plans["partner"],)
    assert safety_plan_texts(("self_harm",), content.texts) == (plans["self_harm"],)
    assert safety_plan_texts(("self_harm", "control"), content.texts) == (plans["self_harm"], plans["partner"])
    assert safety_plan_texts((), content.texts) == (plans["partner"],)


# --- broken safety.yaml -----------------------------------------------------------------


def _shipped_text() -> str:
    return (ROOT / "dialogs" / "safety.yaml").read_text(encoding="utf-8")


def test_missing_category_opening_is_reported() -> None:
    text = _shipped_text().replace("    fear: >-", "    fearr: >-", 1)
    content, problems = parse_safety("safety.yaml", text)
    assert content is None
    assert any("texts.openings" in str(p) and "missing fear" in str(p) and "unknown fearr" in str(p) for p in problems)


def test_broken_placeholder_is_reported() -> None:
    text = _shipped_text().replace('resource_call: "call {phone}"', 'resource_call: "call {number}"')
    _, problems = parse_safety("safety.yaml", text)
    assert any("texts.resource_call" in str(p) and "{phone}" in str(p) for p in problems)


def test_missing_default_resources_are_reported() -> None:
    data = yaml.safe_load(_shipped_text())
    del data["resources"]["default"]
    _, problems = parse_safety("safety.yaml", yaml.safe_dump(data))
    assert any("default" in str(p) for p in problems)


def test_load_safety_without_a_file_says_so(tmp_path: Path) -> None:
    with pytest.raises(DialogError, match="kind: safety"):
        load_safety(tmp_path)
