"""The place index built in a child process is the same index, and a child
that cannot start costs memory, never the feature."""

from __future__ import annotations

import logging

import pytest

from bot.adapters import places_child
from bot.core.checkin import places


def test_the_child_builds_the_index_the_process_would(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(places, "_INDEX", None)
    places_child.warm_in_child()
    assert places.build_index() == places._INDEX
    assert places.resolve("São Paulo").zone == "America/Sao_Paulo"


def test_a_child_that_cannot_start_builds_the_index_here(
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    def no_processes(*args: object, **kwargs: object) -> None:
        raise OSError("no processes in this sandbox")

    monkeypatch.setattr(places, "_INDEX", None)
    monkeypatch.setattr(places_child, "ProcessPoolExecutor", no_processes)
    with caplog.at_level(logging.WARNING):
        places_child.warm_in_child()
    assert places.resolve("Lisbon").zone == "Europe/Lisbon"
    assert "building it here" in caplog.text and "OSError" in caplog.text
