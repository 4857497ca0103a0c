"""What both halves of the partner service share: words, questions, notices, small helpers."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, time

from sqlalchemy.engine import Connection

from bot.core.checkin.schedule import local_date
from bot.core.dialog.schema import UiTexts
from bot.core.messages import Notice, Outcome, Reply
from bot.core.partner import views
from bot.core.partner.content import PartnerContent
from bot.core.partner.events import AnswerValue, ItemKind, QuestionEnd
from bot.core.partner.views import OpenQuestion
from bot.core.render import render
from bot.service.checkins import CheckinHooks
from bot.storage import links
from bot.storage.links import Member
from bot.storage.users import UserRecord

#: users.extra: the invite this user opened last (its row id), for Accept / Decline.
OPENED = "partner_invite"
#: users.extra: the question whose answer the user is typing.
ANSWERING = "partner_answering"
#: A name for an inviter whose front end gave none (the console).
NO_NAME = "Your partner"


class PartnerBase:
    """The partner service's state and the helpers both its halves use."""

    def __init__(self, content: PartnerContent, ui: UiTexts, checkins: CheckinHooks):
        self.content = content
        self.texts = content.texts
        self.ui = ui
        self.checkins = checkins
        #: The bot's Telegram username, for t.me deep links; None shows the token form (console).
        self.bot_username: str | None = None

    def use(self, content: PartnerContent) -> None:
        """Words from the configured dialogs folder instead of the shipped ones."""
        self.content = content
        self.texts = content.texts

    def _question(self, conn: Connection, me: Member, item_id: int, *, lock: bool = False) -> OpenQuestion | None:
        """An open question of this couple, or None (closed, someone else's, forged)."""
        if lock:
            links.begin_write(conn)
        found = links.item(conn, item_id, me.couple, ItemKind.QUESTION, lock=lock)
        if found is None or found.value is not None:
            return None
        return OpenQuestion(found.id, self.content.questions.get(found.text or "", ""))

    def _unanswered(self, conn: Connection, user: UserRecord, me: Member) -> OpenQuestion | None:
        found = links.open_question(conn, me.couple)
        if found is None or links.own(conn, user.id, ItemKind.ANSWER, found.id) is not None:
            return None
        return OpenQuestion(found.id, self.content.questions.get(found.text or "", ""))

    def _maybe_reveal(self, conn: Connection, user: UserRecord, me: Member, question_id: int) -> Outcome:
        """Show both answers to both, once: only the transaction that closes the
        question (``value IS NULL`` -> revealed) reveals it. Both sides of the
        link are locked first (PostgreSQL; SQLite holds its write lock), so
        the second of two answers typed at once sees the first."""
        both = links.lock_couple(conn, me.couple)
        if len(both) != 2 or any(m.paused for m in both):
            return Outcome()
        answers = {a.user_id: a for a in links.answers(conn, question_id, me.couple)}
        mine, theirs = answers.get(user.id), answers.get(me.partner_id)
        if mine is None or theirs is None or AnswerValue.SKIPPED.value in (mine.value, theirs.value):
            return Outcome()
        if not links.close_question(conn, question_id, QuestionEnd.REVEALED.value):
            return Outcome()
        question = links.item(conn, question_id, me.couple, ItemKind.QUESTION)
        wording = self.content.questions.get(question.text or "", "") if question else ""
        to_me = views.reveal(self.texts, wording, mine.text or "", theirs.text or "")
        to_them = views.reveal(self.texts, wording, theirs.text or "", mine.text or "")
        return Outcome(replies=(to_me,), notices=self._notice_partner(conn, me, (to_them,)))

    def _day_start(self, user: UserRecord, now: datetime) -> datetime:
        tz = self.checkins.config.schedule_of(user.checkin_time, user.timezone).tz
        return datetime.combine(local_date(now, tz), time(0), tzinfo=tz)

    # --- messages for the other partner ----------------------------------------------

    def _notice_partner(self, conn: Connection, me: Member, replies: tuple[Reply, ...]) -> tuple[Notice, ...]:
        """Nothing reaches a partner whose sharing is paused, and the sender is not told."""
        if me.partner_id is None or me.paused:
            return ()
        partner = links.of_user(conn, me.partner_id)
        if partner is None or partner.paused or partner.couple != me.couple:
            return ()
        return self._notice(conn, me.partner_id, replies)

    def _notice(self, conn: Connection, user_id: int, replies: tuple[Reply, ...]) -> tuple[Notice, ...]:
        to = links.contact(conn, user_id)
        if to is None or not to.active:
            return ()
        # Rendered here for the one who receives it: their discreet mode, not the sender's.
        replies = render(Outcome(replies=replies), self.ui, discreet=to.discreet).replies
        return (Notice(to.user_id, to.channel, to.external_id, to.chat_id, replies),)



def lock_me(conn: Connection, user_id: int, *, invite: int | None = None) -> Member | None:
    """The user's side of their link, with both sides locked, always in the
    same order (by row id) and always before any shared item: two instances
    working for the two partners at once then wait for each other instead of
    deadlocking.

    ``invite`` is the invite being accepted or declined: its row is locked in
    the same statement as the user's own. Locked one after the other, two
    partners accepting each other's invites at once each held their own row
    and waited for the other's: a deadlock, and one of them got an error."""
    found = links.of_user(conn, user_id)
    if found is None and invite is None:
        return None
    links.begin_write(conn)
    ids = () if invite is None else (invite,)
    if found is None:
        locked = links.lock(conn, ids=ids)
    else:
        # The row itself by id as well: its couple may change before the lock is granted.
        locked = links.lock(conn, couples=(found.couple,), ids=(found.id, *ids))
    me = next((m for m in locked if m.user_id == user_id), None)
    if me is not None and found is not None and me.couple != found.couple:
        # Linked elsewhere meanwhile (this user's accept on another instance): the new
        # partner's side too. Out of order, but rare; Database.run retries a deadlock.
        links.lock_couple(conn, me.couple)
    return me


def opened_invite(user: UserRecord) -> int | None:
    """The row id of the invite this user opened last, if any."""
    opened = user.extra.get(OPENED)
    return opened if isinstance(opened, int) and not isinstance(opened, bool) else None


def has_role(user: UserRecord) -> bool:
    return isinstance(user.state, dict) and bool(user.state.get("role"))


def say(*replies: Reply) -> Outcome:
    return Outcome(replies=tuple(replies))


def merge(first: Outcome, second: Outcome) -> Outcome:
    return replace(first, replies=first.replies + second.replies, notices=first.notices + second.notices)


def insert(outcome: Outcome, at: int, replies: tuple[Reply, ...]) -> Outcome:
    if not replies:
        return outcome
    at = max(0, min(at, len(outcome.replies)))
    return replace(outcome, replies=outcome.replies[:at] + replies + outcome.replies[at:])
