"""The two roles and the article's ten sections: one definition for all.

The YAML schema validates against these, the engine keeps them in its state,
and storage writes their values; as ``StrEnum`` members they compare equal to
the strings in content files and in stored JSON, so nothing needs converting.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """Whose side of the betrayal the user is on; each has its own guide."""

    BROKE_TRUST = "broke_trust"
    HURT_PARTNER = "hurt_partner"


class Section(StrEnum):
    """The article's sections, in the article's order."""

    WHAT_IS_TRUST = "what_is_trust"
    HOW_TRUST_BREAKS = "how_trust_breaks"
    TAKE_RESPONSIBILITY = "take_responsibility"
    OPEN_COMMUNICATION = "open_communication"
    HEALING_HURT = "healing_hurt"
    ACTIONS_NOT_WORDS = "actions_not_words"
    FORGIVENESS = "forgiveness"
    INTIMACY = "intimacy"
    WALK_AWAY = "walk_away"
    NEW_BEGINNING = "new_beginning"


ROLES: tuple[Role, ...] = tuple(Role)
SECTIONS: tuple[Section, ...] = tuple(Section)


def role_of(value: object) -> Role | None:
    """A stored or typed value as a role; None for anything else (old or forged data)."""
    try:
        return Role(value) if isinstance(value, str) else None
    except ValueError:
        return None
