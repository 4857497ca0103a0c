"""The commands work from any folder: content comes with the package, data lives in the user's data folder.

Each command is started the way a user starts it (the installed ``trustbot``
script) from an empty folder, with HOME pointing at an empty temporary home and
no TRUSTBOT_* settings, so nothing can be found through the working directory.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config import load_settings
from bot.paths import data_dir, default_database_url, default_dialogs_dir
from tests.conftest import DIALOGS
from tests.support.botapi_emulator import BotApiEmulator
from tests.support.botprocess import TOKEN

#: Real `trustbot` processes started from an empty folder.
pytestmark = pytest.mark.slow

TRUSTBOT = Path(sys.executable).parent / "trustbot"


@pytest.fixture
def elsewhere(tmp_path: Path) -> Iterator[tuple[Path, dict[str, str]]]:
    """An empty working folder and an environment whose HOME is an empty temporary home."""
    cwd, home = tmp_path / "cwd", tmp_path / "home"
    cwd.mkdir()
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRUSTBOT_") and k != "XDG_DATA_HOME"}
    env["HOME"] = str(home)
    yield cwd, env
    assert list(cwd.iterdir()) == [], "a command wrote into the folder it was started from"


def test_lint_from_an_empty_folder_checks_the_shipped_dialogs(elsewhere: tuple[Path, dict[str, str]]) -> None:
    cwd, env = elsewhere
    result = subprocess.run(check=False, args=[str(TRUSTBOT), "lint"], cwd=cwd, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("OK: ") and "10/10 sections" in result.stdout


def test_console_from_an_empty_folder_keeps_its_data_private_in_the_users_data_folder(
    elsewhere: tuple[Path, dict[str, str]],
) -> None:
    cwd, env = elsewhere
    result = subprocess.run(check=False, args=[str(TRUSTBOT), "console", "--user", "ana"], input="2\n/menu\n",
                            cwd=cwd, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "rebuilding trust" in result.stdout and "Traceback" not in result.stderr
    folder = Path(env["HOME"]) / ".local" / "share" / "trustbot"
    database = folder / "trustbot.sqlite3"
    assert database.is_file()
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(database.stat().st_mode) == 0o600


def test_run_from_an_empty_folder_answers_start(elsewhere: tuple[Path, dict[str, str]]) -> None:
    cwd, env = elsewhere
    env |= {"TRUSTBOT_TOKEN": TOKEN, "TRUSTBOT_TELEGRAM_POLL_TIMEOUT": "1"}
    with BotApiEmulator(token=TOKEN) as emulator:
        env |= {"TRUSTBOT_TELEGRAM_BASE_URL": emulator.base_url,
                "TRUSTBOT_TELEGRAM_BASE_FILE_URL": emulator.base_file_url}
        log = cwd.parent / "run.log"
        with log.open("w") as out:
            process = subprocess.Popen([str(TRUSTBOT), "run"], cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
                                       stdin=subprocess.DEVNULL)
        try:
            emulator.wait_for(lambda: emulator.polling or process.poll() is not None, 30)
            assert process.poll() is None, log.read_text()
            emulator.send_text(4242, "/start")
            replies = emulator.wait_for_messages(4242, 1, 15)  # the welcome and the role question, joined
            assert "rebuilding trust" in replies[0]["text"]
            assert replies[-1]["reply_markup"], replies  # ...with the role buttons under it
        finally:
            process.terminate()
            process.wait(timeout=15)
    assert "Traceback" not in log.read_text()
    assert (Path(env["HOME"]) / ".local" / "share" / "trustbot" / "trustbot.sqlite3").is_file()


def test_the_default_dialogs_are_the_shipped_ones_whatever_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert default_dialogs_dir() == DIALOGS
    assert load_settings(env={}).dialogs_dir() == DIALOGS


def test_the_default_database_lives_in_the_xdg_data_folder(tmp_path: Path) -> None:
    assert data_dir({"XDG_DATA_HOME": str(tmp_path)}) == tmp_path / "trustbot"
    assert data_dir({"HOME": str(tmp_path)}) == tmp_path / ".local" / "share" / "trustbot"
    # A relative XDG_DATA_HOME is invalid by the spec and ignored.
    assert data_dir({"HOME": str(tmp_path), "XDG_DATA_HOME": "rel"}) == tmp_path / ".local" / "share" / "trustbot"
    url = load_settings(env={"HOME": str(tmp_path)}).database.url
    expected = f"sqlite:///{tmp_path}/.local/share/trustbot/trustbot.sqlite3"
    assert url == default_database_url({"HOME": str(tmp_path)}) == expected


def test_relative_paths_in_a_config_file_are_read_from_its_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "etc"
    folder.mkdir()
    config = folder / "trustbot.yaml"
    config.write_text('dialogs:\n  dir: content\ndatabase:\n  url: "sqlite:///state/bot.sqlite3"\n')
    monkeypatch.chdir(tmp_path)
    settings = load_settings(config, env={})
    assert settings.dialogs_dir() == folder / "content"
    assert settings.database.url == f"sqlite:///{folder}/state/bot.sqlite3"
    # Absolute paths and PostgreSQL URLs are kept as written; the environment is read from the working folder.
    config.write_text('dialogs:\n  dir: /srv/dialogs\ndatabase:\n  url: "sqlite:////var/lib/bot.sqlite3"\n')
    settings = load_settings(config, env={})
    assert settings.dialogs_dir() == Path("/srv/dialogs") and settings.database.url == "sqlite:////var/lib/bot.sqlite3"
    config.write_text('database:\n  url: "postgresql://u:p@db/trustbot"\n')
    assert load_settings(config, env={}).database.url == "postgresql://u:p@db/trustbot"
    assert load_settings(config, env={"TRUSTBOT_DIALOGS_DIR": "mine"}).dialogs_dir() == Path("mine")


def test_dialogs_dir_in_the_config_overrides_the_shipped_dialogs(tmp_path: Path) -> None:
    config = tmp_path / "trustbot.yaml"
    config.write_text(f"dialogs:\n  dir: {DIALOGS.parent / 'tests' / 'fixtures' / 'dialogs_min'}\n")
    assert load_settings(config, env={}).dialogs_dir().name == "dialogs_min"
