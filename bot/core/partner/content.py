"""The words of linking partners, from ``dialogs/partner.yaml``.

Wording is content, as for every other dialog: writers change it without
touching code, and a missing text or an unknown placeholder stops the bot at
start-up rather than showing a user ``{promise}``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    StringConstraints,
    ValidationError,
    model_validator,
)

from bot.core.dialog.graph import Problem
from bot.core.dialog.loader import DialogError

FILE = "partner.yaml"
#: The shipped content, used when a dialogs folder has no partner.yaml of its own.
DEFAULT_DIR = Path(__file__).resolve().parents[3] / "dialogs"

Text = Annotated[str, StringConstraints(min_length=1, max_length=1500)]
Label = Annotated[str, StringConstraints(min_length=1, max_length=64)]

#: Placeholders each text may use; anything else in braces is a typo.
PLACEHOLDERS: dict[str, frozenset[str]] = {
    "invite_made": frozenset({"link"}),
    "invite_console": frozenset({"token"}),
    "invite_open": frozenset({"name"}),
    "promise_ask": frozenset({"promise"}),
    "question_offer": frozenset({"question"}),
    "question_prompt": frozenset({"question"}),
    "question_reveal": frozenset({"question", "mine", "theirs"}),
    "summary_sent": frozenset({"kept", "partly", "missed"}),
    "summary_notice": frozenset({"kept", "partly", "missed"}),
}
_BRACES = re.compile(r"\{([a-z_]+)\}")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PartnerTexts(_Strict):
    shared: Text
    invite_made: Text
    invite_console: Text
    invite_open: Text
    invite_choice: Text
    accept_button: Label
    decline_button: Label
    accepted: Text
    accepted_notice: Text
    declined: Text
    invite_invalid: Text
    invite_own: Text
    already_linked: Text
    no_invite: Text
    status_none: Text
    status_pending: Text
    status_linked: Text
    status_paused: Text
    space_button: Label
    resume_button: Label
    unlink_button: Label
    unlinked: Text
    not_linked: Text
    resumed: Text
    share_offer: Text
    share_button: Label
    shared_done: Text
    share_paused: Text
    promise_ask: Text
    felt_yes: Label
    felt_partly: Label
    felt_no: Label
    felt_skip: Label
    felt_saved: Text
    question_offer: Text
    answer_button: Label
    skip_button: Label
    question_prompt: Text
    question_saved: Text
    question_reveal: Text
    question_skipped: Text
    question_closed: Text
    space_done: Text
    summary_button: Label
    summary_sent: Text
    summary_notice: Text
    summary_empty: Text
    space_notice: Text
    not_found: Text

    @model_validator(mode="after")
    def _placeholders(self) -> PartnerTexts:
        for name, value in self.model_dump().items():
            unknown = set(_BRACES.findall(value)) - PLACEHOLDERS.get(name, frozenset())
            if unknown:
                raise ValueError(f"texts.{name}: unknown placeholder {{{min(unknown)}}}")
        return self


class PartnerContent(_Strict):
    version: Literal[1]
    kind: Literal["partner"]
    texts: PartnerTexts
    #: id -> wording; ids are what is stored.
    questions: dict[Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]{1,32}$")], Text]

    @model_validator(mode="after")
    def _some_questions(self) -> PartnerContent:
        if not self.questions:
            raise ValueError("questions: at least one is needed")
        return self


def load_partner(directory: Path | None = None) -> PartnerContent:
    """``partner.yaml`` from ``directory``, else the shipped one; DialogError if broken."""
    path = (directory or DEFAULT_DIR) / FILE
    if not path.exists():
        path = DEFAULT_DIR / FILE
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return PartnerContent.model_validate(data)
    except (OSError, yaml.YAMLError) as exc:
        raise DialogError([Problem(FILE, "", f"cannot read: {exc}")]) from None
    except ValidationError as exc:
        raise DialogError([Problem(FILE, ".".join(str(p) for p in e["loc"]), e["msg"]) for e in exc.errors()]) from None
