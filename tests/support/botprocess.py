"""The real ``trustbot run`` process, pointed at the Bot API emulator.

Nothing about the bot is changed for the tests: it is configured, as anyone
would, through its environment (token, ``telegram.base_url``, database URL).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.support.botapi_emulator import BotApiEmulator

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "123456789:TEST-TOKEN-abcdefghijklmnop"


class BotProcess:
    def __init__(self, emulator: BotApiEmulator, database_url: str, workdir: Path, **env: str):
        self.emulator = emulator
        self.workdir = workdir
        self.log_path = workdir / "bot.log"
        self.env = {
            **os.environ,
            "TRUSTBOT_TOKEN": TOKEN,
            "TRUSTBOT_TELEGRAM_BASE_URL": emulator.base_url,
            "TRUSTBOT_TELEGRAM_BASE_FILE_URL": emulator.base_file_url,
            "TRUSTBOT_TELEGRAM_POLL_TIMEOUT": "2",
            "TRUSTBOT_DATABASE_URL": database_url,
            "TRUSTBOT_DIALOGS_DIR": str(ROOT / "dialogs"),
            "TRUSTBOT_LOG_LEVEL": "INFO",
            **env,
        }
        self.process: subprocess.Popen | None = None
        self.starts = 0

    def start(self, timeout: float = 20.0) -> BotProcess:
        self.starts += 1
        log = self.log_path.open("a")
        log.write(f"--- start {self.starts} ---\n")
        log.flush()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"], cwd=self.workdir, env=self.env,
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"bot exited with {self.process.returncode}:\n{self.log()}")
            if self.started_line_count() >= self.starts and self._ready():
                return self
            time.sleep(0.05)
        raise AssertionError(f"bot did not start polling within {timeout}s:\n{self.log()}")

    @property
    def webhook_port(self) -> int | None:
        port = self.env.get("TRUSTBOT_TELEGRAM_WEBHOOK_PORT")
        return int(port) if self.env.get("TRUSTBOT_TELEGRAM_WEBHOOK_ENABLED") == "true" and port else None

    def _ready(self) -> bool:
        """Polling: the bot sits in a long poll. Webhook: its health endpoint says ok."""
        if self.webhook_port is None:
            return self.emulator.polling
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.webhook_port}/healthz", timeout=1) as response:
                return response.status == 200
        except OSError:
            return False

    def post_update(self, update: dict, secret: str | None = None) -> int:
        """Deliver an update as Telegram does in webhook mode; returns the HTTP status."""
        assert self.webhook_port is not None
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.webhook_port}{self.env.get('TRUSTBOT_TELEGRAM_WEBHOOK_PATH', '/telegram')}",
            data=json.dumps(update).encode(), method="POST",
            headers={"Content-Type": "application/json",
                     "X-Telegram-Bot-Api-Secret-Token": secret or self.env["TRUSTBOT_TELEGRAM_WEBHOOK_SECRET_TOKEN"]},
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                # As Telegram does, run the method the reply names (a press's answer).
                self.emulator.webhook_reply(self.env.get("TRUSTBOT_TOKEN", TOKEN), response.read())
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code

    def started_line_count(self) -> int:
        return self.log().count("trustbot started as")

    def kill(self) -> None:
        """SIGKILL: no shutdown hooks, no flushing; only what was committed survives.
        Every process the bot started must end on its own soon after (a helper
        left waiting for a dead parent would hold its memory for ever)."""
        assert self.process is not None
        children = descendants(self.process.pid)
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)
        deadline = time.monotonic() + 30
        while (alive := [pid for pid in children if running(pid)]) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not alive, f"processes the killed bot started are still running: {alive}"

    def stop(self) -> int:
        if self.process is None or self.process.poll() is not None:
            return self.process.returncode if self.process else 0
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait(timeout=5)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


def descendants(pid: int) -> set[int]:
    """Every process below ``pid`` now (Linux: /proc/PID/task/TID/children)."""
    found: set[int] = set()
    todo = [pid]
    while todo:
        for task in Path(f"/proc/{todo.pop()}/task").glob("*"):
            try:
                children = [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                continue
            for child in children:
                if child not in found:
                    found.add(child)
                    todo.append(child)
    return found


def running(pid: int) -> bool:
    """Alive and not a zombie (an orphan's zombie waits for whoever reaps in this container)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"
