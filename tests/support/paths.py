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
    routes = _routes(graph, info.menu)
    return {section: routes[info.sections[section]] for section in SECTIONS if info.sections[section] in routes}


def route_to_answer(graph: DialogGraph, role: str, save_as: str) -> list[str]:
    """Labels from the role menu to the step that asks for typed text kept as ``save_as``."""
    routes = _routes(graph, graph.roles[role].menu)
    target = next(n for n, node in graph.nodes.items() if node.ask and node.ask.save_as == save_as and n in routes)
    return routes[target]


def _routes(graph: DialogGraph, origin: str) -> dict[str, list[str]]:
    routes: dict[str, list[str]] = {origin: []}
    queue = deque([origin])
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
    return routes


def first_words(graph: DialogGraph, node_id: str) -> list[str]:
    """Every wording of a node's first message (any of them proves the node was shown)."""
    first = graph.nodes[node_id].say[0]
    return list(first.variants) if isinstance(first, Variants) else [first]
