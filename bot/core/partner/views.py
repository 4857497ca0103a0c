"""What a person sees of their link: pure functions from facts to replies."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.messages import Button, Reply
from bot.core.partner.content import PartnerTexts
from bot.core.partner.events import (
    AcceptInvite,
    AnswerQuestion,
    DeclineInvite,
    Felt,
    FeltKept,
    LinkStatus,
    NeedSpace,
    ResumeSharing,
    SendSummary,
    SharePromise,
    SkipQuestion,
    Unlink,
)
from bot.core.partner.rules import fill


@dataclass(frozen=True)
class OpenQuestion:
    item: int
    text: str


@dataclass(frozen=True)
class LinkView:
    """One member's side, as /partner shows it. Never anything of the other's."""

    status: LinkStatus | None = None
    paused: bool = False
    question: OpenQuestion | None = None
    #: The user has "did it feel kept?" answers from this week they could send.
    summary: bool = False


def status(texts: PartnerTexts, view: LinkView) -> tuple[Reply, ...]:
    if view.status is None:
        return (Reply(texts.status_none), Reply(texts.shared))
    if view.status is LinkStatus.PENDING:
        return (Reply(texts.status_pending), Reply(texts.shared))
    buttons: list[Button] = []
    lines = [texts.status_linked]
    if view.paused:
        lines.append(texts.status_paused)
        buttons.append(Button(texts.resume_button, ResumeSharing()))
    else:
        if view.question is not None:
            buttons.append(Button(texts.answer_button, AnswerQuestion(view.question.item)))
        if view.summary:
            buttons.append(Button(texts.summary_button, SendSummary()))
        buttons.append(Button(texts.space_button, NeedSpace()))
    buttons.append(Button(texts.unlink_button, Unlink()))
    return (Reply("\n\n".join(lines)), Reply(texts.shared, tuple(buttons)))


def invite_made(texts: PartnerTexts, token: str, link: str | None) -> tuple[Reply, ...]:
    if link is None:
        return (Reply(fill(texts.invite_made, link=fill(texts.invite_console, token=token))),
                Reply(texts.shared))
    return (Reply(fill(texts.invite_made, link=link)), Reply(texts.shared))


def invite_offer(texts: PartnerTexts, name: str) -> tuple[Reply, ...]:
    buttons = (Button(texts.accept_button, AcceptInvite()), Button(texts.decline_button, DeclineInvite()))
    return (Reply(fill(texts.invite_open, name=name)), Reply(texts.shared),
            Reply(texts.invite_choice, buttons))


def share_offer(texts: PartnerTexts, promise_id: int) -> Reply:
    return Reply(texts.share_offer, (Button(texts.share_button, SharePromise(promise_id)),))


def promise_ask(texts: PartnerTexts, item: int, promise: str) -> Reply:
    labels = ((Felt.YES, texts.felt_yes), (Felt.PARTLY, texts.felt_partly), (Felt.NO, texts.felt_no),
              (Felt.SKIP, texts.felt_skip))
    return Reply(fill(texts.promise_ask, promise=promise),
                 tuple(Button(label, FeltKept(item, felt.value)) for felt, label in labels))


def question_offer(texts: PartnerTexts, question: OpenQuestion) -> Reply:
    return Reply(fill(texts.question_offer, question=question.text),
                 (Button(texts.answer_button, AnswerQuestion(question.item)),
                  Button(texts.skip_button, SkipQuestion(question.item))))


def question_prompt(texts: PartnerTexts, question: OpenQuestion) -> Reply:
    return Reply(fill(texts.question_prompt, question=question.text),
                 (Button(texts.skip_button, SkipQuestion(question.item)),))


def reveal(texts: PartnerTexts, question: str, mine: str, theirs: str) -> Reply:
    return Reply(fill(texts.question_reveal, question=question, mine=mine, theirs=theirs))


def summary_counts(answers: list[str]) -> dict[str, str]:
    """yes / partly / no counts of "did it feel kept?" answers (skips are not counted)."""
    return {"kept": str(answers.count(Felt.YES.value)), "partly": str(answers.count(Felt.PARTLY.value)),
            "missed": str(answers.count(Felt.NO.value))}
