"""Shared fixtures: content, brains, databases and chat clients."""

from __future__ import annotations

import functools
from dataclasses import replace
from pathlib import Path

import pytest

from bot.bootstrap import build_brain
from bot.core.dialog.graph import DialogGraph
from bot.core.dialog.loader import load_dir
from bot.core.turn import Brain
from tests.support.chat import EngineChat

ROOT = Path(__file__).resolve().parent.parent
DIALOGS = ROOT / "dialogs"
MIN_DIALOGS = Path(__file__).resolve().parent / "fixtures" / "dialogs_min"


_CONTENT = None


@pytest.fixture(autouse=True, scope="session")
def _private_data_home(tmp_path_factory: pytest.TempPathFactory) -> None:
    """No test, nor any process a test starts, writes into the real user's data folder."""
    import os

    os.environ["XDG_DATA_HOME"] = str(tmp_path_factory.mktemp("xdg-data"))


def make_brain(graph: DialogGraph) -> Brain:
    """A brain on ``graph`` with the shipped FAQ and safety content."""
    global _CONTENT
    if _CONTENT is None:
        _CONTENT = build_brain(DIALOGS)
    return replace(_CONTENT, graph=graph)


@pytest.fixture(scope="session")
def min_graph() -> DialogGraph:
    """The smallest valid content: one node per section, plus the interactive shapes."""
    return load_dir(MIN_DIALOGS)


@functools.cache
def shipped_graph() -> DialogGraph:
    """The dialogs the bot ships with, loaded once for every module that needs them."""
    return load_dir(DIALOGS)


@pytest.fixture(scope="session")
def real_graph() -> DialogGraph:
    """The dialogs the bot ships with."""
    return shipped_graph()


@pytest.fixture
def brain(real_graph: DialogGraph) -> Brain:
    """The shipped content, as the bot loads it."""
    return make_brain(real_graph)


@pytest.fixture
def min_chat(min_graph: DialogGraph) -> EngineChat:
    return EngineChat(make_brain(min_graph))


# --- databases --------------------------------------------------------------

import itertools  # noqa: E402
import shutil  # noqa: E402
import tempfile  # noqa: E402

import pytest_asyncio  # noqa: E402

from bot.storage import migrate  # noqa: E402
from bot.storage.database import Database  # noqa: E402
from tests.support.postgres import PostgresServer, start_server  # noqa: E402

_db_names = itertools.count()


@pytest.fixture(scope="session")
def postgres():
    """One PostgreSQL server for the whole run; each test gets its own database.

    Its folder is outside pytest's private temp tree so that the ``postgres``
    user can reach it when the tests run as root.
    """
    root = Path(tempfile.mkdtemp(prefix="trustbot-pg-"))
    server = start_server(root)
    yield server
    server.stop()
    shutil.rmtree(root, ignore_errors=True)


#: PostgreSQL runs start a server and are the slower half: ``-m "not slow"`` keeps SQLite only.
@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.slow)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database of each kind the bot supports."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'trustbot.sqlite3'}"
    server: PostgresServer = request.getfixturevalue("postgres")
    return server.create_database(f"t{next(_db_names)}")


@pytest_asyncio.fixture
async def db(database_url: str):
    database = Database(database_url)
    await migrate.upgrade(database)
    yield database
    await database.dispose()


# --- understanding (issue #10) -----------------------------------------------


@pytest.fixture(scope="session")
def embedder():
    """The real model, loaded once per test session (hash-checked by the adapter)."""
    return _shared_embedder()


@functools.cache
def _shared_embedder():  # type: ignore[no-untyped-def]
    from bot.adapters.model.e5_embedder import load_embedder

    return load_embedder()


@pytest.fixture(autouse=True, scope="session")
def _one_model_per_test_process():  # type: ignore[no-untyped-def]
    """Every in-process bot loads the model through ``bot.adapters.model``'s
    ``load_embedder``: here it is the one instance of this test process (the
    model is immutable and thread-safe; loading it costs ~0.7 s each time).
    The adapter's own tests call ``e5_embedder.load_embedder`` directly."""
    import bot.adapters.model as model

    original = model.load_embedder
    model.load_embedder = lambda **kwargs: original(**kwargs) if kwargs else _shared_embedder()  # type: ignore[assignment]
    yield
    model.load_embedder = original
