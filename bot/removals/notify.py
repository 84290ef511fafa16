"""A removal's notices in Slack's words (flows/removals/notices.py decides who is told what): each rendered when it
is delivered, from the decision as stored and the status the notice reports."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

from sqlalchemy.orm import Session

from bot import render
from bot.removals import messages
from bot.removals.reviews import review_text
from flows.outbox import Destination, NoticeKind
from flows.outbox.worker import Claim
from flows.removals.models import RemovalDecision, RemovalStatus
from flows.removals.service import DecisionView, decision_view


# The people a decision names.
PEOPLE = ("logged_by", "agreed_by", "decided_by", "disagreed_by", "agreement_asked_of")


def _decision(session: Session, claim: Claim) -> DecisionView | None:
    row = session.get(RemovalDecision, int(claim.subject.id))
    if row is None:
        return None
    view = decision_view(session, row)
    # Mentions name people by their Slack accounts.
    view = replace(view, **{f: render.on_slack(session, getattr(view, f)) for f in PEOPLE})
    # The status the notice was queued for: a late delivery says what happened then, not what happened since.
    status = claim.data.get("status")
    return replace(view, status=RemovalStatus(status)) if status else view


def _renderer(build):
    def render_it(session: Session, claim: Claim, adapter):
        d = _decision(session, claim)
        return None if d is None else build(d, claim, adapter)

    return render_it


@render.renders(NoticeKind.REMOVAL_AGREE_REQUESTED)
def _agree_request(session: Session, claim: Claim, adapter):
    d = _decision(session, claim)
    if d is None:
        return None
    # To the member of staff the logger asked in place of a staff moderator (both written as their Slack account).
    in_place = d.agreement_asked_of is not None and d.agreement_asked_of == render.on_slack(session, claim.person_id)
    return messages.agree_request(d, in_place=in_place)


render.renders(NoticeKind.REMOVAL_AGREE_CLOSED)(_renderer(lambda d, claim, adapter: messages.agree_done(d)))
render.renders(NoticeKind.REMOVAL_SIGN_OFF_REQUESTED)(
    _renderer(lambda d, claim, adapter: messages.sign_off_request(d)))
render.renders(NoticeKind.REMOVAL_SIGN_OFF_CLOSED)(_renderer(lambda d, claim, adapter: messages.sign_off_done(d)))
render.renders(NoticeKind.REMOVAL_DECISION_SHARED)(_renderer(lambda d, claim, adapter: messages.shared(d)))
@render.renders(NoticeKind.REMOVAL_LOGGER_TOLD)
def _to_logger(session: Session, claim: Claim, adapter):
    d = _decision(session, claim)
    if d is None:
        return None
    return messages.to_logger(
        d, asked=[render.on_slack(session, p) for p in claim.data.get("asked") or []],
        # Without an approvals channel the request cannot go: the logger is told to tell a senior manager.
        sign_off_sent=not claim.data.get("sign_off") or adapter.reaches(Destination.SIGN_OFF),
    )


@render.renders(NoticeKind.REMOVAL_REVIEW_DUE)
def _review(session: Session, claim: Claim, adapter):
    row = session.get(RemovalDecision, int(claim.subject.id))
    if row is None:
        return None
    return {"text": review_text(decision_view(session, row), date.fromisoformat(claim.data["today"]))}
