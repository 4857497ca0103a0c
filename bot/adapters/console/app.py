"""``trustbot console``: chat with the bot in a terminal, or through a pipe.

Buttons become numbered choices, pressed by typing the number or the label.
When stdin is not a terminal each line is one input, so a whole conversation
can be scripted: ``printf '1\n2\n' | trustbot console``.
"""

from __future__ import annotations

import asyncio
import getpass
import sys
from pathlib import Path
from typing import TextIO

from bot.adapters.commands import COMMANDS, HELP_COMMAND, command_event, parse_command
from bot.core.identity import UserKey
from bot.core.messages import Button, Event, Outcome, Resume, Text
from bot.service.chat import ChatService

QUIT = {"/quit", "/exit", "/q"}


class Console:
    """Renders outcomes as text and turns typed lines into events."""

    def __init__(self, service: ChatService, user: str, out: TextIO, *, echo_input: bool):
        self.service = service
        self.key = UserKey("console", user)
        self.out = out
        self.echo_input = echo_input
        self.buttons: tuple[Button, ...] = ()

    async def render(self, outcome: Outcome) -> None:
        if outcome.erase:
            self.out.write("\033[2J\033[H" if self.out.isatty() else "")
        for reply in outcome.replies:
            self.out.write(f"bot> {reply.text}\n")
            if reply.document is not None:
                name, content = reply.document
                path = await asyncio.to_thread(_save, Path(name), content)
                self.out.write(f"   (saved {path})\n")
            if reply.image is not None:
                # A terminal cannot show the /progress chart: keep it as a file.
                path = await asyncio.to_thread(_save, Path("trustbot-progress.png"), reply.image)
                self.out.write(f"   (chart saved to {path})\n")
            if reply.buttons:
                self.buttons = reply.buttons
                for number, button in enumerate(reply.buttons, start=1):
                    self.out.write(f"   [{number}] {button.label}\n")
        self.out.flush()

    def parse(self, line: str) -> Event | None:
        """The event a typed line means; None when it was a console-only command."""
        text = line.strip()
        if text.isdigit() and 1 <= int(text) <= len(self.buttons):
            return self.buttons[int(text) - 1].action
        if text.isdigit() and self.buttons and len(text) <= 3:
            # A number that is no button: say which numbers are, rather than
            # reading it as a question and listing every topic.
            self.out.write(f"bot> Pick 1–{len(self.buttons)}.\n")
            self.out.flush()
            return None
        for button in self.buttons:
            if text.casefold() == button.label.casefold():
                return button.action
        event = command_event(text)
        if event is not None:
            return event
        if (parse_command(text) or ("",))[0] == HELP_COMMAND[0]:
            self._help()
            return None
        return Text(line.rstrip("\n"))

    def _help(self) -> None:
        self.out.write("bot> Type a number or a button's label to press it, or just type.\n")
        for name, (_, description) in COMMANDS.items():
            self.out.write(f"   /{name} — {description}\n")
        self.out.write("   /quit — leave the console (your place is kept)\n")
        self.out.flush()

    async def send(self, event: Event) -> Outcome:
        return await self.service.handle(self.key, event, self.render)

    async def opening(self) -> None:
        """New users start at the welcome; returning users see where they left off."""
        await self.send(Resume())

    async def run(self, stdin: TextIO) -> None:
        await self.opening()
        interactive = stdin.isatty()
        while True:
            if interactive:
                self.out.write("you> ")
                self.out.flush()
            line = await asyncio.to_thread(stdin.readline)
            if not line:
                break
            if self.echo_input:
                self.out.write(f"you> {line.rstrip()}\n")
            if not line.strip():
                continue
            if line.strip().lower() in QUIT:
                break
            event = self.parse(line)
            if event is not None:
                await self.send(event)


def _save(path: Path, content: bytes) -> Path:
    """Write a file the terminal cannot show; the full path, to tell the user."""
    path.write_bytes(content)
    return path.resolve()


def default_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "local"


async def run_console(service: ChatService, user: str, stdin: TextIO = sys.stdin, out: TextIO = sys.stdout) -> None:
    console = Console(service, user, out, echo_input=not stdin.isatty())
    await console.run(stdin)
