"""The YAML dialog format, as pydantic models.

The schema is the contract between writers and the engine: a file that
validates here can be run, and every validation error names the file and the
node path so a writer who does not program can fix it without reading Python.
"""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

SCHEMA_VERSION = 1

SECTIONS: tuple[str, ...] = (
    "what_is_trust",
    "how_trust_breaks",
    "take_responsibility",
    "open_communication",
    "healing_hurt",
    "actions_not_words",
    "forgiveness",
    "intimacy",
    "walk_away",
    "new_beginning",
)
Section = Literal[
    "what_is_trust",
    "how_trust_breaks",
    "take_responsibility",
    "open_communication",
    "healing_hurt",
    "actions_not_words",
    "forgiveness",
    "intimacy",
    "walk_away",
    "new_beginning",
]

ROLES: tuple[str, ...] = ("broke_trust", "hurt_partner")
Role = Literal["broke_trust", "hurt_partner"]

#: Node ids and button ids end up inside Telegram callback data (64 bytes),
#: so they are short, lower-case and free of the separator character.
NodeId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
Name = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
Text = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]

#: Checks a writer can attach to a typed answer; each is a pure function in
#: :mod:`bot.core.dialog.checks`.
CheckName = Literal["excuses", "boundaries"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Variants(_Strict):
    """One message with several wordings; the engine rotates through them."""

    variants: list[Text] = Field(min_length=2)


Message = Union[Text, Variants]


class ButtonSpec(_Strict):
    """A choice under a message.

    ``goto`` leads to a node; ``role`` picks a role and opens its menu (or
    ``goto`` if both are given); ``count`` adds one to a named counter that a
    later ``branch`` reads (the walk-away self-check uses this).
    """

    label: Annotated[str, StringConstraints(min_length=1, max_length=64, strip_whitespace=True)]
    goto: NodeId | None = None
    role: Role | None = None
    count: Name | None = None
    id: Name | None = None

    @model_validator(mode="after")
    def _has_target(self) -> ButtonSpec:
        if self.goto is None and self.role is None:
            raise ValueError("a button needs 'goto' (a node id) or 'role'")
        return self

    @property
    def key(self) -> str:
        """Stable identity inside its node: survives reordering of buttons."""
        if self.id:
            return self.id
        if self.goto:
            return self.goto
        return f"role_{self.role}"


class AskSpec(_Strict):
    """Wait for typed text, keep it in the user's journal, then go on."""

    save_as: Name
    next: NodeId
    check: CheckName | None = None
    #: Said when the check finds something; ``{found}`` is replaced by the findings.
    on_found: Text | None = None
    #: Said when the check finds nothing (or there is no check).
    on_clean: Text | None = None

    @model_validator(mode="after")
    def _check_texts(self) -> AskSpec:
        if self.check and not self.on_found:
            raise ValueError("'check' needs 'on_found', the reply when the check finds something")
        return self


class BranchCase(_Strict):
    min: int = 0
    goto: NodeId


class BranchSpec(_Strict):
    """Pick the first case whose ``min`` the counter reaches (cases high to low)."""

    counter: Name
    cases: list[BranchCase] = Field(min_length=1)


class NodeSpec(_Strict):
    section: Section | None = None
    say: list[Message] = Field(default_factory=list)
    buttons: list[ButtonSpec] = Field(default_factory=list, max_length=100)
    ask: AskSpec | None = None
    next: NodeId | None = None
    end: bool = False
    branch: BranchSpec | None = None
    #: Counters set back to zero when this node is entered.
    reset: list[Name] = Field(default_factory=list)
    #: Every step shows a Menu button unless a node opts out.
    menu_button: bool = True

    @model_validator(mode="before")
    @classmethod
    def _say_shorthand(cls, data: object) -> object:
        if isinstance(data, dict) and isinstance(data.get("say"), (str, dict)):
            data = {**data, "say": [data["say"]]}
        return data

    @model_validator(mode="after")
    def _one_way_on(self) -> NodeSpec:
        exits = [
            name
            for name, present in (
                ("buttons", bool(self.buttons)),
                ("ask", self.ask is not None),
                ("next", self.next is not None),
                ("end", self.end),
                ("branch", self.branch is not None),
            )
            if present
        ]
        if len(exits) > 1:
            raise ValueError(f"a node has one way on, this one has {', '.join(exits)}")
        if not self.say and self.branch is None:
            raise ValueError("a node needs 'say' (what the bot says)")
        return self

    @property
    def exit_kind(self) -> str | None:
        if self.buttons:
            return "buttons"
        if self.ask is not None:
            return "ask"
        if self.next is not None:
            return "next"
        if self.end:
            return "end"
        if self.branch is not None:
            return "branch"
        return None


class UiTexts(_Strict):
    """The engine's own words, kept with the content so writers own them too."""

    menu_button: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    #: Said before the current step when someone presses a button from an older step.
    stale_button: Text
    #: Said when a user's step was removed by a new release of the dialogs.
    dialogs_updated: Text
    #: /help; ``{commands}`` is replaced by the list of commands.
    help: Text
    #: A sticker, photo, voice note... where only words or taps make sense.
    not_text: Text
    #: An edited message (the bot goes by what was first sent).
    edited: Text
    #: Any message in a group chat: the bot is for private chats.
    group: Text
    unknown_command: Text
    #: The short notice on a stale button (a Telegram toast).
    stale_toast: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    #: After an unexpected error: progress is kept, try again.
    error: Text
    #: The label of the quick-exit button (shown on sensitive steps).
    quick_exit_button: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    #: The caption of the /export document.
    export_caption: Text
    #: /delete asks this first, with the two buttons below.
    delete_confirm: Text
    delete_yes: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    delete_no: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    #: After the deletion.
    deleted: Text
    #: /delete or /export by someone the bot has nothing stored for.
    nothing_stored: Text
    #: /stats by someone not in admin_ids.
    not_admin: Text
    #: In discreet mode, the neutral first line of every message.
    discreet_line: Text
    discreet_on: Text
    discreet_off: Text
    discreet_usage: Text


class DialogFile(_Strict):
    """One YAML file: the shared part (no ``role``) or one role's tree."""

    version: Literal[1]
    kind: Literal["dialog"]
    role: Role | None = None
    #: Role files: the role's menu node. The shared file: unused.
    menu: NodeId | None = None
    #: Role files: the entry node of each article section.
    sections: dict[Section, NodeId] = Field(default_factory=dict)
    #: Shared file: where /start begins and where a role is chosen.
    start: NodeId | None = None
    role_choice: NodeId | None = None
    ui: UiTexts | None = None
    nodes: dict[NodeId, NodeSpec] = Field(min_length=1)

    @model_validator(mode="after")
    def _role_has_menu(self) -> DialogFile:
        if self.role and not self.menu:
            raise ValueError("a role file needs 'menu', the id of the role's menu node")
        if not self.role and not (self.start and self.role_choice and self.ui):
            raise ValueError("the shared file needs 'start', 'role_choice' and 'ui'")
        return self
