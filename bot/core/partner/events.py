"""What a person can do with a link, as core events, and the enums they carry.

This module imports nothing from :mod:`bot.core.messages`, which folds these
events into its ``Event`` union; :func:`register_buttons` gives the ones that
can be buttons their callback tags.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class LinkStatus(StrEnum):
    #: An invite: the inviter's row, waiting for someone to open and accept it.
    PENDING = "pending"
    ACTIVE = "active"


class ItemKind(StrEnum):
    #: A promise the partner who broke trust chose to send.
    PROMISE = "promise"
    #: A question the bot put to both (no author).
    QUESTION = "question"
    #: One member's answer to a question (or their skip).
    ANSWER = "answer"
    #: "I need some space today": no words.
    SPACE = "space"
    #: The receiver's private "did it feel kept?" about a shared promise.
    FELT = "felt"
    #: A week of those answers, as counts, sent by the receiver if they choose to.
    SUMMARY = "summary"


class Felt(StrEnum):
    YES = "yes"
    PARTLY = "partly"
    NO = "no"
    SKIP = "skip"


class AnswerValue(StrEnum):
    ANSWERED = "answered"
    SKIPPED = "skipped"


class QuestionEnd(StrEnum):
    """How a question closed; set exactly once (the reveal happens once)."""

    REVEALED = "revealed"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class Invite:
    """/invite. ``first_name`` is the inviter's Telegram first name, filled in
    by the front end, kept with the invite only until it is used or expires."""

    first_name: str = ""


@dataclass(frozen=True)
class OpenInvite:
    """``/start <token>``: someone opened an invite link."""

    token: str


@dataclass(frozen=True)
class AcceptInvite:
    """Accept the invite this user opened last. It names no invite: a forged
    button cannot point at someone else's."""


@dataclass(frozen=True)
class DeclineInvite:
    """Decline the invite this user opened; the inviter is not told."""


@dataclass(frozen=True)
class ShowPartner:
    """/partner: the link's status, what is shared and what never is."""


@dataclass(frozen=True)
class Unlink:
    """/unlink: end the link (or cancel an invite) at once, with no notice."""


@dataclass(frozen=True)
class SharePromise:
    """Send one of the user's own promises to their partner."""

    promise: int


@dataclass(frozen=True)
class FeltKept:
    """The receiver's private answer about a shared promise (a :class:`Felt` value)."""

    item: int
    answer: str


@dataclass(frozen=True)
class AnswerQuestion:
    """Start answering a shared question: the next typed text is the answer."""

    item: int


@dataclass(frozen=True)
class SkipQuestion:
    item: int


@dataclass(frozen=True)
class NeedSpace:
    """"I need some space today": one tap, no text."""


@dataclass(frozen=True)
class SendSummary:
    """Send the partner the week's "did it feel kept?" answers, as counts only: the receiver's choice."""


@dataclass(frozen=True)
class ResumeSharing:
    """Undo a pause (after a safety hit): the user's own choice, from /partner."""


PartnerEvent = (Invite | OpenInvite | AcceptInvite | DeclineInvite | ShowPartner | Unlink | SharePromise | FeltKept
                | AnswerQuestion | SkipQuestion | NeedSpace | SendSummary | ResumeSharing)
PARTNER_EVENTS = (Invite, OpenInvite, AcceptInvite, DeclineInvite, ShowPartner, Unlink, SharePromise, FeltKept,
                  AnswerQuestion, SkipQuestion, NeedSpace, SendSummary, ResumeSharing)
