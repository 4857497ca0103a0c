"""Where the bot finds its content and keeps its data, whatever folder it starts in.

The dialogs ship with the package: a source checkout or ``pip install -e .``
reads them from ``dialogs/`` beside the ``bot`` package, so edits show at once;
a normal ``pip install .`` copies them into ``<prefix>/share/trustbot/dialogs``
(``[tool.setuptools.data-files]``), found through the installed distribution's
file list. The database defaults to the user's data folder (XDG), not the
working directory, so ``trustbot run`` from /tmp uses the same file as from home.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path

DISTRIBUTION = "trustbot"
#: A folder is the dialogs folder when it has the file every content set needs.
_MARKER = "common.yaml"


def default_dialogs_dir() -> Path:
    """The dialogs this installation ships with."""
    checkout = Path(__file__).resolve().parent.parent / "dialogs"
    if (checkout / _MARKER).is_file():
        return checkout
    installed = _installed_dialogs()
    if installed is not None:
        return installed
    # Nothing found: name the checkout folder so the error says where we looked.
    return checkout


def _installed_dialogs() -> Path | None:
    try:
        files = metadata.distribution(DISTRIBUTION).files or []
    except metadata.PackageNotFoundError:
        return None
    for file in files:
        parts = file.parts
        if parts[-1] == _MARKER and parts[-3:-1] == ("trustbot", "dialogs"):
            return Path(str(file.locate())).resolve().parent
    return None


def data_dir(env: Mapping[str, str] | None = None) -> Path:
    """``$XDG_DATA_HOME/trustbot``, else ``~/.local/share/trustbot``."""
    env = os.environ if env is None else env
    base = env.get("XDG_DATA_HOME", "")
    # The XDG spec: a relative XDG_DATA_HOME is invalid and is ignored.
    if base and Path(base).is_absolute():
        root = Path(base)
    else:
        root = Path(env.get("HOME") or Path.home()) / ".local" / "share"
    return root / "trustbot"


def default_database_url(env: Mapping[str, str] | None = None) -> str:
    """The SQLite file in the user's data folder."""
    return f"sqlite:///{data_dir(env) / 'trustbot.sqlite3'}"
