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
    monkeypatch.setattr(places_child.CONTEXT, "Process", no_processes)
    with caplog.at_level(logging.WARNING):
        places_child.warm_in_child()
    assert places._INDEX is tiny
    assert places.resolve("Lisbon").zone == "Europe/Lisbon"
    assert "building it here" in caplog.text and "OSError" in caplog.text


def test_an_orphaned_child_exits_instead_of_waiting_for_ever() -> None:
    """The bot killed while its child builds the index: the child's send meets
    a broken pipe and it exits (a pool worker, used before, lingered)."""
    reader, writer = places_child.CONTEXT.Pipe(duplex=False)
    child = places_child.CONTEXT.Process(target=places_child.build_and_send, args=(writer,), daemon=True)
    child.start()
    writer.close()
    reader.close()  # what the bot's death does to its end
    child.join(timeout=60)
    assert not child.is_alive()
    assert child.exitcode == places_child.ORPHANED  # a broken pipe: nobody to send to
