"""The dialog engine: (graph, state, event) -> (new state, replies, effects).

It is a pure function on purpose. Telegram, the console and the tests all run
the very same steps, a restart cannot lose anything the engine holds (its
whole memory is the JSON-able :class:`DialogState` the caller stores), and a
new front end is an adapter, never a change here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from bot.core.dialog.checks import CHECKS
from bot.core.dialog.graph import SKIP, DialogGraph
from bot.core.dialog.schema import Message, NodeSpec, Variants
from bot.core.messages import (
    Button,
    ButtonAction,
    CheckIn,
    ChooseRole,
    Effect,
    Event,
    OpenMenu,
    OpenSection,
    Outcome,
    Press,
    QuickExit,
    Reply,
    Resume,
    SaveAnswer,
    SaveChoice,
    Start,
    Text,
)
from bot.core.roles import Role, role_of

#: A chain of ``next``/``branch``/``end`` hops longer than this is a loop in the
#: content; lint reports it, and the engine stops instead of spinning.
MAX_HOPS = 50
#: A check-in sets this counter to 1 while a promise waits for an answer, so
#: the check-in's first node can ``branch`` on it.
OPEN_PROMISE = "open_promise"


@dataclass(frozen=True)
class DialogState:
    """Everything the engine remembers about one user; JSON-serialisable."""

    node: str | None = None
    role: Role | None = None
    #: Last variant index shown per message, so no wording repeats twice in a row.
    variants: Mapping[str, int] = field(default_factory=dict)
    counters: Mapping[str, int] = field(default_factory=dict)
    #: Text typed at a step and held back by "are you safe right now?": saved
    #: as the step's answer only if the user says they are okay.
    pending: str | None = None
    #: The danger category that question was about.
    pending_category: str | None = None
    #: The feeling the held message expressed (its name, never its words),
    #: answered once the user says they are okay.
    pending_feeling: str | None = None

    def released(self) -> DialogState:
        """Without anything held for the safety question (answered, or overtaken)."""
        return replace(self, pending=None, pending_category=None, pending_feeling=None)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "node": self.node,
            "role": self.role,
            "variants": dict(self.variants),
            "counters": dict(self.counters),
        }
        if self.pending is not None:
            data["pending"] = self.pending
        if self.pending_category is not None:
            # Also without held text (the question came outside an ask step):
            # "I'm not safe" on the next turn needs it to pick the right lines.
            data["pending_category"] = self.pending_category
        if self.pending_feeling is not None:
            data["pending_feeling"] = self.pending_feeling
        return data

    @classmethod
    def from_json(cls, data: Any) -> DialogState:
        """Tolerant: anything malformed becomes a fresh state, never an error."""
        if not isinstance(data, dict):
            return cls()

        def ints(value: Any) -> dict[str, int]:
            if not isinstance(value, dict):
                return {}
            return {str(k): v for k, v in value.items() if isinstance(v, int) and not isinstance(v, bool)}

        node, role = data.get("node"), data.get("role")
        pending, category, feeling = data.get("pending"), data.get("pending_category"), data.get("pending_feeling")
        return cls(
            node=node if isinstance(node, str) else None,
            role=role_of(role),
            variants=ints(data.get("variants")),
            counters=ints(data.get("counters")),
            pending=pending if isinstance(pending, str) else None,
            pending_category=category if isinstance(category, str) else None,
            pending_feeling=feeling if isinstance(feeling, str) else None,
        )


@dataclass(frozen=True)
class Step:
    state: DialogState
    outcome: Outcome


def awaiting_text(graph: DialogGraph, state: DialogState) -> bool:
    """Whether the user's current step waits for a typed answer."""
    node = graph.nodes.get(state.node) if state.node else None
    return node is not None and node.ask is not None


def is_dialog_event(graph: DialogGraph, state: DialogState, event: Event) -> bool:
    """Whether :func:`step` handles this event (typed text only when awaited)."""
    if isinstance(event, Text):
        return awaiting_text(graph, state)
    return isinstance(event, (Start, Resume, OpenMenu, ChooseRole, Press, OpenSection, CheckIn))


def step(graph: DialogGraph, state: DialogState, event: Event) -> Step:
    """Handle one dialog event. Call :func:`is_dialog_event` first for typed text."""
    state, notes = repair(graph, state)
    if isinstance(event, Start):
        return _enter(graph, state, graph.start, notes)
    if isinstance(event, Resume):
        return current(graph, state, notes)
    if isinstance(event, OpenMenu):
        return _enter(graph, state, graph.menu_for(state.role), notes)
    if isinstance(event, ChooseRole):
        return _enter(graph, state, graph.role_choice, notes)
    if isinstance(event, OpenSection):
        info = graph.roles.get(state.role or "")
        target = info.sections.get(event.section) if info else None
        return _enter(graph, state, target or graph.menu_for(state.role), notes)
    if isinstance(event, Press):
        return _press(graph, state, event, notes)
    if isinstance(event, Text) and awaiting_text(graph, state):
        return _answer(graph, state, event.text, notes)
    if isinstance(event, CheckIn):
        return _checkin(graph, state, event, notes)
    raise ValueError(f"not a dialog event here: {type(event).__name__}")


def enter(graph: DialogGraph, state: DialogState, node_id: str, notes: tuple[Reply, ...] = ()) -> Step:
    """Take the user to ``node_id`` (a settings step opened by a command)."""
    state, repaired = repair(graph, state)
    return _enter(graph, state, node_id, notes + repaired)


def _checkin(graph: DialogGraph, state: DialogState, event: CheckIn, notes: tuple[Reply, ...]) -> Step:
    """The morning check-in: a plain first message (lock screens show its first
    line), then the check-in step of the user's role. Without a role or
    check-in content there is nothing to ask, and nothing is sent."""
    spec = graph.checkin
    entry = spec.entry.get(state.role) if spec is not None and state.role else None
    if spec is None or entry is None or entry not in graph.nodes:
        return Step(state, Outcome())
    intro = spec.texts.intro.replace("{insight}", event.insight)
    if event.promise:
        intro += "\n\n" + spec.texts.promise_recap.replace("{promise}", event.promise)
    counters = {**state.counters, OPEN_PROMISE: 1 if event.promise else 0}
    return _enter(graph, replace(state, counters=counters), entry, notes + (Reply(intro),))


def current(graph: DialogGraph, state: DialogState, notes: tuple[Reply, ...] = ()) -> Step:
    """Show the user's current step again (after a stale button, a restart, /resume)."""
    state, repaired = repair(graph, state)
    if state.node is None:
        return _enter(graph, state, graph.menu_for(state.role) if state.role else graph.start, notes + repaired)
    return _enter(graph, state, state.node, notes + repaired)


def repair(graph: DialogGraph, state: DialogState) -> tuple[DialogState, tuple[Reply, ...]]:
    """Fit a stored state to the current dialogs.

    A node or role removed by a new release sends the user to their menu, with a note."""
    notes: tuple[Reply, ...] = ()
    if state.role is not None and state.role not in graph.roles:
        state = replace(state, role=None)
    if state.node is not None and state.node not in graph.nodes:
        notes = (Reply(graph.ui.dialogs_updated),)
        state = replace(state, node=graph.menu_for(state.role))
    return state, notes


def _press(graph: DialogGraph, state: DialogState, event: Press, notes: tuple[Reply, ...]) -> Step:
    button = graph.button(event.node, event.key)
    anytime = button is not None and graph.nodes[event.node].anytime
    if button is None or (event.node != state.node and not anytime):
        result = current(graph, state, notes + (Reply(graph.ui.stale_button),))
        return Step(result.state, replace(result.outcome, stale=True))
    effects: tuple[Effect, ...] = ()
    if button.save_as and button.value is not None:
        effects += (SaveChoice(button.save_as, button.value, event.node),)
    if button.action:
        effects += (ButtonAction(button.action, event.node),)
    if button.count:
        counters = dict(state.counters)
        counters[button.count] = counters.get(button.count, 0) + 1
        state = replace(state, counters=counters)
    target = button.goto
    if button.role:
        if state.role is None and not target and graph.onboarding:
            # First time: the light questions one at a time, each leading to
            # the next and the last to the menu, so no turn stacks keyboards.
            target = graph.onboarding[0]
        state = replace(state, role=button.role)
    result = _enter(graph, state, target or graph.menu_for(state.role), notes)
    return Step(result.state, replace(result.outcome, effects=effects + result.outcome.effects))


def _answer(graph: DialogGraph, state: DialogState, text: str, notes: tuple[Reply, ...]) -> Step:
    node = graph.nodes[state.node or ""]
    ask = node.ask
    assert ask is not None
    effects: tuple[Effect, ...] = (SaveAnswer(ask.save_as, text, state.node or ""),)
    found = CHECKS[ask.check](text) if ask.check else []
    feedback: tuple[Reply, ...] = ()
    if found and ask.on_found:
        feedback = (Reply(ask.on_found.replace("{found}", ", ".join(found))),)
    elif not found and ask.on_clean:
        feedback = (Reply(ask.on_clean),)
    result = _enter(graph, state, ask.next, notes + feedback)
    return Step(result.state, replace(result.outcome, effects=effects + result.outcome.effects))


def _enter(graph: DialogGraph, state: DialogState, node_id: str, prefix: tuple[Reply, ...]) -> Step:
    """Walk from ``node_id`` through automatic hops to the next step that waits for the user."""
    texts: list[str] = []
    replies: list[Reply] = list(prefix)
    variants = dict(state.variants)
    counters = dict(state.counters)
    for _ in range(MAX_HOPS):
        node = graph.nodes[node_id]
        for name in node.reset:
            counters.pop(name, None)
        texts = [_pick(node_id, i, message, variants) for i, message in enumerate(node.say)]
        kind = node.exit_kind
        if kind == "next":
            replies.extend(Reply(t) for t in texts)
            node_id = node.next or ""
            continue
        if kind == "end":
            replies.extend(Reply(t) for t in texts)
            node_id = graph.menu_for(state.role)
            continue
        if kind == "branch":
            replies.extend(Reply(t) for t in texts)
            node_id = _branch(node, counters)
            continue
        break
    buttons = _buttons(graph, node_id, node, state.role)
    if texts:
        replies.extend(Reply(t) for t in texts[:-1])
        replies.append(Reply(texts[-1], buttons))
    elif buttons:
        replies.append(Reply("…", buttons))
    new_state = replace(state, node=node_id, variants=variants, counters=counters)
    return Step(new_state, Outcome(replies=tuple(replies)))


def _branch(node: NodeSpec, counters: Mapping[str, int]) -> str:
    assert node.branch is not None
    value = counters.get(node.branch.counter, 0)
    for case in sorted(node.branch.cases, key=lambda c: c.min, reverse=True):
        if value >= case.min:
            return case.goto
    return node.branch.cases[-1].goto


def _pick(node_id: str, index: int, message: Message, seen: dict[str, int]) -> str:
    """Rotate through variants: deterministic, and never the same one twice in a row."""
    if not isinstance(message, Variants):
        return message
    key = f"{node_id}.{index}"
    choice = (seen.get(key, -1) + 1) % len(message.variants)
    seen[key] = choice
    return message.variants[choice]


def _buttons(graph: DialogGraph, node_id: str, node: NodeSpec, role: str | None) -> tuple[Button, ...]:
    """A step's keyboard; built once per step and role (the graph is immutable)."""
    if graph.nodes.get(node_id) is not node:  # a walk cut short by MAX_HOPS: not worth keeping
        return _build_buttons(graph, node_id, node, role)
    built: tuple[Button, ...] | None = graph.keyboards.get((node_id, role))
    if built is None:
        built = graph.keyboards[node_id, role] = _build_buttons(graph, node_id, node, role)
    return built


def _build_buttons(graph: DialogGraph, node_id: str, node: NodeSpec, role: str | None) -> tuple[Button, ...]:
    buttons = [Button(b.label, Press(node_id, b.key)) for b in node.buttons]
    is_menu = node_id == graph.role_choice or any(info.menu == node_id for info in graph.roles.values())
    if node.menu_button and not is_menu:
        buttons.append(Button(graph.ui.menu_button, OpenMenu()))
    if node.ask is not None and node.ask.skip:
        buttons.insert(0, Button(graph.ui.skip_button, Press(node_id, SKIP)))
    if node.ask is not None or node.help_lines:
        # Typing something private, or reading help lines, is when someone may
        # need to hide the chat fast.
        buttons.append(Button(graph.ui.quick_exit_button, QuickExit()))
    return tuple(buttons)
