"""JSON in and out of the bot's hot path, with orjson.

Why: every update decodes the Bot API's answers to its calls (a sent message
comes back whole, with its keyboard), and every turn encodes and decodes the
user's dialog state. With the standard library that was ~7% of the event
loop under load (py-spy over bench_updates.py); orjson does the same work
3–10× faster, in C, and yields the same Python values.

What changes is only the text written: compact, with non-ASCII characters
as UTF-8 rather than ``\\uXXXX`` escapes. Both are JSON, so text written by
an earlier release (``json.dumps``) reads back the same
(tests/test_json_codec.py). Dictionary keys that are not strings become
strings, as ``json.dumps`` makes them. What orjson refuses and the standard
library accepts (a lone surrogate, which a user's text held for the safety
question can carry; an integer past 64 bits) goes through the standard
library instead, so nothing that was stored before fails now.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

#: orjson's decoding error: a ``json.JSONDecodeError``, so a ``ValueError``.
DecodeError = orjson.JSONDecodeError

_OPTIONS = orjson.OPT_NON_STR_KEYS


def dumps(value: Any) -> str:
    """``value`` as JSON text (the database's JSON columns take text)."""
    try:
        return orjson.dumps(value, option=_OPTIONS).decode()
    except TypeError:
        return json.dumps(value)


def loads(data: str | bytes) -> Any:
    """The value of JSON ``data``; raises ``ValueError`` if it is not JSON."""
    try:
        return orjson.loads(data)
    except DecodeError:
        return json.loads(data)
