"""Who hears what about a reported group, queued in the outbox inside the transaction of the change (with the
case locked): the managers' message, posted once and then edited in place after each change; the reporters'
news; what the person approaching the group is told. Each message has a dedupe key, so a change is told once.

The managers' message is a chain in the outbox: its post, then one edit per change, each edit waiting for the
one before it, so Slack shows the changes in the order they were made whichever worker sends them. When the
post cannot be delivered it goes to the next place (the managers' channel after the reporter's manager); when
nowhere takes it, the reporters are told to tell their manager themselves, and the next change posts it again.
"""
from __future__ import annotations

import logging

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.reports import messages
from bot import calls
from bot.calls import enqueue
from flows.outbox import Notice, OutboxStatus
from flows.reports.models import CaseState
from flows.reports.service import MANAGERS_POST, SUBJECT, CaseView, Change, ChangeKind, set_managers_message

log = logging.getLogger(__name__)

FROM_LAST = {"channel": {"$from": "channel"}, "ts": {"$from": "ts"}}
FAILED = OutboxStatus.FAILED.value


def queue_change(session: Session, change: Change) -> list[Notice]:
    """The `on_change` of filing and of every manager's step: returns what it queued."""
    case = change.case
    queued = _show_managers(session, case, change.targets, _change_key(change))
    if change.kind is ChangeKind.MOVED:
        for reporter in case.reporters:
            if reporter != change.actor:
                queued.append(_dm(session, case, reporter, f"reporter:{reporter}:{case.state.value}", "reporter",
                                  messages.reporter_update(case)))
        if change.contacts:
            queued.append(_dm(session, case, change.actor, "contacts:approach", "contacts",
                              messages.owner_contacts(case, change.contacts)))
        if not case.state.open:
            _erase_contacts(session, case)
    elif change.kind is ChangeKind.REPORTED_AGAIN:
        owner = case.owner_id
        if owner and owner != change.actor:
            queued.append(_dm(session, case, owner, f"owner:report:{change.report_id}", "owner",
                              messages.reported_again_to_owner(case, change.actor)))
            if change.contacts:
                queued.append(_dm(session, case, owner, f"contacts:report:{change.report_id}", "contacts",
                                  messages.owner_contacts(case, change.contacts, again=True)))
    return queued


def follow_up(session: Session, case: CaseView, targets: tuple[str, ...], failed: Notice) -> list[Notice]:
    """The case's managers' message could not be delivered (`failed` is the last of its chain)."""
    post = _post_of(session, failed)
    if post is not None and post.status == FAILED:
        target = _after(targets, calls.call_of(post)[1].get("channel"))
    else:
        # The managers had it, but an edit could not be made (the message was deleted, say): post it afresh.
        target = targets[0] if targets else None
    if target is not None:
        return [_post(session, case, target, after=failed)]
    if case.state is not CaseState.REPORTED:
        # Someone is handling it already; the admins hear of the failure from the outbox.
        return []
    return [
        _dm(session, case, reporter, f"undelivered:{failed.id}:{reporter}", "undelivered",
            messages.delivery_failed(case.name))
        for reporter in case.reporters
    ]


# --- the managers' message ------------------------------------------------------------------------------------------
def _change_key(change: Change) -> str:
    if change.kind is ChangeKind.REPORTED_AGAIN:
        return f"report:{change.report_id}"
    return change.case.state.value  # each state is reached once in a case's life


def _show_managers(session: Session, case: CaseView, targets: tuple[str, ...], change_key: str) -> list[Notice]:
    last = session.get(Notice, case.managers_notice_id) if case.managers_notice_id else None
    if last is not None and last.status != FAILED:
        edit = enqueue(
            session, "chat.update", {**FROM_LAST, **messages.case_message(case)},
            dedupe_key=f"{_key(case)}:managers:update:{change_key}", depends_on=last,
            reference=_reference(case, "managers_update"),
        )
        set_managers_message(session, case.id, edit)
        return [edit]
    if not targets:
        # The reporter was told in the form; the case waits in the managers' list.
        log.warning("report %s has no manager or managers' channel to go to", case.id)
        return []
    return [_post(session, case, targets[0], after=last)]


def _post(session: Session, case: CaseView, target: str, after: Notice | None) -> Notice:
    post = enqueue(
        session, "chat.postMessage", {"channel": target, **messages.case_message(case)},
        dedupe_key=f"{_key(case)}:managers:post:{target}:{after.id if after else 'first'}",
        reference=_reference(case, MANAGERS_POST),
    )
    set_managers_message(session, case.id, post)
    return post


def _post_of(session: Session, message: Notice) -> Notice | None:
    """The post an edit (or a chain of edits) is about."""
    seen = set()
    while message is not None and calls.call_of(message)[0] != "chat.postMessage" and message.id not in seen:
        seen.add(message.id)
        message = session.get(Notice, message.replaces_id) if message.replaces_id else None
    return message


def _after(targets: tuple[str, ...], target: str | None) -> str | None:
    if target not in targets:
        return targets[0] if targets else None
    rest = targets[targets.index(target) + 1:]
    return rest[0] if rest else None


# --- direct messages -------------------------------------------------------------------------------------------------
def _dm(session: Session, case: CaseView, user_id: str, suffix: str, kind: str, text: str) -> Notice:
    return enqueue(session, "chat.postMessage", {"channel": user_id, "text": text},
                   dedupe_key=f"{_key(case)}:{suffix}", reference=_reference(case, kind))


def _erase_contacts(session: Session, case: CaseView) -> None:
    """The policy keeps who runs a group only to approach it: with the case over, the copies in the messages
    that told the person approaching it go too (one not yet delivered says the details were deleted)."""
    keys = [f"{_key(case)}:contacts:approach"] + [f"{_key(case)}:contacts:report:{r.id}" for r in case.reports]
    sent = session.scalars(select(Notice).where(Notice.dedupe_key.in_(keys)))
    for message in sent:
        args = {"channel": calls.call_of(message)[1].get("channel"), "text": messages.contacts_erased(case)}
        session.execute(
            update(Notice).where(Notice.id == message.id).values(data={**(message.data or {}), "args": args})
            .execution_options(synchronize_session=False)
        )


def _key(case: CaseView) -> str:
    return f"report:{case.id}"


def _reference(case: CaseView, message: str) -> dict:
    return {"type": SUBJECT, "id": case.id, "message": message}
