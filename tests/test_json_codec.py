"""The bot's JSON codec (orjson) gives the values the standard library gives.

It decodes the Bot API's answers and the updates a webhook receives, and it
writes and reads the users' stored state, so it must read what ``json``
wrote before it, and must not fail where ``json`` did not.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot import json_codec

VALUES: list[Any] = [
    {},
    [],
    {"node": "hurt.trust.intro", "role": "hurt", "variants": {"hurt.menu.0": 1}, "counters": {}},
    {"text": "Привет, ça va? 💔 👩‍❤️‍👨 日本語 \u2028 \u0000 \"quoted\" \\ /"},
    {"numbers": [0, -1, 2**63 - 1, -(2**63), 1.5, 0.1 + 0.2, 1e300, -0.0], "flags": [True, False, None]},
    {"deep": {"er": {"and": [{"deeper": [1, [2, [3]]]}]}}},
    # What orjson refuses itself: the codec falls back to the standard library.
    {"half an emoji": "\ud83d", "past 64 bits": 2**70, "below": -(2**70)},
]


@pytest.mark.parametrize("value", VALUES)
def test_a_value_round_trips_as_with_the_standard_library(value: Any) -> None:
    assert json_codec.loads(json_codec.dumps(value)) == json.loads(json.dumps(value)) == value


@pytest.mark.parametrize("value", VALUES)
@pytest.mark.parametrize("ensure_ascii", [True, False])
def test_text_the_standard_library_wrote_reads_the_same(value: Any, ensure_ascii: bool) -> None:
    text = json.dumps(value, ensure_ascii=ensure_ascii, indent=2)
    assert json_codec.loads(text) == json_codec.loads(text.encode("utf-8", "surrogatepass")) == json.loads(text)


def test_keys_that_are_not_strings_become_strings_as_with_the_standard_library() -> None:
    value = {1: "one", 2.5: "two and a half", False: "no", None: "nothing"}
    assert json_codec.loads(json_codec.dumps(value)) == json.loads(json.dumps(value))


def test_non_ascii_text_is_written_as_utf8_not_escaped() -> None:
    assert json_codec.dumps({"a": "é💔"}) == '{"a":"é💔"}'


@pytest.mark.parametrize("junk", ["", "{", "nope", '{"a": 1,}', "[1, 2", b"\xff\xfe", '{"a": NaN}x'])
def test_what_is_not_json_raises_a_value_error(junk: str | bytes) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - any of json's ValueErrors, as before
        json_codec.loads(junk)


def test_what_json_cannot_encode_raises_a_type_error_as_before() -> None:
    with pytest.raises(TypeError):
        json_codec.dumps({"a set": {1, 2}})
