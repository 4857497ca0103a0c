"""Which parts of the guide the user has opened, and a gentle next one.

Kept in the dialog state itself (a counter per section, set when the user
rests on a step of that section), so it needs no storage of its own, goes
with /delete and the quick exit, and works the same in every front end.
"""

from __future__ import annotations

from dataclasses import replace

from bot.core.care.journal import section_titles
from bot.core.dialog.engine import DialogState
from bot.core.dialog.graph import DialogGraph
from bot.core.dialog.schema import SECTIONS, CareTexts
from bot.core.messages import Button, OpenMenu, OpenSection, Reply

#: Counter names that mark a visited section: "seen.healing_hurt".
SEEN = "seen."


def mark_visited(graph: DialogGraph, state: DialogState) -> DialogState:
    node = graph.nodes.get(state.node or "")
    if node is None or node.section is None:
        return state
    key = SEEN + node.section
    if state.counters.get(key):
        return state
    return replace(state, counters={**state.counters, key: 1})


def visited(state: DialogState) -> list[str]:
    """The sections opened so far, in the article's order."""
    return [s for s in SECTIONS if state.counters.get(SEEN + s)]


def suggestion(state: DialogState) -> str | None:
    """The first section not opened yet, in the article's order: the article
    builds each part on the one before, so that order is the gentlest next step."""
    seen = set(visited(state))
    return next((s for s in SECTIONS if s not in seen), None)


def guide_map(graph: DialogGraph, care: CareTexts, state: DialogState) -> Reply | None:
    """The map for /progress; None before a role is chosen."""
    if state.role not in graph.roles:
        return None
    titles = section_titles(graph, state.role)
    seen = visited(state)
    menu = Button(graph.ui.menu_button, OpenMenu())
    if not seen:
        lines = [care.map_none]
    else:
        lines = [care.map_header.replace("{visited}", str(len(seen))).replace("{total}", str(len(SECTIONS)))]
        lines += [f"✓ {titles.get(s, s)}" for s in seen]
    nxt = suggestion(state)
    if nxt is None:
        lines.append("\n" + care.map_done)
        return Reply("\n".join(lines), (menu,))
    lines.append("\n" + care.map_suggest.replace("{section}", titles.get(nxt, nxt)))
    return Reply("\n".join(lines), (Button(care.map_open_button, OpenSection(nxt)), menu))
