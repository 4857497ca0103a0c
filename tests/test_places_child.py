"""The place index built in a child process is the same index, and a child
that cannot start costs memory, never the feature."""

from __future__ import annotations

import logging

import pytest

from bot.adapters import places_child
from bot.core.checkin import places


def test_the_child_builds_the_whole_index_and_this_process_uses_it(
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(places, "_INDEX", None)
    with caplog.at_level(logging.WARNING):
        places_child.warm_in_child()
    assert not caplog.records  # the child built it: no fallback to building here
    assert places._INDEX is not None and len(places._INDEX.cities) > 50_000
    assert places.resolve("São Paulo").zone == "America/Sao_Paulo"
    assert places.resolve("Lisbon").zone == "Europe/Lisbon"
    assert places.resolve("paris, us").zone == "America/Chicago"


def test_a_child_that_cannot_start_builds_the_index_here(
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    def no_processes(*args: object, **kwargs: object) -> None:
        raise OSError("no processes in this sandbox")

    tiny = places.PlaceIndex({"lisbon": [(500_000, "Europe/Lisbon", "PT")]}, {}, {})
    monkeypatch.setattr(places, "_INDEX", None)
    monkeypatch.setattr(places, "build_index", lambda: tiny)
    monkeypatch.setattr(places_child, "ProcessPoolExecutor", no_processes)
    with caplog.at_level(logging.WARNING):
        places_child.warm_in_child()
    assert places._INDEX is tiny
    assert places.resolve("Lisbon").zone == "Europe/Lisbon"
    assert "building it here" in caplog.text and "OSError" in caplog.text
