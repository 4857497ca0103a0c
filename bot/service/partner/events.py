"""Partner events of their own: invites, consent, /partner, unlink, and each thing one may send.

Each runs in the chat service's transaction for the user who sent it, scoped
to that user's own link; an id from a button is looked up only within it.
"""

from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import datetime

from sqlalchemy.engine import Connection

from bot.core.messages import Event, Outcome, Reply, Start
from bot.core.partner import rules, views
from bot.core.partner.events import (
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
)
from bot.core.partner.views import LinkView
from bot.service.partner.base import (
    ANSWERING,
    NO_NAME,
    OPENED,
    PartnerBase,
    has_role,
    lock_me,
    merge,
    opened_invite,
    say,
)
from bot.storage import links, users
from bot.storage.links import Member
from bot.storage.users import UserKey, UserRecord


class PartnerEvents(PartnerBase):
    """Partner events: each answers the user who sent it, and may carry a notice for their partner."""

    def handle(self, conn: Connection, key: UserKey, event: Event, chat_id: int | None,
               now: datetime) -> tuple[Outcome, int, Event | None]:
        """A partner event: the outcome, the user's id, and an event to run next
        (the welcome, for someone who came in through an invite link)."""
        user = users.get_or_create(conn, key, now, chat_id=chat_id)
        # Consent locks the invite's row too, with the user's own, in one go (see lock_me).
        consent = isinstance(event, AcceptInvite | DeclineInvite)
        me = lock_me(conn, user.id, invite=opened_invite(user) if consent else None)
        outcome, follow = self._event(conn, user, me, event, now)
        return outcome, user.id, follow

    def _event(self, conn: Connection, user: UserRecord, me: Member | None, event: Event,
               now: datetime) -> tuple[Outcome, Event | None]:
        t = self.texts
        newcomer: Event | None = Start() if not has_role(user) else None
        if isinstance(event, Invite):
            return self._invite(conn, user, me, event, now), None
        if isinstance(event, OpenInvite):
            return self._open(conn, user, me, event, now, newcomer)
        if isinstance(event, AcceptInvite):
            return self._accept(conn, user, me, now), newcomer
        if isinstance(event, DeclineInvite):
            return self._decline(conn, user, now), newcomer
        if isinstance(event, ShowPartner):
            return say(*views.status(t, self._view(conn, user, me, now)), *self._waiting(conn, user, me)), None
        if isinstance(event, Unlink):
            if me is None:
                return say(Reply(t.not_linked)), None
            links.end(conn, me.couple)
            links.set_extra(conn, user.id, ANSWERING, None, now)
            return say(Reply(t.unlinked)), None
        if me is None or not me.active:
            return say(Reply(t.not_linked)), None
        if isinstance(event, ResumeSharing):
            return self._resume(conn, user, me, now), None
        if me.paused:
            return say(Reply(t.share_paused)), None
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
        return say(Reply(t.not_found)), None

    def _invite(self, conn: Connection, user: UserRecord, me: Member | None, event: Invite,
                now: datetime) -> Outcome:
        if me is not None and me.active:
            return say(Reply(self.texts.already_linked))
        links.purge_expired(conn, now)
        token = rules.new_token()
        links.create_invite(conn, user.id, rules.token_hash(token), rules.clean_name(event.first_name) or NO_NAME,
                            secrets.randbits(62), now, now + rules.INVITE_TTL)
        return say(*views.invite_made(self.texts, token, rules.deep_link(self.bot_username, token)))

    def _open(self, conn: Connection, user: UserRecord, me: Member | None, event: OpenInvite, now: datetime,
              newcomer: Event | None) -> tuple[Outcome, Event | None]:
        t = self.texts
        links.purge_expired(conn, now)
        invite = links.by_token(conn, rules.token_hash(event.token)) if rules.well_formed(event.token) else None
        if invite is None or invite.token_hash is None:
            return say(Reply(t.invite_invalid)), newcomer
        if invite.user_id == user.id:
            return say(Reply(t.invite_own)), None
        if me is not None and me.active:
            return say(Reply(t.already_linked)), None
        links.set_extra(conn, user.id, OPENED, invite.id, now)
        return say(*views.invite_offer(t, invite.inviter_name or NO_NAME)), None

    def _accept(self, conn: Connection, user: UserRecord, me: Member | None, now: datetime) -> Outcome:
        """Accept the invite the user opened. Its row and the user's own are
        already locked together (:func:`lock_me`), so of two partners
        accepting each other's invites at once, the second finds the first's
        link made: they are linked with the very person whose invite they
        accepted, which is what they asked for, and they are told so."""
        t = self.texts
        opened = opened_invite(user)
        links.set_extra(conn, user.id, OPENED, None, now)
        if opened is None:
            return say(Reply(t.no_invite))
        invite = links.by_id(conn, opened, lock=True)
        if me is not None and me.active:
            crossed = (invite is not None and invite.active and invite.user_id == me.partner_id
                       and invite.partner_id == user.id)
            return say(Reply(t.accepted if crossed else t.already_linked))
        usable = (invite is not None and invite.status is LinkStatus.PENDING and invite.token_hash is not None
                  and invite.expires_at is not None and invite.expires_at > now and invite.user_id != user.id)
        if invite is None or not usable or not links.activate(conn, invite, user.id, now):
            return say(Reply(t.invite_invalid))
        notice = self._notice(conn, invite.user_id, (Reply(t.accepted_notice),))
        return Outcome(replies=(Reply(t.accepted),), notices=notice)

    def _decline(self, conn: Connection, user: UserRecord, now: datetime) -> Outcome:
        opened = opened_invite(user)
        links.set_extra(conn, user.id, OPENED, None, now)
        if opened is None:
            return say(Reply(self.texts.no_invite))
        invite = links.by_id(conn, opened, lock=True)
        if invite is not None and invite.user_id != user.id:
            links.burn(conn, invite.id)
        return say(Reply(self.texts.declined))

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
        outcome = say(Reply(self.texts.resumed))
        question = links.open_question(conn, me.couple)
        if question is not None:
            outcome = merge(outcome, self._maybe_reveal(conn, user, replace(me, paused=False), question.id))
        return outcome

    def _share(self, conn: Connection, user: UserRecord, me: Member, event: SharePromise, now: datetime) -> Outcome:
        found = links.own_promise(conn, user.id, event.promise)
        if found is None:
            return say(Reply(self.texts.not_found))
        if links.own(conn, user.id, ItemKind.PROMISE, event.promise) is None:
            text, day = found
            links.add_item(conn, user_id=user.id, couple=me.couple, kind=ItemKind.PROMISE, now=now,
                           ref_id=event.promise, text=text, local_date=day)
        return say(Reply(self.texts.shared_done))

    def _felt(self, conn: Connection, user: UserRecord, me: Member, event: FeltKept, now: datetime) -> Outcome:
        try:
            felt = Felt(event.answer)
        except ValueError:
            return say(Reply(self.texts.not_found))
        promise = links.item(conn, event.item, me.couple, ItemKind.PROMISE)
        if promise is None or promise.user_id != me.partner_id:
            return say(Reply(self.texts.not_found))
        if links.own(conn, user.id, ItemKind.FELT, promise.id) is None:
            # The receiver's own record: never shown to the one who promised.
            links.add_item(conn, user_id=user.id, couple=me.couple, kind=ItemKind.FELT, now=now, ref_id=promise.id,
                           value=felt.value, local_date=promise.local_date)
        return say(Reply(self.texts.felt_saved))

    def _start_answer(self, conn: Connection, user: UserRecord, me: Member, event: AnswerQuestion,
                      now: datetime) -> Outcome:
        question = self._question(conn, me, event.item)
        if question is None:
            return say(Reply(self.texts.question_closed))
        if links.own(conn, user.id, ItemKind.ANSWER, question.item) is not None:
            return say(Reply(self.texts.question_saved))
        links.set_extra(conn, user.id, ANSWERING, question.item, now)
        return say(views.question_prompt(self.texts, question))

    def _skip(self, conn: Connection, user: UserRecord, me: Member, event: SkipQuestion, now: datetime) -> Outcome:
        links.set_extra(conn, user.id, ANSWERING, None, now)
        question = self._question(conn, me, event.item, lock=True)
        if question is None:
            return say(Reply(self.texts.question_closed))
        if links.own(conn, user.id, ItemKind.ANSWER, question.item) is None:
            links.add_item(conn, user_id=user.id, couple=me.couple, kind=ItemKind.ANSWER, now=now,
                           ref_id=question.item, value=AnswerValue.SKIPPED.value)
            links.close_question(conn, question.item, QuestionEnd.SKIPPED.value)
        return say(Reply(self.texts.question_skipped))

    def _space(self, conn: Connection, user: UserRecord, me: Member, now: datetime) -> Outcome:
        if not links.space_since(conn, me.couple, user.id, self._day_start(user, now)):
            links.add_item(conn, user_id=user.id, couple=me.couple, kind=ItemKind.SPACE, now=now)
            return Outcome(replies=(Reply(self.texts.space_done),),
                           notices=self._notice_partner(conn, me, (Reply(self.texts.space_notice),)))
        return say(Reply(self.texts.space_done))

    def _summary(self, conn: Connection, user: UserRecord, me: Member, now: datetime) -> Outcome:
        """The receiver chooses to tell the promiser how the week's promises felt:
        counts only, never which day or which promise."""
        answers = links.felt_since(conn, user.id, me.couple, now - rules.SUMMARY_WEEK)
        counts = views.summary_counts(answers)
        if not any(int(n) for n in counts.values()):
            return say(Reply(self.texts.summary_empty))
        links.add_item(conn, user_id=user.id, couple=me.couple, kind=ItemKind.SUMMARY, now=now,
                       value="/".join(counts.values()))
        notice = Reply(rules.fill(self.texts.summary_notice, **counts))
        return Outcome(replies=(Reply(rules.fill(self.texts.summary_sent, **counts)),),
                       notices=self._notice_partner(conn, me, (notice,)))

