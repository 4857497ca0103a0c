"""Button actions as short, versioned strings (Telegram callback data).

Telegram allows 1-64 bytes of callback data, and anyone can forge it, so the
format is compact (``1:p:node:key``), versioned (the leading ``1``), and
decoding accepts only what it can name. A decoded action is still checked
against the user's own state by the engine: forged data can at worst show the
user their own current step.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from typing import Any

from bot.core.care.events import AskDeleteEntry, ConfirmDeleteEntry, OpenCare, OpenEntry, OpenJournal, ShowPlan
from bot.core.messages import (
    ChooseRole,
    ConfirmDelete,
    Event,
    ListFaq,
    OpenFaq,
    OpenMenu,
    OpenSection,
    OpenTool,
    Press,
    QuickExit,
    SafetyAnswer,
    ShowSafetyPlan,
    ShowSupport,
    SkipStep,
    Start,
)
from bot.core.partner.events import (
    AcceptInvite,
    AnswerQuestion,
    DeclineInvite,
    FeltKept,
    NeedSpace,
    ResumeSharing,
    SendSummary,
    SharePromise,
    ShowPartner,
    SkipQuestion,
    Unlink,
)

VERSION = "1"
MAX_BYTES = 64
_FIELD = re.compile(r"^[A-Za-z0-9_.+-]{1,48}$")

#: tag -> event class; the class's fields, in order, follow the tag.
_TAGS: dict[str, type] = {
    "s": Start,
    "m": OpenMenu,
    "r": ChooseRole,
    "p": Press,
    "o": OpenSection,
    "f": OpenFaq,
    "l": ListFaq,
    "y": ShowSafetyPlan,
    "d": ConfirmDelete,
    "x": QuickExit,
    # the user's own views
    "c": OpenCare,
    "pl": ShowPlan,
    "j": OpenJournal,
    "je": OpenEntry,
    "jd": AskDeleteEntry,
    "jy": ConfirmDeleteEntry,
    # linking partners: two letters, capital first
    "Pa": AcceptInvite,
    "Pd": DeclineInvite,
    "Pv": ShowPartner,
    "Pu": Unlink,
    "Ps": SharePromise,
    "Pf": FeltKept,
    "Pq": AnswerQuestion,
    "Pk": SkipQuestion,
    "Pn": NeedSpace,
    "Pw": SendSummary,
    "Pr": ResumeSharing,
    "a": SafetyAnswer,
    "t": OpenTool,
    "h": ShowSupport,
    "k": SkipStep,
}
_CLASS_TAG = {cls: tag for tag, cls in _TAGS.items()}
#: Each button event's fields, looked up once: ``dataclasses.fields`` on every
#: button of every reply was a visible share of a turn.
_FIELDS = {cls: dataclasses.fields(cls) for cls in _TAGS.values()}


class BadCallback(ValueError):
    """Callback data we did not make, or made by a release we no longer speak."""


@functools.lru_cache(maxsize=4096)
def encode(event: Event | Any) -> str:
    """An event as callback data. Kept for the most recent events: every reply
    encodes its buttons again, and the same buttons recur (a node's keyboard,
    the menu). Button events hold node names, keys and ids, never a user's words."""
    tag = _CLASS_TAG.get(type(event))
    if tag is None:
        raise ValueError(f"{type(event).__name__} cannot be a button")
    values = [str(getattr(event, f.name)) for f in _FIELDS[type(event)]]
    data = ":".join([VERSION, tag, *values])
    if len(data.encode("utf-8")) > MAX_BYTES:
        raise ValueError(f"callback data over {MAX_BYTES} bytes: {data!r}")
    return data


def decode(data: str | None) -> Event | Any:
    if not data or len(data.encode("utf-8")) > MAX_BYTES:
        raise BadCallback("empty or too long")
    parts = data.split(":")
    if parts[0] != VERSION or len(parts) < 2:
        raise BadCallback("unknown version")
    cls = _TAGS.get(parts[1])
    if cls is None:
        raise BadCallback("unknown action")
    fields = _FIELDS[cls]
    values = parts[2:]
    if len(values) != len(fields) or not all(_FIELD.match(v) for v in values):
        raise BadCallback("malformed fields")
    kwargs: dict[str, Any] = {}
    for f, value in zip(fields, values, strict=True):
        if f.type in ("int", int):
            if not value.lstrip("-").isdigit():
                raise BadCallback("malformed number")
            kwargs[f.name] = int(value)
        else:
            kwargs[f.name] = value
    return cls(**kwargs)
