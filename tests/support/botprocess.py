"""The real ``trustbot run`` process, pointed at the Bot API emulator.

Nothing about the bot is changed for the tests: it is configured, as anyone
would, through its environment (token, ``telegram.base_url``, database URL).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
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
            if self.emulator.polling and self.started_line_count() >= self.starts:
                return self
            time.sleep(0.05)
        raise AssertionError(f"bot did not start polling within {timeout}s:\n{self.log()}")

    def started_line_count(self) -> int:
        return self.log().count("trustbot started as")

    def kill(self) -> None:
        """SIGKILL: no shutdown hooks, no flushing; only what was committed survives."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

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
