"""A reported group's notices in Slack's words (flows/reports/notices.py decides who is told what), each rendered
when it is delivered, from the case as stored: the managers' card always shows the case as it now is; the news a
person is told says the state it was queued for."""
from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import render
from bot.reports import messages
from flows.outbox import NoticeKind
from flows.outbox.worker import Claim
from flows.reports.models import CaseState, UnofficialGroupCase, UnofficialGroupReport
from flows.reports.service import CaseView, case_view


def _case(session: Session, claim: Claim, as_queued: bool = True) -> CaseView | None:
    row = session.get(UnofficialGroupCase, int(claim.subject.id))
    if row is None:
        return None
    view = _on_slack(session, case_view(row))
    state = claim.data.get("state")
    return replace(view, state=CaseState(state)) if as_queued and state else view


def _on_slack(session: Session, case: CaseView) -> CaseView:
    """Mentions name people by their Slack accounts."""
    people = {f: render.on_slack(session, getattr(case, f)) for f in ("reported_by", "owner_id", "resolved_by")}
    reports = tuple(replace(r, reporter_id=render.on_slack(session, r.reporter_id)) for r in case.reports)
    return replace(case, reports=reports, **people)


@render.renders(NoticeKind.REPORT_MANAGERS_CARD)
def _card(session: Session, claim: Claim, adapter):
    case = _case(session, claim, as_queued=False)
    return None if case is None else messages.case_message(case)


@render.renders(NoticeKind.REPORT_CHANGED)
def _reporter(session: Session, claim: Claim, adapter):
    case = _case(session, claim)
    return None if case is None else {"text": messages.reporter_update(case)}


@render.renders(NoticeKind.REPORT_OWNER_TOLD)
def _owner(session: Session, claim: Claim, adapter):
    case = _case(session, claim)
    return None if case is None else {"text": messages.reported_again_to_owner(
        case, render.on_slack(session, claim.data.get("reporter")))}


@render.renders(NoticeKind.REPORT_FOLLOW_UP)
def _follow_up(session: Session, claim: Claim, adapter):
    case = _case(session, claim)
    return None if case is None else {"text": messages.delivery_failed(case.name)}


@render.renders(NoticeKind.REPORT_CONTACTS)
def _contacts(session: Session, claim: Claim, adapter):
    """Who runs the group, read from the reports now: once the case has ended they are erased, and the person is
    told so instead."""
    row = session.get(UnofficialGroupCase, int(claim.subject.id))
    if row is None:
        return None
    case = _on_slack(session, case_view(row))
    query = select(UnofficialGroupReport.contact).where(
        UnofficialGroupReport.case_id == row.id, UnofficialGroupReport.contact.is_not(None))
    if claim.data.get("report"):
        query = query.where(UnofficialGroupReport.id == int(claim.data["report"]))
    contacts = tuple(dict.fromkeys(session.scalars(query.order_by(UnofficialGroupReport.id))))
    if not case.state.open or not contacts:
        return {"text": messages.contacts_erased(case)}
    queued_as = replace(case, state=CaseState(claim.data.get("state") or case.state.value))
    return {"text": messages.owner_contacts(queued_as, contacts, again=bool(claim.data.get("report")))}
