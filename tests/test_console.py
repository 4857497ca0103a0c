"""`trustbot console`: the same engine and storage, driven by piped lines.

The command itself runs in test_any_folder.py.
"""

from __future__ import annotations

import asyncio
import io
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from unittest.mock import patch

import pytest

from bot import bootstrap
from bot.adapters.console.app import run_console
from bot.config import load_settings
from bot.core.dialog.graph import DialogGraph
from bot.core.dialog.schema import ROLES
from bot.storage.users import UserKey
from tests.conftest import DIALOGS
from tests.support.content import cached_brain
from tests.support.paths import first_words, label_paths, role_label


@dataclass
class Ran:
    stdout: str
    stderr: str = ""
    returncode: int = 0


def console(lines: list[str], db: Path, user: str = "tester") -> Ran:
    """`trustbot console` in this process: the same service and console loop the
    command runs (bot/cli/console.py), reading ``lines`` as its piped stdin."""
    settings = load_settings(env={"TRUSTBOT_DATABASE_URL": f"sqlite:///{db}", "TRUSTBOT_DIALOGS_DIR": str(DIALOGS)})
    out = io.StringIO()

    async def main() -> None:
        with patch.object(bootstrap, "load_brain", cached_brain):
            service = await bootstrap.open_service(settings, admins=frozenset({UserKey("console", user)}))
        try:
            await run_console(service, user, stdin=io.StringIO("".join(line + "\n" for line in lines)), out=out)
        finally:
            await service.db.dispose()

    asyncio.run(main())
    return Ran(out.getvalue())


@pytest.mark.parametrize("role", ROLES)
def test_a_scripted_console_conversation_reaches_every_section(
    role: str, real_graph: DialogGraph, tmp_path: Path
) -> None:
    script = [role_label(real_graph, role)]
    expected = []
    paths = label_paths(real_graph, role)
    for section, labels in paths.items():
        script += ["/menu", *labels]
        expected.append((section, first_words(real_graph, real_graph.roles[role].sections[section])))
    result = console(script, tmp_path / "bot.sqlite3")
    assert result.returncode == 0, result.stderr
    assert len(paths) == 10
    for section, wordings in expected:
        assert any(w in result.stdout for w in wordings), f"section {section} not reached"
    assert "Traceback" not in result.stderr


def test_console_resumes_where_the_conversation_stopped(tmp_path: Path, real_graph: DialogGraph) -> None:
    db = tmp_path / "bot.sqlite3"
    role = role_label(real_graph, "hurt_partner")
    first = console([role, "/menu"], db)
    menu_words = first_words(real_graph, real_graph.roles["hurt_partner"].menu)
    assert any(w in first.stdout for w in menu_words)
    second = console([], db)
    opening = second.stdout.split("you>")[0]
    assert any(w in opening for w in menu_words), second.stdout
    assert "rebuilding trust" not in opening  # not the welcome again


def test_console_presses_buttons_by_number_or_label(tmp_path: Path, real_graph: DialogGraph) -> None:
    by_number = console(["2"], tmp_path / "a.sqlite3")
    by_label = console([role_label(real_graph, "hurt_partner").upper()], tmp_path / "b.sqlite3")
    # A first role choice opens the first onboarding question.
    menu_words = first_words(real_graph, real_graph.onboarding[0])
    assert any(w in by_number.stdout for w in menu_words)
    assert any(w in by_label.stdout for w in menu_words)


def test_console_keeps_users_apart(tmp_path: Path, real_graph: DialogGraph) -> None:
    db = tmp_path / "bot.sqlite3"
    console([role_label(real_graph, "hurt_partner")], db, user="ana")
    other = console([], db, user="ben")
    assert "rebuilding trust" in other.stdout.split("you>")[0]


@pytest.mark.slow  # the real command, as a process
def test_console_refuses_broken_dialogs_with_lint_messages(tmp_path: Path) -> None:
    """The real command: broken content stops it with exit status 2 and the file named."""
    (tmp_path / "common.yaml").write_text("version: 1\nkind: dialog\nnodes: {}\n")
    env = {**os.environ, "TRUSTBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'bot.sqlite3'}",
           "TRUSTBOT_DIALOGS_DIR": str(tmp_path)}
    result = subprocess.run([sys.executable, "-m", "bot", "console", "--user", "tester"], input="",
                            capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60, check=False)
    assert result.returncode == 2
    assert "common.yaml" in result.stderr and "Traceback" not in result.stderr


def test_console_help_lists_commands(tmp_path: Path) -> None:
    result = console(["/help"], tmp_path / "bot.sqlite3")
    assert "/menu" in result.stdout and "/quit" in result.stdout
