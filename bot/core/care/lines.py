"""Help lines under every "I don't feel safe" step, for the user's own country.

A step tagged ``help_lines: true`` gets the numbers at once, instead of
"type what's happening and I'll share help lines": help should not depend on
typing the right words. The country comes from the user's time zone; a tap
in this very turn (the country picker) counts already. With no country to go
on, the general lines come with a one-tap way to give one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING

from bot.core.care.events import CareView, OpenCare
from bot.core.checkin import places
from bot.core.checkin.names import Choice, TypedAnswer
from bot.core.dialog.engine import Step
from bot.core.messages import Button, Effect, Reply, SaveAnswer, SaveChoice
from bot.core.profile import Profile
from bot.core.safety.resources import country_key, resources_for
from bot.core.safety.respond import format_resource

if TYPE_CHECKING:
    from bot.core.turn import Brain


def zone_after(profile: Profile, effects: Iterable[Effect]) -> str | None:
    """The user's time zone once this turn's effects are stored."""
    zone = profile.timezone
    for effect in effects:
        if isinstance(effect, SaveChoice) and effect.name == Choice.TIMEZONE:
            zone = effect.value
        elif isinstance(effect, SaveAnswer) and effect.name == TypedAnswer.TIMEZONE:
            zone = places.resolve(effect.text).zone or zone
    return zone


def country_of(brain: Brain, zone: str | None) -> str | None:
    """The ISO code of the zone's country, when the bot has help lines for it."""
    code = country_key(brain.zone_countries.get(zone or ""))
    if code is None:
        return None
    known = {country_key(k) for k in (*brain.safety.resources, *brain.resource_overrides)}
    return code if code in known else None


def help_lines(brain: Brain, country: str | None) -> str:
    """The header and one line per service, for ``country`` or the general list."""
    care = brain.graph.care
    texts = brain.safety.texts
    resources = resources_for(country, brain.resource_overrides, catalogue=brain.safety.resources)
    header = (care.lines_header if country else care.lines_generic) if care else texts.resources_header
    return header + "\n" + "\n".join(format_resource(r, texts) for r in resources)


def with_help_lines(brain: Brain, step: Step, profile: Profile) -> Step:
    """Add the help lines when the step rests on a ``help_lines`` node."""
    node = brain.graph.nodes.get(step.state.node or "")
    replies = step.outcome.replies
    if node is None or not node.help_lines or not replies:
        return step
    country = country_of(brain, zone_after(profile, step.outcome.effects))
    *before, last = replies
    care = brain.graph.care
    if country is None and care is not None:
        picker = Button(care.pick_country_button, OpenCare(CareView.COUNTRY.value))
        last = replace(last, buttons=(picker, *last.buttons))
    lines = Reply(help_lines(brain, country))
    return Step(step.state, replace(step.outcome, replies=(*before, lines, last)))
