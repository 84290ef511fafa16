"""Who is told what at each step of a removal, queued in the step's own transaction: a step taken is never left
untold, and a step taken once is told once (each notice has a dedupe key). The words are the adapters'."""
from __future__ import annotations

from sqlalchemy.orm import Session

from flows.outbox import Destination, Notice, NoticeKind, Subject, notices_about, queue
from flows.removals.service import SUBJECT, DecisionView, Notices, outbox_key


def queue_notices(session: Session, d: DecisionView, plan: Notices) -> list[Notice]:
    """Queue what `plan` says for decision `d` as it now stands; returns what was queued."""
    subject = Subject(SUBJECT, d.id)
    status = d.status.value
    queued: list[Notice] = []

    def tell(kind: NoticeKind, to, suffix: str, replaces: Notice | None = None, **data) -> None:
        queued.append(queue(session, kind, subject, to, data={"status": status, **data},
                            dedupe_key=outbox_key(d.id, suffix), replaces=replaces))

    if plan.close_agree_requests:
        for asked in notices_about(session, NoticeKind.REMOVAL_AGREE_REQUESTED, subject):
            tell(NoticeKind.REMOVAL_AGREE_CLOSED, asked.person_id, f"ask-done:{asked.person_id}", replaces=asked)
    if plan.close_sign_off:
        for asked in notices_about(session, NoticeKind.REMOVAL_SIGN_OFF_REQUESTED, subject):
            tell(NoticeKind.REMOVAL_SIGN_OFF_CLOSED, Destination.SIGN_OFF, f"sign-off-done:{status}", replaces=asked)
    for person in plan.ask_to_agree:
        tell(NoticeKind.REMOVAL_AGREE_REQUESTED, person, f"ask:{person}")
    if plan.ask_to_sign_off:
        tell(NoticeKind.REMOVAL_SIGN_OFF_REQUESTED, Destination.SIGN_OFF, "sign-off")
    for person in plan.share_with:
        tell(NoticeKind.REMOVAL_DECISION_SHARED, person, f"shared:{status}:{person}")
    if plan.tell_logger:
        told = notices_about(session, NoticeKind.REMOVAL_LOGGER_TOLD, subject) if plan.logger_in_place else []
        tell(NoticeKind.REMOVAL_LOGGER_TOLD, d.logged_by, f"logger:{plan.logger_key or status}",
             replaces=told[-1] if told else None, asked=list(plan.ask_to_agree), sign_off=plan.ask_to_sign_off)
    return queued


def sign_off_request(session: Session, decision_id: int) -> Notice | None:
    """The senior managers' request to sign a decision off (the post an Approve edits in place)."""
    found = notices_about(session, NoticeKind.REMOVAL_SIGN_OFF_REQUESTED, Subject(SUBJECT, decision_id))
    return found[0] if found else None
