"""Help lines and emergency numbers, and which ones a user should see.

A resource is plain data so the bot's config can add or replace a country's
list without touching code; the built-in lists come from ``safety.yaml``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

#: The key for resources shown when the user's country is unknown or not listed.
DEFAULT = "default"

#: Codes people use that are not the ISO 3166 code.
_ALIASES = {"UK": "GB", "EN": "GB"}


@dataclass(frozen=True)
class Resource:
    """One service a person in danger can reach.

    At least one of ``phone``, ``sms``, ``url`` or ``note`` says how.
    ``topics`` limits it to some danger categories; empty means all of them.
    """

    name: str
    phone: str | None = None
    #: What to text and where, as people read it: "START to 88788".
    sms: str | None = None
    url: str | None = None
    #: Free text for what has no number here: "your local emergency number".
    note: str | None = None
    country: str = DEFAULT
    topics: tuple[str, ...] = ()

    def serves(self, categories: Sequence[str]) -> bool:
        """Whether this resource fits any of the categories (always, if it has no topics)."""
        return not self.topics or any(c in self.topics for c in categories)


Catalogue = Mapping[str, Sequence[Resource]]


def country_key(country_code: str | None) -> str | None:
    """An ISO 3166 alpha-2 code in upper case, or None for anything else."""
    if not country_code:
        return None
    code = country_code.strip().upper()
    code = _ALIASES.get(code, code)
    return code if len(code) == 2 and code.isalpha() else None


def resources_for(
    country_code: str | None,
    overrides: Catalogue | None = None,
    *,
    catalogue: Catalogue,
) -> list[Resource]:
    """The resources for a country, else the default ones.

    ``overrides`` (from the bot's config) wins per key: a country listed there
    replaces the built-in list for that country, or adds a country that has
    none; ``"default"`` there replaces the fallback list.
    """
    merged: dict[str, Sequence[Resource]] = dict(catalogue)
    for key, resources in (overrides or {}).items():
        merged[key if key == DEFAULT else (country_key(key) or key)] = resources
    code = country_key(country_code)
    if code is not None and merged.get(code):
        return list(merged[code])
    return list(merged.get(DEFAULT, ()))
