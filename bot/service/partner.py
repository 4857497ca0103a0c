"""Linking partners against storage: invites, the link, and what each chooses to share.

Everything here runs inside the chat service's transaction for the user who
sent the event, scoped to that user's own link: an id from a button is only
ever looked up within their couple. Messages for the other partner come back
as :class:`~bot.core.messages.Notice` objects, sent after the commit. Exits
(/unlink, quick exit, /delete) and pauses send nothing to the other: they see
"not linked" the next time they look.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import replace
from datetime import datetime, time
from functools import lru_cache
from pathlib import Path

from sqlalchemy.engine import Connection

from bot.core.checkin.choices import PROMISE
from bot.core.checkin.schedule import local_date
from bot.core.dialog.schema import UiTexts
from bot.core.messages import (
    CheckIn,
    Event,
    Notice,
    Outcome,
    Reply,
    SafetyFlag,
    SaveAnswer,
    Start,
    Text,
)
from bot.core.partner import rules, views
from bot.core.partner.content import PartnerContent, load_partner
from bot.core.partner.events import (
    PARTNER_EVENTS,
    AcceptInvite,
    AnswerQuestion,
    AnswerValue,
    DeclineInvite,
    Felt,
    FeltKept,
    Invite,
    ItemKind,
    LinkStatus,
    NeedSpace,
    OpenInvite,
    QuestionEnd,
    ResumeSharing,
    SendSummary,
    SharePromise,
    ShowPartner,
    SkipQuestion,
    Unlink,
    register_buttons,
)
from bot.core.partner.views import LinkView, OpenQuestion
from bot.core.safety import check as safety_check
from bot.service.checkins import CheckinService
from bot.storage import links, users
from bot.storage.links import Member
from bot.storage.users import UserKey, UserRecord

__all__ = ["PARTNER_EVENTS", "PartnerService", "partner_content"]

log = logging.getLogger(__name__)
register_buttons()

#: users.extra: the invite this user opened last (its row id), for Accept / Decline.
OPENED = "partner_invite"
#: users.extra: the question whose answer the user is typing.
ANSWERING = "partner_answering"
#: A name for an inviter whose front end gave none (the console).
NO_NAME = "Your partner"


@lru_cache(maxsize=8)
def partner_content(directory: Path | None = None) -> PartnerContent:
    return load_partner(directory)


class PartnerService:
    def __init__(self, content: PartnerContent, ui: UiTexts, checkins: CheckinService):
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

    # --- events of their own ------------------------------------------------------

    def handle(self, conn: Connection, key: UserKey, event: Event, chat_id: int | None,
               now: datetime) -> tuple[Outcome, int, Event | None]:
        """A partner event: the outcome, the user's id, and an event to run next
        (the welcome, for someone who came in through an invite link)."""
        user = users.get_or_create(conn, key, now, chat_id=chat_id)
        me = _lock_me(conn, user.id)
        outcome, follow = self._event(conn, user, me, event, now)
        if user.discreet:
            outcome = replace(outcome, replies=views.covered(self.ui.discreet_line, outcome.replies))
        return outcome, user.id, follow

    def _event(self, conn: Connection, user: UserRecord, me: Member | None, event: Event,
               now: datetime) -> tuple[Outcome, Event | None]:
        t = self.texts
        newcomer: Event | None = Start() if not _has_role(user) else None
        if isinstance(event, Invite):
            return self._invite(conn, user, me, event, now), None
        if isinstance(event, OpenInvite):
            return self._open(conn, user, me, event, now, newcomer)
        if isinstance(event, AcceptInvite):
            return self._accept(conn, user, me, now), newcomer
        if isinstance(event, DeclineInvite):
            return self._decline(conn, user, now), newcomer
        if isinstance(event, ShowPartner):
            return _say(*views.status(t, self._view(conn, user, me, now)), *self._waiting(conn, user, me)), None
        if isinstance(event, Unlink):
            if me is None:
                return _say(Reply(t.not_linked)), None
            links.end(conn, me.couple)
            links.set_extra(conn, user.id, ANSWERING, None, now)
            return _say(Reply(t.unlinked)), None
        if me is None or not me.active:
            return _say(Reply(t.not_linked)), None
        if isinstance(event, ResumeSharing):
            return self._resume(conn, user, me, now), None
        if me.paused:
            return _say(Reply(t.share_paused)), None
        if isinstance(event, SharePromise):
            return self._share(conn, user, me, event, now), None
        if isinstance(event, FeltKept):
            return self._felt(conn, user, me, event, now), None
        if isinstance(event, AnswerQuestion):
            return self._start_answer(conn, user, me, event, now), None
        if isinstance(event, SkipQuestion):
            return self._skip(conn, user, me, event, now), None
        if isinstance(event, NeedSpace):
            return self._space(conn, user, me, now), None
        if isinstance(event, SendSummary):
            return self._summary(conn, user, me, now), None
        return _say(Reply(t.not_found)), None

    def _invite(self, conn: Connection, user: UserRecord, me: Member | None, event: Invite,
                now: datetime) -> Outcome:
        if me is not None and me.active:
            return _say(Reply(self.texts.already_linked))
        links.purge_expired(conn, now)
        token = rules.new_token()
        links.create_invite(conn, user.id, rules.token_hash(token), rules.clean_name(event.first_name) or NO_NAME,
                            secrets.randbits(62), now, now + rules.INVITE_TTL)
        return _say(*views.invite_made(self.texts, token, rules.deep_link(self.bot_username, token)))

    def _open(self, conn: Connection, user: UserRecord, me: Member | None, event: OpenInvite, now: datetime,
              newcomer: Event | None) -> tuple[Outcome, Event | None]:
        t = self.texts
        links.purge_expired(conn, now)
        invite = links.by_token(conn, rules.token_hash(event.token)) if rules.well_formed(event.token) else None
        if invite is None or invite.token_hash is None:
            return _say(Reply(t.invite_invalid)), newcomer
        if invite.user_id == user.id:
            return _say(Reply(t.invite_own)), None
        if me is not None and me.active:
            return _say(Reply(t.already_linked)), None
        links.set_extra(conn, user.id, OPENED, invite.id, now)
        return _say(*views.invite_offer(t, invite.inviter_name or NO_NAME)), None

    def _accept(self, conn: Connection, user: UserRecord, me: Member | None, now: datetime) -> Outcome:
        t = self.texts
        opened = user.extra.get(OPENED)
        links.set_extra(conn, user.id, OPENED, None, now)
        if not isinstance(opened, int) or isinstance(opened, bool):
            return _say(Reply(t.no_invite))
        if me is not None and me.active:
            return _say(Reply(t.already_linked))
        links.begin_write(conn)
        invite = links.by_id(conn, opened, lock=True)
        usable = (invite is not None and invite.status is LinkStatus.PENDING and invite.token_hash is not None
                  and invite.expires_at is not None and invite.expires_at > now and invite.user_id != user.id)
        if invite is None or not usable or not links.activate(conn, invite, user.id, now):
            return _say(Reply(t.invite_invalid))
        notice = self._notice(conn, invite.user_id, (Reply(t.accepted_notice),))
        return Outcome(replies=(Reply(t.accepted),), notices=notice)

    def _decline(self, conn: Connection, user: UserRecord, now: datetime) -> Outcome:
        opened = user.extra.get(OPENED)
        links.set_extra(conn, user.id, OPENED, None, now)
        if not isinstance(opened, int) or isinstance(opened, bool):
            return _say(Reply(self.texts.no_invite))
        invite = links.by_id(conn, opened, lock=True)
        if invite is not None and invite.user_id != user.id:
            links.burn(conn, invite.id)
        return _say(Reply(self.texts.declined))

    def _view(self, conn: Connection, user: UserRecord, me: Member | None, now: datetime) -> LinkView:
        if me is None or (me.status is LinkStatus.PENDING and me.expires_at is not None and me.expires_at <= now):
            return LinkView()
        if not me.active:
            return LinkView(LinkStatus.PENDING)
        if me.paused:
            return LinkView(LinkStatus.ACTIVE, paused=True)
        week = bool(links.felt_since(conn, user.id, me.couple, now - rules.SUMMARY_WEEK))
        return LinkView(LinkStatus.ACTIVE, False, self._unanswered(conn, user, me), summary=week)

    def _waiting(self, conn: Connection, user: UserRecord, me: Member | None) -> tuple[Reply, ...]:
        """A shared promise still waiting for this user's answer, for someone
        whose check-ins are off (or who looks before the next one)."""
        if me is None or not me.active or me.paused or me.partner_id is None:
            return ()
        partner = links.of_user(conn, me.partner_id)
        if partner is None or partner.paused:
            return ()
        promise = links.promise_to_confirm(conn, me.couple, partner.user_id, user.id)
        return (views.promise_ask(self.texts, promise.id, rules.quote(promise.text or "")),) if promise else ()

    def _resume(self, conn: Connection, user: UserRecord, me: Member, now: datetime) -> Outcome:
        links.set_paused(conn, user.id, False)
        outcome = _say(Reply(self.texts.resumed))
        question = links.open_question(conn, me.couple)
        if question is not None:
            outcome = _merge(outcome, self._maybe_reveal(conn, user, replace(me, paused=False), question.id))
        return outcome

    def _share(self, conn: Connection, user: UserRecord, me: Member, event: SharePromise, now: datetime) -> Outcome:
        found = links.own_promise(conn, user.id, event.promise)
        if found is None:
            return _say(Reply(self.texts.not_found))
        if links.own(conn, user.id, ItemKind.PROMISE, event.promise) is None:
            text, day = found
            links.add_item(conn, user_id=user.id, couple=me.couple, kind=ItemKind.PROMISE, now=now,
                           ref_id=event.promise, text=text, local_date=day)
        return _say(Reply(self.texts.shared_done))

    def _felt(self, conn: Connection, user: UserRecord, me: Member, event: FeltKept, now: datetime) -> Outcome:
        try:
            felt = Felt(event.answer)
        except ValueError:
            return _say(Reply(self.texts.not_found))
        promise = links.item(conn, event.item, me.couple, ItemKind.PROMISE)
        if promise is None or promise.user_id != me.partner_id:
            return _say(Reply(self.texts.not_found))
        if links.own(conn, user.id, ItemKind.FELT, promise.id) is None:
            # The receiver's own record: never shown to the one who promised.
            links.add_item(conn, user_id=user.id, couple=me.couple, kind=ItemKind.FELT, now=now, ref_id=promise.id,
                           value=felt.value, local_date=promise.local_date)
        return _say(Reply(self.texts.felt_saved))

    def _question(self, conn: Connection, me: Member, item_id: int, *, lock: bool = False) -> OpenQuestion | None:
        """An open question of this couple, or None (closed, someone else's, forged)."""
        if lock:
            links.begin_write(conn)
        found = links.item(conn, item_id, me.couple, ItemKind.QUESTION, lock=lock)
        if found is None or found.value is not None:
            return None
        return OpenQuestion(found.id, self.content.questions.get(found.text or "", ""))

    def _start_answer(self, conn: Connection, user: UserRecord, me: Member, event: AnswerQuestion,
                      now: datetime) -> Outcome:
        question = self._question(conn, me, event.item)
        if question is None:
            return _say(Reply(self.texts.question_closed))
        if links.own(conn, user.id, ItemKind.ANSWER, question.item) is not None:
            return _say(Reply(self.texts.question_saved))
        links.set_extra(conn, user.id, ANSWERING, question.item, now)
        return _say(views.question_prompt(self.texts, question))

    def _skip(self, conn: Connection, user: UserRecord, me: Member, event: SkipQuestion, now: datetime) -> Outcome:
        links.set_extra(conn, user.id, ANSWERING, None, now)
        question = self._question(conn, me, event.item, lock=True)
        if question is None:
            return _say(Reply(self.texts.question_closed))
        if links.own(conn, user.id, ItemKind.ANSWER, question.item) is None:
            links.add_item(conn, user_id=user.id, couple=me.couple, kind=ItemKind.ANSWER, now=now,
                           ref_id=question.item, value=AnswerValue.SKIPPED.value)
            links.close_question(conn, question.item, QuestionEnd.SKIPPED.value)
        return _say(Reply(self.texts.question_skipped))

    def _space(self, conn: Connection, user: UserRecord, me: Member, now: datetime) -> Outcome:
        if not links.space_since(conn, me.couple, user.id, self._day_start(user, now)):
            links.add_item(conn, user_id=user.id, couple=me.couple, kind=ItemKind.SPACE, now=now)
            return Outcome(replies=(Reply(self.texts.space_done),),
                           notices=self._notice_partner(conn, me, (Reply(self.texts.space_notice),)))
        return _say(Reply(self.texts.space_done))

    def _summary(self, conn: Connection, user: UserRecord, me: Member, now: datetime) -> Outcome:
        """The receiver chooses to tell the promiser how the week's promises felt:
        counts only, never which day or which promise."""
        answers = links.felt_since(conn, user.id, me.couple, now - rules.SUMMARY_WEEK)
        counts = views.summary_counts(answers)
        if not any(int(n) for n in counts.values()):
            return _say(Reply(self.texts.summary_empty))
        links.add_item(conn, user_id=user.id, couple=me.couple, kind=ItemKind.SUMMARY, now=now,
                       value="/".join(counts.values()))
        return Outcome(replies=(Reply(rules.fill(self.texts.summary_sent, **counts)),),
                       notices=self._notice_partner(conn, me, (Reply(rules.fill(self.texts.summary_notice, **counts)),)))

    # --- inside a dialog turn -------------------------------------------------------

    def before_turn(self, conn: Connection, user: UserRecord, event: Event, now: datetime) -> Outcome | None:
        """An outcome instead of the turn, or None to run the turn as usual.

        Typed text is the answer to a shared question only while one is being
        answered, and never when it is about danger: then the turn's safety
        answer comes first, and the turn's safety flag pauses sharing. A
        check-in on a day the partner asked for space is not sent at all.
        """
        answering = user.extra.get(ANSWERING)
        if answering is not None and not isinstance(event, Text):
            links.set_extra(conn, user.id, ANSWERING, None, now)
        if isinstance(event, Text) and isinstance(answering, int) and not isinstance(answering, bool):
            links.set_extra(conn, user.id, ANSWERING, None, now)
            if safety_check.check(event.text).hit:
                return None
            return self._typed_answer(conn, user, answering, event.text, now)
        if isinstance(event, CheckIn) and self._quiet_today(conn, user, now):
            return Outcome()
        return None

    def _typed_answer(self, conn: Connection, user: UserRecord, item_id: int, text: str, now: datetime) -> Outcome:
        me = _lock_me(conn, user.id)
        if me is None or not me.active or me.paused:
            return self._cover(user, _say(Reply(self.texts.not_linked if me is None else self.texts.share_paused)))
        question = self._question(conn, me, item_id, lock=True)
        if question is None:
            return self._cover(user, _say(Reply(self.texts.question_closed)))
        if links.own(conn, user.id, ItemKind.ANSWER, question.item) is None:
            links.add_item(conn, user_id=user.id, couple=me.couple, kind=ItemKind.ANSWER, now=now,
                           ref_id=question.item, text=text.strip()[:2000], value=AnswerValue.ANSWERED.value)
        revealed = self._maybe_reveal(conn, user, me, question.item)
        if not revealed.replies:
            revealed = _say(Reply(self.texts.question_saved))
        return self._cover(user, revealed)

    def _maybe_reveal(self, conn: Connection, user: UserRecord, me: Member, question_id: int) -> Outcome:
        """Show both answers to both, once: only the transaction that closes the
        question reveals it (the question row is locked, or SQLite's write lock held)."""
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

    def after_turn(self, conn: Connection, user: UserRecord, event: Event, outcome: Outcome,
                   now: datetime) -> Outcome:
        """Pause on a safety hit; offer to share a promise just made; bring what
        the partner shared to a check-in."""
        if any(isinstance(e, SafetyFlag) for e in outcome.effects):
            links.set_paused(conn, user.id, True)  # silently: the other partner is not told
            return outcome
        extra: tuple[Reply, ...] = ()
        me: Member | None = None
        if any(isinstance(e, SaveAnswer) and e.name == PROMISE for e in outcome.effects):
            me = links.of_user(conn, user.id)
            promise = links.latest_promise(conn, user.id)
            if me is not None and me.active and not me.paused and promise is not None:
                extra = (views.share_offer(self.texts, promise),)
                return _insert(outcome, len(outcome.replies) - 1, self._cover(user, _say(*extra)).replies)
        if isinstance(event, CheckIn) and outcome.replies:
            me = links.of_user(conn, user.id)
            if me is not None and me.active and not me.paused:
                extra = self._checkin_items(conn, user, me, now)
                return _insert(outcome, 1, self._cover(user, _say(*extra)).replies)
        return outcome

    def _checkin_items(self, conn: Connection, user: UserRecord, me: Member, now: datetime) -> tuple[Reply, ...]:
        """What the partner shared, and a shared question now and then."""
        partner = links.of_user(conn, me.partner_id) if me.partner_id is not None else None
        if partner is None or partner.paused:
            return ()
        replies: list[Reply] = []
        promise = links.promise_to_confirm(conn, me.couple, partner.user_id, user.id)
        if promise is not None:
            replies.append(views.promise_ask(self.texts, promise.id, rules.quote(promise.text or "")))
        question = self._unanswered(conn, user, me) or self._new_question(conn, user, me, now)
        if question is not None:
            replies.append(views.question_offer(self.texts, question))
        return tuple(replies)

    def _unanswered(self, conn: Connection, user: UserRecord, me: Member) -> OpenQuestion | None:
        found = links.open_question(conn, me.couple)
        if found is None or links.own(conn, user.id, ItemKind.ANSWER, found.id) is not None:
            return None
        return OpenQuestion(found.id, self.content.questions.get(found.text or "", ""))

    def _question_due(self, conn: Connection, me: Member, now: datetime) -> bool:
        if links.any_space_since(conn, me.couple, now - rules.INVITE_TTL):
            return False
        asked = links.questions(conn, me.couple)
        return not asked or asked[-1].created_at <= now - rules.QUESTION_EVERY

    def _new_question(self, conn: Connection, user: UserRecord, me: Member, now: datetime) -> OpenQuestion | None:
        """Put a new question to both, if one is due. The couple's rows are
        locked before anything is read, so two instances checking both
        partners in at once create one question, not two: the one that waited
        finds the other's, and offers that."""
        links.begin_write(conn)
        links.lock_couple(conn, me.couple)
        if links.open_question(conn, me.couple) is not None:
            return self._unanswered(conn, user, me)
        if not self._question_due(conn, me, now):
            return None
        asked = len(links.questions(conn, me.couple))
        key = rules.next_question(self.content.questions, asked)
        item = links.add_item(conn, user_id=None, couple=me.couple, kind=ItemKind.QUESTION, now=now, text=key,
                              local_date=now.date())
        return OpenQuestion(item, self.content.questions[key])

    def _quiet_today(self, conn: Connection, user: UserRecord, now: datetime) -> bool:
        """The partner asked for space today (the user's own calendar day): no nudges."""
        me = links.of_user(conn, user.id)
        if me is None or not me.active or me.partner_id is None:
            return False
        partner = links.of_user(conn, me.partner_id)
        if partner is None or partner.paused or me.paused:
            return False
        return links.space_since(conn, me.couple, me.partner_id, self._day_start(user, now))

    def _day_start(self, user: UserRecord, now: datetime) -> datetime:
        tz = self.checkins.settings_of(user.checkin_time, user.timezone).tz
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
        if to.discreet:
            replies = views.covered(self.ui.discreet_line, replies)
        return (Notice(to.user_id, to.channel, to.external_id, to.chat_id, replies),)

    def _cover(self, user: UserRecord, outcome: Outcome) -> Outcome:
        if not user.discreet:
            return outcome
        return replace(outcome, replies=views.covered(self.ui.discreet_line, outcome.replies))


def _lock_me(conn: Connection, user_id: int) -> Member | None:
    """The user's side of their link, with both sides locked, always in the
    same order (by row id) and always before any shared item: two instances
    working for the two partners at once then wait for each other instead of
    deadlocking."""
    found = links.of_user(conn, user_id)
    if found is None:
        return None
    links.begin_write(conn)
    return next((m for m in links.lock_couple(conn, found.couple) if m.user_id == user_id), None)


def _has_role(user: UserRecord) -> bool:
    return isinstance(user.state, dict) and bool(user.state.get("role"))


def _say(*replies: Reply) -> Outcome:
    return Outcome(replies=tuple(replies))


def _merge(first: Outcome, second: Outcome) -> Outcome:
    return replace(first, replies=first.replies + second.replies, notices=first.notices + second.notices)


def _insert(outcome: Outcome, at: int, replies: tuple[Reply, ...]) -> Outcome:
    if not replies:
        return outcome
    at = max(0, min(at, len(outcome.replies)))
    return replace(outcome, replies=outcome.replies[:at] + replies + outcome.replies[at:])
