"""Shared fixtures: content, brains, databases and chat clients."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.dialog.graph import DialogGraph
from bot.core.dialog.loader import load_dir
from bot.core.turn import Brain
from tests.support.chat import EngineChat

ROOT = Path(__file__).resolve().parent.parent
DIALOGS = ROOT / "dialogs"
MIN_DIALOGS = Path(__file__).resolve().parent / "fixtures" / "dialogs_min"


@pytest.fixture(scope="session")
def min_graph() -> DialogGraph:
    """The smallest valid content: one node per section, plus the interactive shapes."""
    return load_dir(MIN_DIALOGS)


@pytest.fixture(scope="session")
def real_graph() -> DialogGraph:
    """The dialogs the bot ships with."""
    return load_dir(DIALOGS)


@pytest.fixture
def min_chat(min_graph: DialogGraph) -> EngineChat:
    return EngineChat(Brain(graph=min_graph))
