"""Export, deletion, quick exit and admin counts: the user's control over their data.

These need the database, so they live in the service layer, not the pure
core; the words come from the dialog content (``ui`` in common.yaml).
"""

from __future__ import annotations

import json

from sqlalchemy.engine import Connection

from bot.core.dialog.schema import UiTexts
from bot.core.identity import UserKey
from bot.core.messages import (
    AskDelete,
    Button,
    ConfirmDelete,
    Event,
    ExportData,
    OpenMenu,
    Outcome,
    QuickExit,
    Reply,
    ShowStats,
)
from bot.core.quick_exit import ids_to_erase
from bot.storage import privacy, users


def handle_privacy(
    conn: Connection, ui: UiTexts, key: UserKey, event: Event, *, is_admin: bool, incoming: int | None,
    shown: int | None = None,
) -> Outcome:
    """Run a privacy event in the caller's transaction. Never creates a user.
    ``incoming``: the user's message; ``shown``: the message whose button was pressed."""
    if isinstance(event, ShowStats):
        if not is_admin:
            return Outcome(replies=(Reply(ui.not_admin),))
        lines = [f"{name}: {count}" for name, count in privacy.counts(conn).items()]
        return Outcome(replies=(Reply("\n".join(lines)),))
    user = users.find(conn, key, lock=True)
    if isinstance(event, QuickExit):
        # Delete the data first: if erasing the screen is cut short, nothing is kept.
        ids = privacy.message_ids(conn, user.id) if user else []
        if user:
            privacy.delete_user(conn, user.id)
        newest = max((i for i in (incoming, shown) if i is not None), default=None)
        return Outcome(erase=ids_to_erase(ids, newest))
    if user is None:
        return Outcome(replies=(Reply(ui.nothing_stored),))
    if isinstance(event, ExportData):
        document = json.dumps(privacy.export_user(conn, user.id), ensure_ascii=False, indent=2)
        return Outcome(replies=(Reply(ui.export_caption, document=("trustbot-export.json", document.encode())),))
    if isinstance(event, AskDelete):
        buttons = (Button(ui.delete_yes, ConfirmDelete()), Button(ui.delete_no, OpenMenu()))
        return Outcome(replies=(Reply(ui.delete_confirm, buttons),))
    privacy.delete_user(conn, user.id)
    return Outcome(replies=(Reply(ui.deleted),))
