"""Pure rules of a link: invite tokens, timing, which question comes next."""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from collections.abc import Mapping
from datetime import timedelta

#: An invite works once, for this long.
INVITE_TTL = timedelta(hours=24)
#: After "I need some space today", no new shared question for this long.
SPACE_QUIET = timedelta(hours=24)
#: A new shared question at most this often (per couple).
QUESTION_EVERY = timedelta(days=3)
#: The weekly summary a receiver may send covers this long.
SUMMARY_WEEK = timedelta(days=7)
#: Random bytes in a token: 192 bits, well above the 128 asked for, in 32 characters.
TOKEN_BYTES = 24
#: Telegram's deep-link payload: at most 64 of A-Z a-z 0-9 _ - (Bot API, "Deep linking").
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
#: How much of a shared promise the receiver is shown.
PROMISE_QUOTE = 200
#: How much of a first name is kept with an invite.
NAME_LENGTH = 64


def new_token() -> str:
    """A fresh invite token; only its hash is ever stored."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    """sha256, hex: a stolen database does not hand out working invites."""
    return hashlib.sha256(token.encode("ascii", "ignore")).hexdigest()


def well_formed(token: str) -> bool:
    return bool(_TOKEN.match(token))


def deep_link(username: str | None, token: str) -> str | None:
    """``https://t.me/<bot>?start=<token>``; None where there is no bot username (the console)."""
    return f"https://t.me/{username}?start={token}" if username else None


def clean_name(name: str) -> str:
    """A first name as the invitee will see it: printable, one line, bounded."""
    printable = "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in name)
    return " ".join(printable.split())[:NAME_LENGTH]


def quote(text: str, limit: int = PROMISE_QUOTE) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def next_question(questions: Mapping[str, str], asked: int) -> str:
    """The id of the question after ``asked`` earlier ones: in order, round and round."""
    ids = list(questions)
    return ids[asked % len(ids)]


_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def fill(template: str, **values: str) -> str:
    """Fill placeholders in one pass, so braces inside what a user typed stay as typed."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), template)
