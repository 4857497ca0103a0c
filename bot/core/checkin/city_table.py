"""The cities the check-ins know, by folded name, in ~3 MB instead of ~25 MB.

Why not a dict: 89,000 names with 92,000 (population, zone, country)
entries held as Python objects (a str key, a list, a tuple and an int each)
took about 25 MB of the bot's memory for a lookup done when someone types
their city, a few times in their life with the bot. Here the names are one
sorted text, found by binary search (~20 µs), and the entries are three
numpy columns. Same answers, in the same order (the most populous first).

Pure and picklable: built once (in a child process, ``places_child.py``)
and sent to the bot as it is.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

#: (population, IANA zone, ISO country code)
Entry = tuple[int, str, str]
#: Separates names in the text; a folded name never holds it.
_SEP = "\n"


@dataclass(frozen=True, eq=False)
class CityTable:
    #: The sorted names, each followed by ``_SEP``.
    text: str
    #: Where each name starts in ``text``; one more at the end (its length).
    starts: npt.NDArray[np.int32]
    #: Where each name's entries start in the columns; one more at the end.
    first: npt.NDArray[np.int32]
    people: npt.NDArray[np.int64]
    zone_ids: npt.NDArray[np.uint16]
    code_ids: npt.NDArray[np.uint16]
    zones: tuple[str, ...]
    codes: tuple[str, ...]

    @classmethod
    def build(cls, cities: Mapping[str, Sequence[Entry]]) -> CityTable:
        names = sorted(name for name in cities if name and _SEP not in name)
        zones = tuple(sorted({z for name in names for _, z, _ in cities[name]}))
        codes = tuple(sorted({c for name in names for _, _, c in cities[name]}))
        zone_id = {z: i for i, z in enumerate(zones)}
        code_id = {c: i for i, c in enumerate(codes)}
        entries = [entry for name in names for entry in cities[name]]
        return cls(
            text="".join(name + _SEP for name in names),
            starts=np.cumsum([0, *(len(name) + 1 for name in names)], dtype=np.int64).astype(np.int32),
            first=np.cumsum([0, *(len(cities[name]) for name in names)], dtype=np.int64).astype(np.int32),
            people=np.array([p for p, _, _ in entries], dtype=np.int64),
            zone_ids=np.array([zone_id[z] for _, z, _ in entries], dtype=np.uint16),
            code_ids=np.array([code_id[c] for _, _, c in entries], dtype=np.uint16),
            zones=zones,
            codes=codes,
        )

    def __len__(self) -> int:
        return len(self.starts) - 1

    def _name(self, i: int) -> str:
        return self.text[int(self.starts[i]):int(self.starts[i + 1]) - 1]

    def get(self, name: str) -> list[Entry]:
        """The entries for ``name``, most populous first; [] when unknown."""
        low, high = 0, len(self)
        while low < high:
            mid = (low + high) // 2
            if self._name(mid) < name:
                low = mid + 1
            else:
                high = mid
        if low == len(self) or self._name(low) != name:
            return []
        return [(int(self.people[k]), self.zones[self.zone_ids[k]], self.codes[self.code_ids[k]])
                for k in range(int(self.first[low]), int(self.first[low + 1]))]
