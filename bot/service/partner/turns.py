"""The partner service inside a dialog turn: typed answers, safety pauses, check-ins.

Safety comes first here as everywhere: text about danger is never filed as
an answer, and the turn's safety flag pauses everything shared to or from
the user, without a word to the other partner.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.engine import Connection

from bot.core.checkin.names import TypedAnswer
from bot.core.messages import (
    CheckIn,
    Event,
    Outcome,
    Reply,
    SafetyFlag,
    SaveAnswer,
    Text,
)
from bot.core.partner import rules, views
from bot.core.partner.events import AnswerValue, ItemKind
from bot.core.partner.views import OpenQuestion
from bot.core.safety import check as safety_check
from bot.service.partner.base import ANSWERING, PartnerBase, insert, lock_me, say
from bot.storage import links
from bot.storage.links import Member
from bot.storage.users import UserRecord


class PartnerTurns(PartnerBase):
    """The hooks the chat service calls around an ordinary turn."""

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
        me = lock_me(conn, user.id)
        if me is None or not me.active or me.paused:
            return say(Reply(self.texts.not_linked if me is None else self.texts.share_paused))
        question = self._question(conn, me, item_id, lock=True)
        if question is None:
            return say(Reply(self.texts.question_closed))
        if links.own(conn, user.id, ItemKind.ANSWER, question.item) is None:
            links.add_item(conn, user_id=user.id, couple=me.couple, kind=ItemKind.ANSWER, now=now,
                           ref_id=question.item, text=text.strip()[:2000], value=AnswerValue.ANSWERED.value)
        revealed = self._maybe_reveal(conn, user, me, question.item)
        if not revealed.replies:
            revealed = say(Reply(self.texts.question_saved))
        return revealed

    def after_turn(self, conn: Connection, user: UserRecord, event: Event, outcome: Outcome,
                   now: datetime) -> Outcome:
        """Pause on a safety hit; offer to share a promise just made; bring what
        the partner shared to a check-in (after its plain first line)."""
        if any(isinstance(e, SafetyFlag) for e in outcome.effects):
            links.set_paused(conn, user.id, True)  # silently: the other partner is not told
            return outcome
        made_promise = any(isinstance(e, SaveAnswer) and e.name == TypedAnswer.PROMISE for e in outcome.effects)
        checking_in = isinstance(event, CheckIn) and bool(outcome.replies)
        if not (made_promise or checking_in):
            return outcome
        me = links.of_user(conn, user.id)
        if me is None or not me.active or me.paused:
            return outcome
        if made_promise:
            promise = links.latest_promise(conn, user.id)
            if promise is None:
                return outcome
            offer = say(views.share_offer(self.texts, promise)).replies
            return insert(outcome, len(outcome.replies) - 1, offer)
        items = say(*self._checkin_items(conn, user, me, now)).replies
        return insert(outcome, 1, items)

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

    def _question_due(self, conn: Connection, me: Member, now: datetime) -> bool:
        if links.any_space_since(conn, me.couple, now - rules.SPACE_QUIET):
            return False
        asked = links.questions(conn, me.couple)
        return not asked or asked[-1].created_at <= now - rules.QUESTION_EVERY

    def _quiet_today(self, conn: Connection, user: UserRecord, now: datetime) -> bool:
        """The partner asked for space today (the user's own calendar day): no nudges."""
        me = links.of_user(conn, user.id)
        if me is None or not me.active or me.partner_id is None:
            return False
        partner = links.of_user(conn, me.partner_id)
        if partner is None or partner.paused or me.paused:
            return False
        return links.space_since(conn, me.couple, me.partner_id, self._day_start(user, now))

