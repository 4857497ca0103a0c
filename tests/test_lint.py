"""`trustbot lint`: each rule, shown failing on its own broken fixture.

Every fixture is the smallest valid content (tests/fixtures/dialogs_min) with
one mistake written into it, so each failure is caused by exactly that rule.
"""

from __future__ import annotations

import copy
import functools
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.cli import main
from tests.conftest import DIALOGS, MIN_DIALOGS

Files = dict[str, dict]


def _node(files: Files, node_id: str, **spec: object) -> None:
    files["broke_trust.yaml"]["nodes"][node_id] = spec


def _menu_button(files: Files, **button: object) -> None:
    files["broke_trust.yaml"]["nodes"]["b_menu"]["buttons"].append(button)


def schema_error(files: Files) -> None:
    files["broke_trust.yaml"]["nodes"]["b_forgiveness"]["sayy"] = "typo in a key"


def missing_target(files: Files) -> None:
    _menu_button(files, label="Nowhere", goto="nowhere")


def duplicate_across_files(files: Files) -> None:
    files["hurt_partner.yaml"]["nodes"]["b_menu"] = {"say": "a second b_menu", "end": True}


def unreachable(files: Files) -> None:
    _node(files, "b_orphan", say="Nobody leads here.", end=True)


def dead_end(files: Files) -> None:
    _menu_button(files, label="Stuck", goto="b_stuck")
    _node(files, "b_stuck", say="And then nothing.")


def text_over_telegram_limit(files: Files) -> None:
    files["broke_trust.yaml"]["nodes"]["b_intimacy"]["say"] = "x" * 4097


def message_not_chat_sized(files: Files) -> None:
    files["broke_trust.yaml"]["nodes"]["b_intimacy"]["say"] = "word " * 130


def callback_data_too_long(files: Files) -> None:
    long_id = "b_" + "x" * 38
    _menu_button(files, label="Long", goto=long_id)
    _node(files, long_id, say="Long ids.", buttons=[{"label": "Go", "id": "y" * 40, "goto": "b_menu"}])


def too_many_buttons(files: Files) -> None:
    _menu_button(files, label="Many", goto="b_many")
    buttons = [{"label": f"B{i}", "id": f"b{i}", "goto": "b_menu"} for i in range(100)]
    _node(files, "b_many", say="So many.", buttons=buttons)


def duplicate_button_ids(files: Files) -> None:
    _menu_button(files, label="Again", goto="b_forgiveness")


def cannot_reach_menu(files: Files) -> None:
    _menu_button(files, label="Trap", goto="b_trap1")
    _node(files, "b_trap1", say="One.", menu_button=False, buttons=[{"label": "Two", "goto": "b_trap2"}])
    _node(files, "b_trap2", say="Two.", menu_button=False, buttons=[{"label": "One", "goto": "b_trap1"}])


def endless_loop(files: Files) -> None:
    _menu_button(files, label="Loop", goto="b_loop1")
    _node(files, "b_loop1", say="Round", next="b_loop2")
    _node(files, "b_loop2", say="and round", next="b_loop1")


def section_not_covered(files: Files) -> None:
    del files["hurt_partner.yaml"]["sections"]["intimacy"]


def section_too_far(files: Files) -> None:
    nodes = files["broke_trust.yaml"]["nodes"]
    nodes["b_menu"]["buttons"] = [b for b in nodes["b_menu"]["buttons"] if b["goto"] != "b_new_beginning"]
    chain = ["b_menu", "b_far1", "b_far2", "b_far3", "b_far4"]
    nodes["b_menu"]["buttons"].append({"label": "Far", "goto": "b_far1"})
    for here, there in zip(chain[1:], chain[2:] + ["b_new_beginning"], strict=True):
        nodes[here] = {"say": "Further.", "buttons": [{"label": "On", "goto": there}]}


def section_mislabelled(files: Files) -> None:
    files["broke_trust.yaml"]["nodes"]["b_intimacy"]["section"] = "forgiveness"


def role_missing(files: Files) -> None:
    del files["hurt_partner.yaml"]


def two_ways_on(files: Files) -> None:
    files["broke_trust.yaml"]["nodes"]["b_intimacy"]["next"] = "b_menu"


def tool_too_far(files: Files) -> None:
    """A tool for hard moments five taps from the broke_trust menu (and shared, so for both roles)."""
    nodes = files["common.yaml"]["nodes"]
    chain = ["c_far1", "c_far2", "c_far3", "c_far4"]
    _menu_button(files, label="Far", goto=chain[0])
    files["hurt_partner.yaml"]["nodes"]["h_menu"]["buttons"].append({"label": "Far", "goto": chain[0]})
    for here, there in zip(chain, chain[1:] + ["c_breathe"], strict=True):
        nodes[here] = {"say": "Further.", "buttons": [{"label": "On", "goto": there}]}
    nodes["c_breathe"] = {"say": "Breathe.", "tool": "grounding", "end": True}


def tool_for_one_role_only(files: Files) -> None:
    files["hurt_partner.yaml"]["nodes"]["h_talk"] = {"say": "Tonight's talk.", "tool": "talk", "end": True}
    files["hurt_partner.yaml"]["nodes"]["h_menu"]["buttons"].append({"label": "Talk", "goto": "h_talk"})


def faq_entry_without_answer(files: Files) -> None:
    entries = files["faq.yaml"]["entries"]
    first = entries[0] if isinstance(entries, list) else entries[next(iter(entries))]
    del first["answer"]


def safety_file_missing(files: Files) -> None:
    del files["safety.yaml"]


def corpus_unknown_category(files: Files) -> None:
    files["corpus/misses.yaml"] = {"version": 1, "danger": [{"text": "he took my keys", "category": "keys"}]}


def corpus_unknown_faq_entry(files: Files) -> None:
    files["corpus/misses.yaml"] = {"version": 1, "faq": [{"text": "how long now", "faq": "how_lnog"}]}


CASES: list[tuple[Callable[[Files], None], str]] = [
    (corpus_unknown_category, "corpus/misses.yaml: danger.0.category"),
    (corpus_unknown_faq_entry, "unknown FAQ entry: how_lnog"),
    (faq_entry_without_answer, "faq.yaml"),
    (safety_file_missing, "no file with 'kind: safety' found"),
    (schema_error, "broke_trust.yaml:"),
    (missing_target, "leads to 'nowhere', which does not exist"),
    (duplicate_across_files, "duplicate node id (also in broke_trust.yaml)"),
    (unreachable, "nodes.b_orphan: unreachable"),
    (dead_end, "nodes.b_stuck: dead end"),
    (text_over_telegram_limit, "Telegram allows 4096"),
    (message_not_chat_sized, "keep messages chat-sized"),
    (callback_data_too_long, "64-byte button data"),
    (too_many_buttons, "Telegram allows 100"),
    (duplicate_button_ids, "two buttons share the id 'b_forgiveness'"),
    (cannot_reach_menu, "cannot get back to the menu from here"),
    (endless_loop, "endless loop"),
    (section_not_covered, "role hurt_partner does not cover section 'intimacy'"),
    (section_too_far, "'b_new_beginning' is more than 4 taps from the broke_trust menu"),
    (section_mislabelled, "entry of section 'intimacy' is tagged 'forgiveness'"),
    (role_missing, "no dialog file has 'role: hurt_partner'"),
    (two_ways_on, "a node has one way on, this one has"),
    (tool_too_far, "tool 'grounding' is more than 4 taps from the broke_trust menu"),
    (tool_for_one_role_only, "tool 'talk' has no node for role broke_trust"),
]


@functools.cache
def _minimal() -> dict[str, tuple[str, Any]]:
    """Each fixture file's text and parsed data, read once (faq.yaml is the shipped, long one)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return {p.name: (text, yaml.load(text, Loader=loader))
            for p in MIN_DIALOGS.glob("*.yaml") for text in [p.read_text()]}


def _write_fixture(tmp_path: Path, mutate: Callable[[Files], None]) -> Path:
    files: Files = {name: copy.deepcopy(data) for name, (_, data) in _minimal().items()}
    mutate(files)
    for name, data in files.items():
        text, original = _minimal().get(name, ("", None))
        # A file the mistake did not touch is written as it was; only the changed one is re-dumped.
        changed = data != original
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False) if changed else text)
    return tmp_path


@pytest.mark.parametrize(("mutate", "expected"), CASES, ids=[c[0].__name__ for c in CASES])
def test_lint_names_the_broken_rule(tmp_path: Path, capsys, mutate, expected: str) -> None:
    folder = _write_fixture(tmp_path, mutate)
    assert main(["lint", str(folder)]) == 1
    out = capsys.readouterr().out
    problems = out.splitlines()[:-1]  # the last line is the summary
    assert any(expected in line for line in problems), out


def test_lint_reports_the_line_and_path_of_a_schema_error(tmp_path: Path, capsys) -> None:
    main(["lint", str(_write_fixture(tmp_path, schema_error))])
    line = next(text for text in capsys.readouterr().out.splitlines() if "sayy" in text)
    assert line.startswith("broke_trust.yaml:") and "nodes.b_forgiveness.sayy" in line
    assert line.split(":")[1].isdigit()


def test_lint_catches_a_node_written_twice_in_one_file(tmp_path: Path, capsys) -> None:
    for path in MIN_DIALOGS.glob("*.yaml"):
        shutil.copy(path, tmp_path)
    role = tmp_path / "broke_trust.yaml"
    role.write_text(role.read_text() + "  b_intimacy:\n    say: again\n    end: true\n")
    assert main(["lint", str(tmp_path)]) == 1
    assert "b_intimacy: duplicate node id (written twice in this file)" in capsys.readouterr().out


def test_lint_reports_invalid_yaml_with_its_line(tmp_path: Path, capsys) -> None:
    for path in MIN_DIALOGS.glob("*.yaml"):
        shutil.copy(path, tmp_path)
    (tmp_path / "broke_trust.yaml").write_text("version: 1\nkind: dialog\nnodes: [unclosed\n")
    assert main(["lint", str(tmp_path)]) == 1
    assert "broke_trust.yaml:" in capsys.readouterr().out


def test_lint_of_a_missing_folder_fails_kindly(tmp_path: Path, capsys) -> None:
    assert main(["lint", str(tmp_path / "nope")]) == 1
    assert "not a folder" in capsys.readouterr().out


def test_the_minimal_fixture_is_itself_clean(capsys) -> None:
    assert main(["lint", str(MIN_DIALOGS)]) == 0


def test_the_shipped_dialogs_pass_lint(capsys) -> None:
    code = main(["lint", str(DIALOGS)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "broke_trust: 10/10 sections" in out and "hurt_partner: 10/10 sections" in out
