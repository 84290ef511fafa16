"""Who is told what about a reported group, queued in the transaction of the change (with the case locked): the
managers' card, posted once and then replaced in place after each change; the reporters' news; what the person
approaching the group is told. Each notice has a dedupe key, so a change is told once.

The managers' card is a chain of notices: its post, then one replacement per change, each waiting for the one
before it, so the platform shows the changes in the order they were made whichever worker sends them. When the
post cannot be delivered it goes to the next place (the managers' destination after the reporter's manager); when
nowhere takes it, the reporters are told to tell their manager themselves, and the next change posts it again.
Who runs a group is never copied into a notice: the adapter reads it from the reports when it delivers, so once a
case ends (and the contacts are erased) a notice not yet delivered says they were deleted."""
from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from flows.outbox import Destination, Notice, NoticeKind, OutboxStatus, Subject, queue
from flows.reports.models import CaseState
from flows.reports.service import SUBJECT, CaseView, Change, ChangeKind, set_managers_message

log = logging.getLogger(__name__)

FAILED = OutboxStatus.FAILED.value


def queue_change(session: Session, change: Change) -> list[Notice]:
    """The notices of filing and of every manager's step: returns what was queued."""
    case = change.case
    queued = _show_managers(session, case, change.targets, _change_key(change))
    if change.kind is ChangeKind.MOVED:
        for reporter in case.reporters:
            if reporter != change.actor:
                queued.append(_tell(session, case, NoticeKind.REPORT_CHANGED, reporter,
                                    f"reporter:{reporter}:{case.state.value}"))
        if change.contacts:
            queued.append(_tell(session, case, NoticeKind.REPORT_CONTACTS, change.actor, "contacts:approach"))
    elif change.kind is ChangeKind.REPORTED_AGAIN:
        owner = case.owner_id
        if owner and owner != change.actor:
            queued.append(_tell(session, case, NoticeKind.REPORT_OWNER_TOLD, owner, f"owner:report:{change.report_id}",
                                reporter=change.actor, report=change.report_id))
            if change.contacts:
                queued.append(_tell(session, case, NoticeKind.REPORT_CONTACTS, owner,
                                    f"contacts:report:{change.report_id}", report=change.report_id))
    return queued


def follow_up(session: Session, case: CaseView, targets: tuple[str, ...], failed: Notice) -> list[Notice]:
    """The case's managers' card could not be delivered (`failed` is the last of its chain)."""
    post = _post_of(session, failed)
    if post is not None and post.status == FAILED:
        target = _after(targets, post.destination or post.person_id)
    else:
        # The managers had it, but a replacement could not be made (the post was deleted, say): post it afresh.
        target = targets[0] if targets else None
    if target is not None:
        return [_post(session, case, target, after=failed)]
    if case.state is not CaseState.REPORTED:
        # Someone is handling it already; the admins hear of the failure from the outbox.
        return []
    return [_tell(session, case, NoticeKind.REPORT_FOLLOW_UP, reporter, f"undelivered:{failed.id}:{reporter}")
            for reporter in case.reporters]


def _change_key(change: Change) -> str:
    if change.kind is ChangeKind.REPORTED_AGAIN:
        return f"report:{change.report_id}"
    return change.case.state.value  # each state is reached once in a case's life


def _show_managers(session: Session, case: CaseView, targets: tuple[str, ...], change_key: str) -> list[Notice]:
    last = session.get(Notice, case.managers_notice_id) if case.managers_notice_id else None
    if last is not None and last.status != FAILED:
        edit = queue(session, NoticeKind.REPORT_MANAGERS_CARD, Subject(SUBJECT, case.id), _recipient(last),
                     data={"state": case.state.value}, dedupe_key=f"{_key(case)}:managers:update:{change_key}",
                     replaces=last)
        set_managers_message(session, case.id, edit)
        return [edit]
    if not targets:
        # The reporter was told in the form; the case waits in the managers' list.
        log.warning("report %s has no manager or managers' destination to go to", case.id)
        return []
    return [_post(session, case, targets[0], after=last)]


def _post(session: Session, case: CaseView, target: str, after: Notice | None) -> Notice:
    to = Destination(target) if target in Destination._value2member_map_ else target
    post = queue(session, NoticeKind.REPORT_MANAGERS_CARD, Subject(SUBJECT, case.id), to,
                 data={"state": case.state.value, "post": True},
                 dedupe_key=f"{_key(case)}:managers:post:{target}:{after.id if after else 'first'}")
    set_managers_message(session, case.id, post)
    return post


def _recipient(notice: Notice):
    return Destination(notice.destination) if notice.destination else notice.person_id


def _post_of(session: Session, notice: Notice | None) -> Notice | None:
    """The post a replacement (or a chain of them) is about."""
    seen = set()
    while notice is not None and notice.replaces_id is not None and notice.id not in seen:
        seen.add(notice.id)
        notice = session.get(Notice, notice.replaces_id)
    return notice


def _after(targets: tuple[str, ...], target: str | None) -> str | None:
    if target not in targets:
        return targets[0] if targets else None
    rest = targets[targets.index(target) + 1:]
    return rest[0] if rest else None


def _tell(session: Session, case: CaseView, kind: NoticeKind, person: str, suffix: str, **data) -> Notice:
    return queue(session, kind, Subject(SUBJECT, case.id), person, data={"state": case.state.value, **data},
                 dedupe_key=f"{_key(case)}:{suffix}")


def _key(case: CaseView) -> str:
    return f"report:{case.id}"
