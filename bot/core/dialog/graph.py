"""The merged dialog graph the engine runs on.

All dialog files are merged into one graph so that a node in one file can lead
to a node in another (the role trees lead back to the shared menus).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.core.dialog.schema import ButtonSpec, CareTexts, CheckinSpec, NodeSpec, UiTexts

#: The key of the button a skippable question (``ask.skip``) gets.
SKIP = "skip"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the content, phrased for the person who wrote it."""

    file: str
    where: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        place = f"{self.file}:{self.line}" if self.line else self.file
        return f"{place}: {self.where}: {self.message}" if self.where else f"{place}: {self.message}"


@dataclass(frozen=True)
class RoleInfo:
    role: str
    menu: str
    sections: Mapping[str, str]
    file: str


@dataclass(frozen=True)
class DialogGraph:
    nodes: Mapping[str, NodeSpec]
    start: str
    role_choice: str
    roles: Mapping[str, RoleInfo]
    ui: UiTexts
    #: Where each node was written, for messages to writers.
    node_file: Mapping[str, str] = field(default_factory=dict)
    node_line: Mapping[str, int] = field(default_factory=dict)
    #: Which role's file a node lives in (None for the shared file).
    node_role: Mapping[str, str | None] = field(default_factory=dict)
    #: The morning check-in (checkin.yaml), when the content has one.
    checkin: CheckinSpec | None = None
    #: Shown beside the menu the first time a role is chosen (see DialogFile.onboarding).
    onboarding: tuple[str, ...] = ()
    #: Words of /journal, /safetyplan, /safety and the guide map.
    care: CareTexts | None = None
    #: Each step's keyboard, built the first time it is shown (the engine's
    #: ``_buttons``): the graph never changes, and every turn showed one.
    keyboards: dict[tuple[str, str | None], Any] = field(default_factory=dict, init=False, compare=False,
                                                         repr=False)

    def menu_for(self, role: str | None) -> str:
        """The node the Menu button leads to: the role menu, or the role choice."""
        if role and role in self.roles:
            return self.roles[role].menu
        return self.role_choice

    def button(self, node_id: str, key: str) -> ButtonSpec | None:
        node = self.nodes.get(node_id)
        if node is None:
            return None
        for button in node.buttons:
            if button.key == key:
                return button
        if node.ask is not None and node.ask.skip and key == SKIP:
            return ButtonSpec(label=self.ui.skip_button, goto=node.ask.skip, id=SKIP)
        return None

    def edges(self, node_id: str) -> Iterator[tuple[str, str]]:
        """(kind, target) pairs leaving a node; kind is 'tap' for a button press.

        The implicit Menu button is not listed: lint must check that content
        paths lead somewhere on their own, and treats the Menu button apart.
        """
        node = self.nodes[node_id]
        role = self.node_role.get(node_id)
        for button in node.buttons:
            if button.goto:
                yield "tap", button.goto
            elif button.role:
                info = self.roles.get(button.role)
                if info:
                    yield "tap", info.menu
        if node.ask:
            yield "type", node.ask.next
            if node.ask.skip:
                yield "tap", node.ask.skip
        if node.next:
            yield "auto", node.next
        if node.branch:
            for case in node.branch.cases:
                yield "auto", case.goto
        if node.end:
            yield "auto", self.menu_for(role)
