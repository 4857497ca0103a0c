"""`trustbot run` refusing bad settings: one clear line naming the key, exit status 2, no traceback.

The settings checks run in this process through the command's own entry
(``bot.cli.main``, whose return value is the exit status); a token Telegram
rejects needs the real process and the Bot API over HTTP.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from tests.conftest import DIALOGS
from tests.support.botapi_emulator import BotApiEmulator
from tests.support.botprocess import TOKEN


def _run(env: dict[str, str], *args: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
         cwd: Path) -> tuple[int, str]:
    """``trustbot run ARGS`` with exactly ``env`` as its TRUSTBOT_* settings: (exit status, stderr)."""
    for name in os.environ:
        if name.startswith("TRUSTBOT_"):
            monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(cwd)
    capsys.readouterr()
    status = main(["run", *args])
    return status, capsys.readouterr().err


def test_a_missing_token_is_one_clear_line_and_exit_status_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    status, stderr = _run({}, monkeypatch=monkeypatch, capsys=capsys, cwd=tmp_path)
    assert status == 2
    assert stderr.strip().splitlines() == [
        "trustbot: config error: telegram.token: missing (set it in the config file or TRUSTBOT_TOKEN)"
    ]


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
def test_an_invalid_setting_names_its_key(
    tmp_path: Path, env: dict[str, str], key: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env = {"TRUSTBOT_DIALOGS_DIR": str(DIALOGS), "TRUSTBOT_TELEGRAM_BASE_URL": "http://127.0.0.1:9/bot", **env}
    status, stderr = _run(env, monkeypatch=monkeypatch, capsys=capsys, cwd=tmp_path)
    assert status == 2, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and key in lines[0], stderr
    assert "Traceback" not in stderr and "not-a-token" not in stderr


def test_a_config_file_that_is_not_yaml_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "bad.yaml").write_text("telegram: [unclosed\n")
    status, stderr = _run({}, "--config", str(tmp_path / "bad.yaml"), monkeypatch=monkeypatch, capsys=capsys,
                          cwd=tmp_path)
    assert status == 2 and "bad.yaml" in stderr and "Traceback" not in stderr


@pytest.mark.slow
def test_a_token_telegram_rejects_stops_with_a_clear_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRUSTBOT_")}
    with BotApiEmulator(token=TOKEN) as emulator:
        env |= {"TRUSTBOT_TOKEN": "999999:WRONG-TOKEN-abcdefghijklmnop",
                "TRUSTBOT_TELEGRAM_BASE_URL": emulator.base_url, "TRUSTBOT_DIALOGS_DIR": str(DIALOGS),
                "TRUSTBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"}
        result = subprocess.run([sys.executable, "-m", "bot", "run"], env=env, cwd=tmp_path, capture_output=True,
                                text=True, timeout=60, check=False)
    assert result.returncode == 2, result.stderr
    assert "telegram.token" in result.stderr.strip().splitlines()[-1]
    assert "WRONG-TOKEN" not in result.stderr
