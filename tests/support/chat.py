"""A chat-like test client: send text, press buttons, read replies.

The same conversation reads the same whether it runs against the pure engine,
the console front end or Telegram through the Bot API emulator: each client
below only knows how to deliver an input and collect what came back.
"""

from __future__ import annotations

import io
import json
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass, field, replace

from bot.adapters.commands import command_event
from bot.adapters.console.app import Console
from bot.core.checkin import places
from bot.core.checkin.names import Choice
from bot.core.dialog.engine import DialogState
from bot.core.messages import Button, Effect, Event, Outcome, SaveAnswer, SaveChoice, Text, UpdateProfile
from bot.core.profile import Profile
from bot.core.render import render
from bot.core.turn import Brain, respond
from bot.core.understanding.embedding import Embedder
from bot.service.chat import ChatService


@dataclass
class Seen:
    """One bot message as the user sees it."""

    text: str
    buttons: list[str] = field(default_factory=list)

    @property
    def parts(self) -> list[str]:
        """The paragraphs of the message: consecutive texts of one turn are
        joined into one message a blank line apart (``bot.core.render.join``),
        so each joined text is one or more parts, in order."""
        return self.text.split("\n\n")


class ChatClient(ABC):
    def __init__(self) -> None:
        self.transcript: list[Seen] = []

    @abstractmethod
    async def _send(self, text: str) -> list[Seen]: ...

    @abstractmethod
    async def _press(self, label: str) -> list[Seen]: ...

    async def send(self, text: str) -> list[Seen]:
        seen = await self._send(text)
        self.transcript.extend(seen)
        return seen

    async def press(self, label: str) -> list[Seen]:
        if label not in self.buttons:
            raise AssertionError(f"no button {label!r}; buttons now: {self.buttons}")
        seen = await self._press(label)
        self.transcript.extend(seen)
        return seen

    @property
    def last(self) -> Seen:
        assert self.transcript, "the bot has said nothing yet"
        return self.transcript[-1]

    @property
    def buttons(self) -> list[str]:
        """Labels under the latest message that has buttons."""
        for seen in reversed(self.transcript):
            if seen.buttons:
                return seen.buttons
        return []

    def said(self, fragment: str) -> bool:
        return any(fragment in seen.text for seen in self.transcript)


def _as_seen(outcome: Outcome) -> list[Seen]:
    return [Seen(r.text, [b.label for b in r.buttons]) for r in outcome.replies]


class EngineChat(ChatClient):
    """The pure core: no storage, no transport. State lives in this object."""

    def __init__(self, brain: Brain, *, embedder: Embedder | None = None):
        super().__init__()
        self.brain = brain
        #: With the model, typed text is embedded first, as the chat service does.
        self.embedder = embedder
        self.state = DialogState()
        self._buttons: tuple[Button, ...] = ()
        self.effects: list[object] = []
        #: The settings the service would store from the effects (time zone, discreet mode).
        self.profile = Profile()

    def _remember(self, effect: Effect) -> None:
        if isinstance(effect, SaveChoice) and effect.name in (Choice.TIMEZONE, "discreet"):
            value: object = effect.value if effect.name == Choice.TIMEZONE else effect.value == "on"
            self.profile = replace(self.profile, **{effect.name: value})
        elif isinstance(effect, SaveAnswer) and effect.name == Choice.TIMEZONE:
            zone = places.resolve(effect.text).zone
            if zone:
                self.profile = replace(self.profile, timezone=zone)
        elif isinstance(effect, UpdateProfile):
            known = {k: v for k, v in effect.changes if k in ("timezone", "discreet")}
            self.profile = replace(self.profile, **known)

    def _event_for(self, text: str) -> Event:
        event = command_event(text) or Text(text)
        if isinstance(event, Text) and self.embedder is not None:
            return replace(event, vector=self.embedder.embed([text])[0])
        return event

    def _step(self, event: Event) -> list[Seen]:
        discreet = self.profile.discreet  # as the service does: the setting before this turn
        step = respond(self.brain, self.state, event, self.profile)
        # Through JSON, as the service stores it between turns: whatever the
        # next turn needs must survive the round trip.
        self.state = DialogState.from_json(json.loads(json.dumps(step.state.to_json())))
        self.effects.extend(step.outcome.effects)
        for effect in step.outcome.effects:
            self._remember(effect)
        outcome = render(step.outcome, self.brain.graph.ui, discreet=discreet)
        for reply in outcome.replies:
            if reply.buttons:
                self._buttons = reply.buttons
        return _as_seen(outcome)

    async def event(self, event: Event) -> list[Seen]:
        """Send a core event directly (what a deep link or FAQ button would send)."""
        seen = self._step(event)
        self.transcript.extend(seen)
        return seen

    async def _send(self, text: str) -> list[Seen]:
        return self._step(self._event_for(text))

    async def _press(self, label: str) -> list[Seen]:
        return self._step(next(b.action for b in self._buttons if b.label == label))


_BOT = re.compile(r"^bot> (.*)$")
_BUTTON = re.compile(r"^   \[(\d+)\] (.*)$")


class ConsoleChat(ChatClient):
    """The console front end in-process, reading back exactly what it printed."""

    def __init__(self, service: ChatService, user: str = "tester"):
        super().__init__()
        self.out = io.StringIO()
        self.console = Console(service, user, self.out, echo_input=False)

    def _drain(self) -> list[Seen]:
        text = self.out.getvalue()
        self.out.seek(0)
        self.out.truncate()
        seen: list[Seen] = []
        for line in text.splitlines():
            if m := _BOT.match(line):
                seen.append(Seen(m.group(1)))
            elif (m := _BUTTON.match(line)) and seen:
                seen[-1].buttons.append(m.group(2))
            elif seen:
                seen[-1].text += "\n" + line
        return seen

    async def open(self) -> list[Seen]:
        await self.console.opening()
        seen = self._drain()
        self.transcript.extend(seen)
        return seen

    async def _send(self, text: str) -> list[Seen]:
        event = self.console.parse(text)
        if event is not None:
            await self.console.send(event)
        return self._drain()

    async def _press(self, label: str) -> list[Seen]:
        # Press by number, the way a console user does.
        return await self._send(str(self.buttons.index(label) + 1))
