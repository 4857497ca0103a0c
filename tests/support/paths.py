"""Routes through a dialog graph as a user would tap them, for conversation tests."""

from __future__ import annotations

from collections import deque

from bot.core.dialog.graph import DialogGraph
from bot.core.dialog.schema import SECTIONS, Variants


def role_label(graph: DialogGraph, role: str) -> str:
    """The label of the role-choice button that picks ``role``."""
    return next(b.label for b in graph.nodes[graph.role_choice].buttons if b.role == role)


def _resting(graph: DialogGraph, node_id: str) -> str:
    """Follow automatic ``next`` hops to the node that waits for the user."""
    seen = set()
    while graph.nodes[node_id].next and node_id not in seen:
        seen.add(node_id)
        node_id = graph.nodes[node_id].next or node_id
    return node_id


def label_paths(graph: DialogGraph, role: str) -> dict[str, list[str]]:
    """Shortest button-label route from the role menu to each section's entry."""
    info = graph.roles[role]
    routes: dict[str, list[str]] = {info.menu: []}
    queue = deque([info.menu])
    while queue:
        here = queue.popleft()
        for button in graph.nodes[here].buttons:
            if not button.goto or button.goto in routes:
                continue
            routes[button.goto] = routes[here] + [button.label]
            rest = _resting(graph, button.goto)
            if rest not in routes:
                routes[rest] = routes[button.goto]
            queue.append(rest)
    return {section: routes[info.sections[section]] for section in SECTIONS if info.sections[section] in routes}


def first_words(graph: DialogGraph, node_id: str) -> list[str]:
    """Every wording of a node's first message (any of them proves the node was shown)."""
    first = graph.nodes[node_id].say[0]
    return list(first.variants) if isinstance(first, Variants) else [first]
