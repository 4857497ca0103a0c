"""Content rules a dialog graph must pass before a bot will run it.

Each rule is a small function from the graph to problems, so the linter, the
loader and the tests share one definition of "broken". The numbers come from
Telegram's limits and from the product: a section more than four taps from
the menu is a section nobody finds.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator

from bot.core import callbacks
from bot.core.checkin.rules import checkin_content, recorded_choices
from bot.core.dialog.graph import DialogGraph, Problem
from bot.core.dialog.schema import ROLES, SECTIONS, Variants
from bot.core.messages import Press

TELEGRAM_TEXT_LIMIT = 4096
TELEGRAM_BUTTON_LIMIT = 100
#: Chat-sized: a message longer than this reads as a wall of text on a phone.
MESSAGE_LIMIT = 600
MAX_TAPS_TO_SECTION = 4


def _at(graph: DialogGraph, node_id: str, where: str, message: str) -> Problem:
    return Problem(graph.node_file.get(node_id, "dialogs"), where, message, graph.node_line.get(node_id))


def missing_targets(graph: DialogGraph) -> Iterator[Problem]:
    for node_id, node in graph.nodes.items():
        refs: list[tuple[str, str]] = [
            (f"nodes.{node_id}.buttons.{i}.goto", b.goto) for i, b in enumerate(node.buttons) if b.goto
        ]
        if node.ask:
            refs.append((f"nodes.{node_id}.ask.next", node.ask.next))
        if node.next:
            refs.append((f"nodes.{node_id}.next", node.next))
        if node.branch:
            refs += [(f"nodes.{node_id}.branch.cases.{i}.goto", c.goto) for i, c in enumerate(node.branch.cases)]
        for where, target in refs:
            if target not in graph.nodes:
                yield _at(graph, node_id, where, f"leads to '{target}', which does not exist")
    for info in graph.roles.values():
        for section, target in info.sections.items():
            if target not in graph.nodes:
                yield Problem(info.file, f"sections.{section}", f"points to '{target}', which does not exist")


def missing_roles(graph: DialogGraph) -> Iterator[Problem]:
    for role in ROLES:
        if role not in graph.roles:
            yield Problem("dialogs", "", f"no dialog file has 'role: {role}'")


def dead_ends(graph: DialogGraph) -> Iterator[Problem]:
    for node_id, node in graph.nodes.items():
        if node.exit_kind is None:
            yield _at(graph, node_id, f"nodes.{node_id}", "dead end: add buttons, ask, next, branch or end: true")


def duplicate_buttons(graph: DialogGraph) -> Iterator[Problem]:
    for node_id, node in graph.nodes.items():
        seen: set[str] = set()
        for i, button in enumerate(node.buttons):
            if button.key in seen:
                yield _at(graph, node_id, f"nodes.{node_id}.buttons.{i}",
                          f"two buttons share the id '{button.key}': give each an 'id:'")
            seen.add(button.key)


def telegram_limits(graph: DialogGraph) -> Iterator[Problem]:
    for node_id, node in graph.nodes.items():
        for i, message in enumerate(node.say):
            texts = message.variants if isinstance(message, Variants) else [message]
            for text in texts:
                if len(text) > TELEGRAM_TEXT_LIMIT:
                    yield _at(graph, node_id, f"nodes.{node_id}.say.{i}",
                              f"text is {len(text)} characters; Telegram allows {TELEGRAM_TEXT_LIMIT}")
                elif len(text) > MESSAGE_LIMIT:
                    yield _at(graph, node_id, f"nodes.{node_id}.say.{i}",
                              f"text is {len(text)} characters; keep messages chat-sized (at most {MESSAGE_LIMIT})")
        if len(node.buttons) + 1 > TELEGRAM_BUTTON_LIMIT:
            yield _at(graph, node_id, f"nodes.{node_id}.buttons",
                      f"{len(node.buttons)} buttons; Telegram allows {TELEGRAM_BUTTON_LIMIT} with the Menu button")
        for i, button in enumerate(node.buttons):
            try:
                callbacks.encode(Press(node_id, button.key))
            except ValueError:
                yield _at(graph, node_id, f"nodes.{node_id}.buttons.{i}",
                          f"node id and button id too long for Telegram's {callbacks.MAX_BYTES}-byte button data")


def _targets(graph: DialogGraph, node_id: str) -> Iterator[tuple[str, str]]:
    if node_id not in graph.nodes:
        return
    for kind, target in graph.edges(node_id):
        if target in graph.nodes:
            yield kind, target


def _anchors(graph: DialogGraph) -> list[str]:
    """Nodes a user can always get to: /start, /role, every role menu, and the
    check-in's own ways in (a morning check-in, /checkin, /timezone)."""
    anchors = [graph.start, graph.role_choice, *(info.menu for info in graph.roles.values())]
    anchors += [n for n in graph.onboarding if n in graph.nodes]
    # Short exercises (tool_*) open from a button event (OpenTool), not from a node.
    anchors += [n for n in graph.nodes if n.startswith("tool_")]
    if graph.checkin is not None:
        spec = graph.checkin
        extra = [*spec.entry.values(), spec.timezone, spec.settings]
        anchors += [n for n in extra if n is not None and n in graph.nodes]
    if graph.care is not None:
        # /safety, /safetyplan and the safety reply's buttons open these directly.
        care = graph.care
        anchors += [n for n in (care.safety_node, care.options_node, care.country_node, care.plan_node)
                    if n in graph.nodes]
    return anchors


def onboarding_nodes(graph: DialogGraph) -> Iterator[Problem]:
    """Onboarding questions sit beside the menu, so their buttons must keep working."""
    for node_id in graph.onboarding:
        node = graph.nodes.get(node_id)
        if node is None:
            yield Problem("dialogs", "onboarding", f"points to '{node_id}', which does not exist")
        elif not node.anytime:
            yield _at(graph, node_id, f"nodes.{node_id}",
                      "shown beside the menu as onboarding, so its buttons must work later: add 'anytime: true'")


def unreachable(graph: DialogGraph) -> Iterator[Problem]:
    seen = set(_anchors(graph))
    for info in graph.roles.values():
        seen.update(t for t in info.sections.values() if t in graph.nodes)
    queue = deque(seen)
    while queue:
        for _, target in _targets(graph, queue.popleft()):
            if target not in seen:
                seen.add(target)
                queue.append(target)
    for node_id in graph.nodes:
        if node_id not in seen:
            yield _at(graph, node_id, f"nodes.{node_id}", "unreachable: no button or step leads here")


def cannot_reach_menu(graph: DialogGraph) -> Iterator[Problem]:
    """With the Menu button on, a node reaches the menu in one tap; without it, a path must."""
    reverse: dict[str, set[str]] = {n: set() for n in graph.nodes}
    for node_id in graph.nodes:
        for _, target in _targets(graph, node_id):
            reverse[target].add(node_id)
    ok = {n for n, node in graph.nodes.items() if node.menu_button} | set(_anchors(graph))
    queue = deque(ok)
    while queue:
        for source in reverse.get(queue.popleft(), ()):
            if source not in ok:
                ok.add(source)
                queue.append(source)
    for node_id in graph.nodes:
        if node_id not in ok:
            yield _at(graph, node_id, f"nodes.{node_id}", "cannot get back to the menu from here")


def endless_loops(graph: DialogGraph) -> Iterator[Problem]:
    """Automatic hops (next, branch, end) that come back round never wait for the user."""
    for start_id in graph.nodes:
        frontier, seen = [start_id], set()
        while frontier:
            node_id = frontier.pop()
            for kind, target in _targets(graph, node_id):
                if kind != "auto":
                    continue
                if target == start_id:
                    yield _at(graph, start_id, f"nodes.{start_id}",
                              "endless loop: automatic steps lead back here without waiting for the user")
                    frontier = []
                    break
                if target not in seen:
                    seen.add(target)
                    frontier.append(target)


def taps_from(graph: DialogGraph, origin: str) -> dict[str, int]:
    """Fewest user actions (taps or typed answers) from ``origin`` to each node."""
    dist = {origin: 0}
    queue: deque[str] = deque([origin])
    while queue:
        node_id = queue.popleft()
        for kind, target in _targets(graph, node_id):
            cost = dist[node_id] + (0 if kind == "auto" else 1)
            if cost < dist.get(target, 1 << 30):
                dist[target] = cost
                if kind == "auto":
                    queue.appendleft(target)
                else:
                    queue.append(target)
    return dist


def section_coverage(graph: DialogGraph) -> Iterator[Problem]:
    for info in graph.roles.values():
        dist = taps_from(graph, info.menu)
        for section in SECTIONS:
            entry = info.sections.get(section)
            if entry is None:
                yield Problem(info.file, "sections", f"role {info.role} does not cover section '{section}'")
                continue
            node = graph.nodes.get(entry)
            if node is None:
                continue  # reported by missing_targets
            if node.section != section:
                yield _at(graph, entry, f"nodes.{entry}.section",
                          f"entry of section '{section}' is tagged '{node.section}'")
            if dist.get(entry, 1 << 30) > MAX_TAPS_TO_SECTION:
                yield Problem(info.file, f"sections.{section}",
                              f"'{entry}' is more than {MAX_TAPS_TO_SECTION} taps from the {info.role} menu")


def care_nodes(graph: DialogGraph) -> Iterator[Problem]:
    """The steps /safety, /safetyplan and the safety reply open must exist."""
    care = graph.care
    if care is None:
        return
    file = next((f for n, f in graph.node_file.items() if n == care.plan_node), "dialogs")
    for name in ("safety_node", "options_node", "country_node", "plan_node"):
        node_id = getattr(care, name)
        if node_id not in graph.nodes:
            yield Problem(file, f"care.{name}", f"points to '{node_id}', which does not exist")


def tools_within_reach(graph: DialogGraph) -> Iterator[Problem]:
    """Every tool for hard moments (a node with ``tool:``) is within four taps
    of each role's menu: a tool nobody finds in a panic is no tool.

    A tool in the shared files serves every role; one in a role's file serves
    that role only, so the other role needs its own node with the same tool.
    """
    tools: dict[str, list[str]] = {}
    for node_id, node in graph.nodes.items():
        if node.tool:
            tools.setdefault(node.tool, []).append(node_id)
    for info in graph.roles.values():
        dist = taps_from(graph, info.menu)
        for tool, node_ids in sorted(tools.items()):
            mine = [n for n in node_ids if graph.node_role.get(n) in (None, info.role)]
            if not mine:
                yield Problem(info.file, "", f"tool '{tool}' has no node for role {info.role}: "
                                             f"add one with 'tool: {tool}' to this file or a shared file")
                continue
            best = min(dist.get(n, 1 << 30) for n in mine)
            if best > MAX_TAPS_TO_SECTION:
                yield _at(graph, mine[0], f"nodes.{mine[0]}.tool",
                          f"tool '{tool}' is more than {MAX_TAPS_TO_SECTION} taps from the {info.role} menu")


RULES: tuple[Callable[[DialogGraph], Iterable[Problem]], ...] = (
    missing_roles,
    missing_targets,
    onboarding_nodes,
    duplicate_buttons,
    dead_ends,
    telegram_limits,
    unreachable,
    cannot_reach_menu,
    endless_loops,
    section_coverage,
    recorded_choices,
    checkin_content,
    care_nodes,
    tools_within_reach,
)


def check_graph(graph: DialogGraph) -> list[Problem]:
    problems: list[Problem] = []
    for rule in RULES:
        problems.extend(rule(graph))
    return problems
