"""The last step every outcome passes before a front end shows it.

One function for every reply the bot sends, dialog and privacy alike, so a
setting that changes how messages look (discreet mode) cannot be forgotten
on one path.
"""

from __future__ import annotations

from dataclasses import replace

from bot.core.dialog.schema import UiTexts
from bot.core.messages import Outcome


def render(outcome: Outcome, ui: UiTexts, *, discreet: bool) -> Outcome:
    """Discreet mode: every message opens with the same neutral line and is
    marked to be hidden, so a glance at a lock screen shows nothing telling."""
    if not discreet or not outcome.replies:
        return outcome
    line = ui.discreet_line
    replies = tuple(replace(r, text=f"{line}\n\n{r.text}", discreet=True) for r in outcome.replies)
    return replace(outcome, replies=replies)
