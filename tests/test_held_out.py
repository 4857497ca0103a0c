"""Measuring the reader honestly now that it learns from the corpus:
near-copies of what it learnt are set apart from new wording."""

from __future__ import annotations

from bot.core.understanding.evaluate import novel_part, texts_of


def test_a_near_copy_of_a_training_line_is_not_part_of_the_novel_part() -> None:
    learnt = ["i sleep with my keys and phone under the pillow in case i need to run"]
    data = {
        "danger": [
            {"text": "i sleep with my phone and keys under my pillow in case i need to run", "category": "fear"},
            {"text": "packed a bag and hid it at my sister's, just in case", "category": "fear"},
        ],
        "sad_but_safe": ["Keys are under my pillow tonight"],
        "version": 1,
    }
    novel = novel_part(data, learnt)
    assert [d["text"] for d in novel["danger"]] == ["packed a bag and hid it at my sister's, just in case"]
    assert novel["sad_but_safe"] == ["Keys are under my pillow tonight"]  # shares under half its words
    assert "version" not in novel


def test_texts_of_lists_each_text_once() -> None:
    data = {"danger": [{"text": "b", "category": "fear"}], "off_topic": ["a", "b"], "version": 1}
    assert texts_of(data) == ["a", "b"]
