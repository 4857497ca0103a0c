"""`trustbot run` refusing bad settings: one clear line naming the key, exit status 2, no traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import DIALOGS
from tests.support.botapi_emulator import BotApiEmulator
from tests.support.botprocess import TOKEN


def _run(env: dict[str, str], *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith("TRUSTBOT_")}
    full.update(env)
    return subprocess.run(check=False, args=[sys.executable, "-m", "bot", "run", *args], env=full, cwd=cwd,
                          capture_output=True, text=True, timeout=60)


def test_a_missing_token_is_one_clear_line_and_exit_status_2(tmp_path: Path) -> None:
    result = _run({}, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == ["trustbot: config error: telegram.token: missing (set it in the config file or TRUSTBOT_TOKEN)"]


@pytest.mark.parametrize(
    ("env", "key"),
    [
        ({"TRUSTBOT_TOKEN": "not-a-token"}, "telegram.token"),
        ({"TRUSTBOT_TOKEN": TOKEN, "TRUSTBOT_TELEGRAM_BASE_URL": "ftp:/nope"}, "telegram.base_url"),
        ({"TRUSTBOT_TOKEN": TOKEN, "TRUSTBOT_TELEGRAM_POLL_INTERVAL": "soon"}, "telegram.poll_interval"),
        ({"TRUSTBOT_TOKEN": TOKEN, "TRUSTBOT_LOG_LEVEL": "LOUD"}, "log.level"),
        ({"TRUSTBOT_TOKEN": TOKEN, "TRUSTBOT_DATABASE_URL": "mysql://x"}, "database.url"),
    ],
)
def test_an_invalid_setting_names_its_key(tmp_path: Path, env: dict[str, str], key: str) -> None:
    env = {"TRUSTBOT_DIALOGS_DIR": str(DIALOGS), "TRUSTBOT_TELEGRAM_BASE_URL": "http://127.0.0.1:9/bot", **env}
    result = _run(env, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and key in lines[0], result.stderr
    assert "Traceback" not in result.stderr and "not-a-token" not in result.stderr


def test_a_config_file_that_is_not_yaml_is_named(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("telegram: [unclosed\n")
    result = _run({}, "--config", str(tmp_path / "bad.yaml"), cwd=tmp_path)
    assert result.returncode == 2 and "bad.yaml" in result.stderr and "Traceback" not in result.stderr


def test_a_token_telegram_rejects_stops_with_a_clear_line(tmp_path: Path) -> None:
    with BotApiEmulator(token=TOKEN) as emulator:
        result = _rejected(emulator, tmp_path)
    assert result.returncode == 2, result.stderr
    assert "telegram.token" in result.stderr.strip().splitlines()[-1]
    assert "WRONG-TOKEN" not in result.stderr


def _rejected(emulator: BotApiEmulator, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {"TRUSTBOT_TOKEN": "999999:WRONG-TOKEN-abcdefghijklmnop", "TRUSTBOT_TELEGRAM_BASE_URL": emulator.base_url,
           "TRUSTBOT_DIALOGS_DIR": str(DIALOGS), "TRUSTBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"}
    return _run(env, cwd=tmp_path)


