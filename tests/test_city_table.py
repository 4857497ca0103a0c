"""The cities' compact table answers exactly as the dict it replaced."""

from __future__ import annotations

import pickle

from bot.core.checkin.city_table import CityTable

CITIES = {
    "paris": [(2_138_551, "Europe/Paris", "FR"), (25_171, "America/Chicago", "US")],
    "lisbon": [(517_802, "Europe/Lisbon", "PT")],
    "a coruna": [(246_056, "Europe/Madrid", "ES")],
    "zurich": [(341_730, "Europe/Zurich", "CH")],
    "sao paulo": [(10_021_295, "America/Sao_Paulo", "BR")],
}


def test_every_name_gives_its_entries_in_order_and_unknown_names_nothing() -> None:
    table = CityTable.build(CITIES)
    assert len(table) == len(CITIES)
    for name, entries in CITIES.items():
        assert table.get(name) == entries
    for unknown in ("", "a", "aaa", "pari", "parisx", "zzz", "lisbon ", "sao"):
        assert table.get(unknown) == []


def test_the_table_survives_the_trip_from_the_child_process() -> None:
    table = pickle.loads(pickle.dumps(CityTable.build(CITIES)))
    assert table.get("paris")[1] == (25_171, "America/Chicago", "US")


def test_an_empty_table_knows_no_city() -> None:
    assert CityTable.build({}).get("paris") == []
