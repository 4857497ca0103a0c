"""Which ids a quick exit erases: every one between the oldest and newest it
knows, a few beyond, newest first (a reply whose id a crash lost is still erased)."""

from __future__ import annotations

from bot.core.quick_exit import TAIL, ids_to_erase


def test_the_gap_a_crash_left_between_known_ids_is_erased_too() -> None:
    # 3 and 4 were sent just before a crash: their ids were never stored.
    erased = ids_to_erase([1, 2, 5], newest=6)
    assert {3, 4} <= set(erased) and {1, 2, 5, 6} <= set(erased)


def test_replies_after_the_newest_known_id_are_covered_by_the_tail() -> None:
    erased = ids_to_erase([1, 2], newest=3)
    assert max(erased) == 3 + TAIL


def test_the_newest_messages_go_first() -> None:
    erased = ids_to_erase([4, 1, 9])
    assert list(erased) == sorted(erased, reverse=True)


def test_nothing_known_erases_nothing() -> None:
    assert ids_to_erase([]) == ()
    assert ids_to_erase([], newest=None) == ()


def test_a_very_long_history_is_capped_below_the_newest() -> None:
    erased = ids_to_erase([1, 100_000], max_span=50, tail=0)
    assert min(i for i in erased if i != 1) == 100_000 - 50
    assert 1 in erased  # a stored id is always tried
