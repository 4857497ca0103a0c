"""Lint rules for the check-in content, run with every other dialog rule.

A check-in is only seen once a day, at an hour when nobody is testing, so a
mistake in it would be found by users first. These rules find it at
``trustbot lint`` instead: a missing entry for a role, a mood button recording
"6", a thought for the day pointing at a node that was renamed.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.core.checkin.choices import CHOICES
from bot.core.dialog.graph import DialogGraph, Problem
from bot.core.dialog.schema import Variants

#: Same as the dialog rule: a thought for the day is one phone screen at most.
INSIGHT_LIMIT = 600


def _at(graph: DialogGraph, node_id: str, where: str, message: str) -> Problem:
    return Problem(graph.node_file.get(node_id, "dialogs"), where, message, graph.node_line.get(node_id))


def recorded_choices(graph: DialogGraph) -> Iterator[Problem]:
    """A button that records a value must use a name and a value the bot understands."""
    known = ", ".join(sorted(CHOICES))
    for node_id, node in graph.nodes.items():
        for i, button in enumerate(node.buttons):
            if button.save_as is None or button.value is None:
                continue
            where = f"nodes.{node_id}.buttons.{i}"
            rule = CHOICES.get(button.save_as)
            if rule is None:
                yield _at(graph, node_id, f"{where}.save_as",
                          f"'{button.save_as}' is not something a button can record (use one of: {known})")
            elif not rule[0](button.value):
                yield _at(graph, node_id, f"{where}.value",
                          f"'{button.value}' is not a valid {button.save_as}: use {rule[1]}")


def checkin_content(graph: DialogGraph) -> Iterator[Problem]:
    spec = graph.checkin
    if spec is None:
        return
    file = next((f for n, f in graph.node_file.items() if n in spec.entry.values()), "checkin.yaml")
    for role in graph.roles:
        if role not in spec.entry:
            yield Problem(file, "checkin.entry", f"no check-in for role {role}: add 'entry: {{{role}: NODE}}'")
    named = [(f"checkin.entry.{r}", n) for r, n in spec.entry.items()]
    named += [("checkin.timezone", spec.timezone), ("checkin.settings", spec.settings)]
    for where, node_id in named:
        if node_id not in graph.nodes:
            yield Problem(file, where, f"points to '{node_id}', which does not exist")
    for role, refs in spec.insights.items():
        for i, ref in enumerate(refs):
            problem = _insight_problem(graph, role, ref)
            if problem:
                yield Problem(file, f"checkin.insights.{role}.{i}", problem)


def _insight_problem(graph: DialogGraph, role: str, ref: str) -> str | None:
    node_id, _, index = ref.partition(".")
    node = graph.nodes.get(node_id)
    if node is None:
        return f"'{node_id}' does not exist"
    if graph.node_role.get(node_id) != role:
        return f"'{node_id}' is not in the {role} dialog"
    number = int(index or 0)
    if number >= len(node.say):
        return f"'{node_id}' has no message number {number} (it has {len(node.say)}, counted from 0)"
    message = node.say[number]
    if isinstance(message, Variants):
        return f"message {number} of '{node_id}' has variants; pick a message with one wording"
    if len(message) > INSIGHT_LIMIT:
        return (f"message {number} of '{node_id}' is {len(message)} characters; "
                f"a thought for the day is at most {INSIGHT_LIMIT}")
    return None
