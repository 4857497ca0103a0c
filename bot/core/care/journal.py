"""/journal and /safetyplan: what the user wrote, read back in the chat.

The bot tells people "it stays in your journal"; this is where they find it.
Entries are grouped by the part of the guide they were written in (the
section of the node that asked), dated, and each one opens with a tap. A
deletion is asked once, then carried out as a :class:`DeleteEntry` effect
that the service scopes to the pressing user.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.core.care.events import (
    AskDeleteEntry,
    CareView,
    ConfirmDeleteEntry,
    DeleteEntry,
    Entry,
    EntryKind,
    OpenCare,
    OpenEntry,
    OpenJournal,
    ShowPlan,
    WithEntries,
)
from bot.core.dialog.engine import DialogState, Step
from bot.core.dialog.graph import DialogGraph
from bot.core.dialog.schema import CareTexts
from bot.core.messages import Button, OpenMenu, Outcome, Reply

if TYPE_CHECKING:
    from bot.core.turn import Brain

#: Journal names of the safety plan's answers start with this.
PLAN_PREFIX = "safety_plan_"
#: At most this many entries get a button (Telegram allows 100 per message).
MAX_LISTED = 30
#: How much of an entry its button shows.
LABEL_CHARS = 60


def _fill(template: str, **values: str) -> str:
    for name, value in values.items():
        template = template.replace("{" + name + "}", value)
    return template


def _date(entry: Entry) -> str:
    return f"{entry.at.day} {entry.at.strftime('%b %Y')}"


def section_titles(graph: DialogGraph, role: str | None) -> dict[str, str]:
    """Section -> the words the user's own menu uses for it ("Healing my hurt")."""
    titles: dict[str, str] = {}
    info = graph.roles.get(role or "")
    if info is None:
        return titles
    by_entry = {node: section for section, node in info.sections.items()}
    for button in graph.nodes[info.menu].buttons:
        if button.goto in by_entry:
            titles[by_entry[button.goto]] = button.label
    return titles


def group_of(graph: DialogGraph, care: CareTexts, titles: dict[str, str], entry: Entry) -> str:
    if entry.kind is EntryKind.PROMISE:
        return care.journal_promise
    if entry.name.startswith(PLAN_PREFIX):
        return care.journal_plan
    node = graph.nodes.get(entry.node)
    if node is not None and node.section:
        return titles.get(node.section, node.section.replace("_", " ").capitalize())
    return care.journal_other


def title_of(care: CareTexts, entry: Entry) -> str:
    return care.journal_titles.get(entry.name) or care.plan_questions.get(entry.name) or entry.name.replace("_", " ")


def _menu(graph: DialogGraph) -> Button:
    return Button(graph.ui.menu_button, OpenMenu())


def journal_list(graph: DialogGraph, care: CareTexts, role: str | None, entries: Sequence[Entry]) -> Reply:
    if not entries:
        return Reply(care.journal_empty, (_menu(graph),))
    titles = section_titles(graph, role)
    shown = list(entries)[-MAX_LISTED:]
    groups: OrderedDict[str, list[Entry]] = OrderedDict()
    for entry in shown:
        groups.setdefault(group_of(graph, care, titles, entry), []).append(entry)
    lines = [care.journal_header]
    buttons: list[Button] = []
    for group, items in groups.items():
        lines.append(f"\n{group}")
        for entry in items:
            label = f"{_date(entry)} · {title_of(care, entry)}"
            lines.append(f"• {label}")
            buttons.append(Button(label[:LABEL_CHARS], OpenEntry(entry.kind.value, entry.id)))
    if len(entries) > len(shown):
        lines.append("\n" + care.journal_more)
    return Reply("\n".join(lines), (*buttons, _menu(graph)))


def _one(brain: Brain, state: DialogState, request: object, entries: Sequence[Entry]) -> Reply:
    graph = brain.graph
    care = graph.care
    assert care is not None
    back = Button(care.journal_back_button, OpenJournal())
    entry = entries[0] if entries else None
    if entry is None:
        return Reply(care.journal_gone, (back, _menu(graph)))
    group = group_of(graph, care, section_titles(graph, state.role), entry)
    values = {"section": group, "title": title_of(care, entry), "date": _date(entry)}
    if isinstance(request, OpenEntry):
        text = _fill(care.journal_entry, text=entry.text, **values)
        delete = Button(care.journal_delete_button, AskDeleteEntry(entry.kind.value, entry.id))
        return Reply(text, (back, delete, _menu(graph)))
    yes = Button(care.journal_yes, ConfirmDeleteEntry(entry.kind.value, entry.id))
    no = Button(care.journal_no, OpenEntry(entry.kind.value, entry.id))
    return Reply(_fill(care.journal_confirm, **values), (yes, no))


def plan_view(graph: DialogGraph, care: CareTexts, entries: Sequence[Entry]) -> Reply:
    """The latest answer to each of the plan's questions, in the plan's order."""
    latest = {e.name: e.text for e in entries if e.name.startswith(PLAN_PREFIX)}
    edit = Button(care.plan_edit_button, OpenCare(CareView.PLAN.value))
    if not latest:
        return Reply(care.plan_empty, (edit, _menu(graph)))
    lines = [care.plan_header]
    for name, question in care.plan_questions.items():
        lines.append(_fill(care.plan_line, question=question, answer=latest.get(name) or care.plan_blank))
    return Reply("\n".join(lines), (edit, _menu(graph)))


def respond(brain: Brain, state: DialogState, event: WithEntries) -> Step:
    graph = brain.graph
    care = graph.care
    if care is None:
        return Step(state, Outcome())
    request, entries = event.request, event.entries
    if isinstance(request, ShowPlan):
        return Step(state, Outcome(replies=(plan_view(graph, care, entries),)))
    if isinstance(request, OpenJournal):
        return Step(state, Outcome(replies=(journal_list(graph, care, state.role, entries),)))
    if isinstance(request, ConfirmDeleteEntry):
        back = Button(care.journal_back_button, OpenJournal())
        if not entries:
            return Step(state, Outcome(replies=(Reply(care.journal_gone, (back, _menu(graph))),)))
        entry = entries[0]
        effect = DeleteEntry(entry.kind.value, entry.id)
        return Step(state, Outcome(replies=(Reply(care.journal_deleted, (back, _menu(graph))),), effects=(effect,)))
    return Step(state, Outcome(replies=(_one(brain, state, request, entries),)))
