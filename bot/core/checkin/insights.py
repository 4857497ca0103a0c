"""The thought for the day that each check-in carries, never the same twice too soon.

The pool for a role is the FAQ answers tied to a guide section plus the dialog
messages the writers picked in ``checkin.insights``. Rotation is a pure
function of the pool and the ids already shown (kept in ``users.extra``): no
repeat until every insight was shown once, then a new round in which the
last one shown does not come straight back.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.core.dialog.graph import DialogGraph
from bot.core.faq.model import FaqBook
from bot.core.roles import ROLES, Role


@dataclass(frozen=True)
class Insight:
    id: str
    text: str


def pool_for(graph: DialogGraph, faq: FaqBook | None, role: Role) -> tuple[Insight, ...]:
    """Every insight a user of ``role`` can get, in a stable order."""
    found: list[Insight] = []
    spec = graph.checkin
    for ref in (spec.insights.get(role, []) if spec else []):
        text = _message(graph, ref)
        if text:
            found.append(Insight(f"d:{ref}", text))
    for entry in faq or ():
        if entry.section:
            found.append(Insight(f"f:{entry.id}", entry.answer))
    return tuple(found)


def pools(graph: DialogGraph, faq: FaqBook | None) -> dict[Role, tuple[Insight, ...]]:
    return {role: pool_for(graph, faq, role) for role in ROLES if role in graph.roles}


def _message(graph: DialogGraph, ref: str) -> str | None:
    node_id, _, index = ref.partition(".")
    node = graph.nodes.get(node_id)
    if node is None or int(index or 0) >= len(node.say):
        return None
    message = node.say[int(index or 0)]
    return message if isinstance(message, str) else None


def _order(pool: Iterable[Insight], seed: str) -> list[Insight]:
    """Each user walks the pool in their own order, the same on every run."""
    return sorted(pool, key=lambda i: hashlib.blake2s(f"{seed}:{i.id}".encode(), digest_size=8).digest())


def next_insight(pool: Sequence[Insight], shown: Sequence[str], seed: str) -> tuple[Insight | None, list[str]]:
    """Today's insight and the new list of shown ids (to store back)."""
    if not pool:
        return None, list(shown)
    ids = {i.id for i in pool}
    seen = [s for s in shown if s in ids]  # ids removed from the content no longer count
    ordered = _order(pool, seed)
    fresh = [i for i in ordered if i.id not in set(seen)]
    if not fresh:
        last = seen[-1] if seen else None
        fresh = [i for i in ordered if i.id != last] or ordered
        seen = []
    choice = fresh[0]
    return choice, seen + [choice.id]
