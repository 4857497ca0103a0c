"""The YAML dialog format, as pydantic models.

The schema is the contract between writers and the engine: a file that
validates here can be run, and every validation error names the file and the
node path so a writer who does not program can fix it without reading Python.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from bot.core.checkin.names import CheckinAction
from bot.core.roles import ROLES, SECTIONS, Role, Section

__all__ = ["ROLES", "SECTIONS", "Role", "Section"]

SCHEMA_VERSION = 1


#: Node ids and button ids end up inside Telegram callback data (64 bytes),
#: so they are short, lower-case and free of the separator character.
NodeId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
Name = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
Text = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]

#: Checks a writer can attach to a typed answer; each is a pure function in
#: :mod:`bot.core.dialog.checks`.
CheckName = Literal["excuses", "boundaries", "place"]


#: Tools for hard moments. A node tagged ``tool:`` is one; lint
#: checks every tool is within four taps of each role's menu.
class Tool(StrEnum):
    """The tools for hard moments every role gets."""

    GROUNDING = "grounding"
    TRIGGERS = "triggers"
    TALK = "talk"
    SAFETY_PLAN = "safety_plan"


TOOLS: tuple[Tool, ...] = tuple(Tool)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Variants(_Strict):
    """One message with several wordings; the engine rotates through them."""

    variants: list[Text] = Field(min_length=2)


Message = Text | Variants


class ButtonSpec(_Strict):
    """A choice under a message.

    ``goto`` leads to a node; ``role`` picks a role and opens its menu (or
    ``goto`` if both are given); ``count`` adds one to a named counter that a
    later ``branch`` reads (the walk-away self-check uses this).

    ``save_as`` with ``value`` records a choice (a check-in's mood "3", a time
    zone), the way ``ask.save_as`` records typed text; ``action`` asks the
    service for a built-in action (snooze, pause, resume). Both still need
    ``goto``, so the user always sees what their tap did.
    """

    label: Annotated[str, StringConstraints(min_length=1, max_length=64, strip_whitespace=True)]
    goto: NodeId | None = None
    role: Role | None = None
    count: Name | None = None
    id: Name | None = None
    save_as: Name | None = None
    value: Annotated[str, StringConstraints(min_length=1, max_length=64, strip_whitespace=True)] | None = None
    #: A built-in action the service carries out: snooze, pause or resume check-ins.
    action: CheckinAction | None = None

    @field_validator("value", mode="before")
    @classmethod
    def _number_as_text(cls, value: object) -> object:
        # ``value: 3`` in YAML is a number; writers should not need quotes.
        if isinstance(value, bool):
            raise ValueError('put the value in quotes, e.g. value: "yes" '
                             "(YAML reads yes, no, on and off as true/false)")
        return str(value) if isinstance(value, (int, float)) else value

    @model_validator(mode="after")
    def _has_target(self) -> ButtonSpec:
        if self.goto is None and self.role is None:
            raise ValueError("a button needs 'goto' (a node id) or 'role'")
        if (self.save_as is None) != (self.value is None):
            raise ValueError("'save_as' and 'value' go together: the name and the value a tap records")
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
    #: Where a "Skip" button leads: a question someone may leave blank (the safety plan).
    skip: NodeId | None = None

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
    #: Its buttons work whenever they are tapped, not only while the user is on
    #: this step: for settings (time zone, check-in hour) offered beside other
    #: messages, where "that button is from an earlier step" would be unkind.
    anytime: bool = False
    #: Show the help lines for the user's country under this step's text, with
    #: the quick exit: every "I don't feel safe" step (the turn layer fills them in).
    help_lines: bool = False
    #: This node is a tool for hard moments (see :data:`TOOLS`).
    tool: Tool | None = None

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
    #: The label of the button that skips a question (``ask.skip``).
    skip_button: Annotated[str, StringConstraints(min_length=1, max_length=64)] = "Skip"


#: The placeholders each check-in text may use; anything else in braces is a typo.
CHECKIN_PLACEHOLDERS: dict[str, frozenset[str]] = {
    "intro": frozenset({"insight"}),
    "promise_recap": frozenset({"promise"}),
    "status_on": frozenset({"time", "zone"}),
    "status_off": frozenset({"time", "zone"}),
    "time_set": frozenset({"time", "zone"}),
    "time_bad": frozenset({"text"}),
    "paused": frozenset(),
    "resumed": frozenset({"time", "zone"}),
    "zone_set": frozenset({"time", "zone"}),
    "zone_unknown": frozenset({"text"}),
    "zone_ambiguous": frozenset({"text"}),
    "location_set": frozenset({"time", "zone"}),
    "location_unknown": frozenset(),
    "progress_empty": frozenset(),
    "progress_mood": frozenset({"days", "average", "weeks", "trend"}),
    "progress_promises": frozenset({"kept", "partly", "missed", "total"}),
    "trend_up": frozenset(),
    "trend_down": frozenset(),
    "trend_flat": frozenset(),
    "chart_mood": frozenset(),
    "chart_promises": frozenset(),
    "chart_kept": frozenset(),
    "chart_partly": frozenset(),
    "chart_missed": frozenset(),
}
ShortLabel = Annotated[str, StringConstraints(min_length=1, max_length=40, strip_whitespace=True)]


class CheckinTexts(_Strict):
    """What the bot says about check-ins outside the check-in steps themselves.

    ``{name}`` placeholders are filled in by the bot; each text lists the ones
    it may use in :data:`CHECKIN_PLACEHOLDERS`.
    """

    #: The first message of a check-in. Its first line is what a lock screen
    #: shows, so keep it plain. ``{insight}`` is today's thought.
    intro: Text
    #: Added under the intro while a promise waits for an answer.
    promise_recap: Text
    #: /checkin with no argument, while check-ins are on / paused.
    status_on: Text
    status_off: Text
    time_set: Text
    #: /checkin with something that is not a time; ``{text}`` is what they typed.
    time_bad: Text
    paused: Text
    resumed: Text
    zone_set: Text
    zone_unknown: Text
    #: A country that spans several time zones.
    zone_ambiguous: Text
    location_set: Text
    location_unknown: Text
    #: /progress before any check-in was answered.
    progress_empty: Text
    #: /progress, one line: mood, then promises (broke_trust only).
    progress_mood: Text
    progress_promises: Text
    trend_up: Text
    trend_down: Text
    trend_flat: Text
    #: Titles inside the /progress chart.
    chart_mood: ShortLabel
    chart_promises: ShortLabel
    chart_kept: ShortLabel
    chart_partly: ShortLabel
    chart_missed: ShortLabel

    @model_validator(mode="after")
    def _known_placeholders(self) -> CheckinTexts:
        for name, allowed in CHECKIN_PLACEHOLDERS.items():
            used = set(re.findall(r"{(\w*)}", getattr(self, name)))
            unknown = sorted(used - allowed)
            if unknown:
                can = ", ".join(f"{{{a}}}" for a in sorted(allowed)) or "none"
                raise ValueError(f"'{name}' uses {{{unknown[0]}}}, which the bot does not fill in (it can use: {can})")
        return self


#: ``node`` (its first message) or ``node.N`` (its message number N, from 0).
InsightRef = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}(\.\d{1,2})?$")]


class CheckinSpec(_Strict):
    """The morning check-in: where it starts for each role and its words."""

    #: The node a check-in enters, per role.
    entry: dict[Role, NodeId]
    #: /timezone with no argument opens this node.
    timezone: NodeId
    #: /checkin with no argument opens this node.
    settings: NodeId
    #: Dialog messages that make a good thought for the day, per role; FAQ answers are added.
    insights: dict[Role, list[InsightRef]] = Field(default_factory=dict)
    texts: CheckinTexts


class CareTexts(_Strict):
    """Words of the views built from the user's own data: their
    journal, their safety plan, the help lines, the map of the guide.

    ``{name}`` placeholders are filled in by the bot, as noted per field.
    """

    #: Above the help lines when the user's country is known / not known.
    lines_header: Text
    lines_generic: Text
    #: The button offering the country picker when the lines are generic.
    pick_country_button: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    #: The country picker node (its buttons set a time zone) and the safety steps.
    country_node: NodeId
    safety_node: NodeId
    options_node: NodeId
    plan_node: NodeId
    #: /safetyplan: a header, one line per question ({question}, {answer}), the
    #: word for a blank answer, and the text when nothing is written yet.
    plan_header: Text
    plan_line: Text
    plan_blank: Text
    plan_empty: Text
    plan_edit_button: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    #: The plan's questions: journal name -> how /safetyplan titles the answer.
    plan_questions: dict[Name, Text]
    #: /journal: header, empty, a group heading ({section}), one entry line
    #: ({date}, {title}), an opened entry ({section}, {title}, {date}, {text}).
    journal_header: Text
    journal_empty: Text
    journal_more: Text
    journal_entry: Text
    journal_delete_button: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    journal_back_button: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    journal_confirm: Text
    journal_yes: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    journal_no: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    journal_deleted: Text
    journal_gone: Text
    #: Journal name -> title of an answer (anything missing uses the name).
    journal_titles: dict[Name, Text] = Field(default_factory=dict)
    #: Heading of entries outside any guide section ("safety plan", "check-ins").
    journal_other: Text
    journal_plan: Text
    journal_promise: Text
    #: The guide map under /progress: {visited} and {total}; the suggestion ({section}).
    map_header: Text
    map_none: Text
    map_suggest: Text
    map_done: Text
    map_open_button: Annotated[str, StringConstraints(min_length=1, max_length=64)]


class DialogFile(_Strict):
    """One YAML file: the shared part (no ``role``), one role's tree, or an
    extension (no ``role``, no ``start``): more shared nodes, e.g. check-ins."""

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
    #: One role-less file: the morning check-in.
    checkin: CheckinSpec | None = None
    #: Light questions shown beside the menu the first time a role is chosen
    #: (discreet mode, the time zone): the shared file's first, then the
    #: extensions'. Their nodes need ``anytime: true``.
    onboarding: list[NodeId] = Field(default_factory=list)
    #: One role-less file: the words of /journal, /safetyplan, /safety and the guide map.
    care: CareTexts | None = None
    nodes: dict[NodeId, NodeSpec] = Field(min_length=1)

    @model_validator(mode="after")
    def _role_has_menu(self) -> DialogFile:
        if self.role and not self.menu:
            raise ValueError("a role file needs 'menu', the id of the role's menu node")
        shared = (self.start, self.role_choice, self.ui)
        if not self.role and any(shared) and not all(shared):
            raise ValueError("the shared file needs 'start', 'role_choice' and 'ui'")
        if self.role and self.checkin:
            raise ValueError("'checkin' belongs in a file without 'role' (checkin.yaml)")
        return self

    @property
    def is_shared(self) -> bool:
        """The one file with the welcome, the role choice and the engine's words."""
        return self.role is None and self.start is not None
