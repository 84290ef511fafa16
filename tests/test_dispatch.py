"""The dispatcher picks the adapter of each notice without knowing any platform: a replacement goes to the adapter
that delivered the notice it replaces, a person to the first adapter they have an account on, a destination to the
first adapter that reaches it; otherwise the notice is undeliverable and the admins are told, as of any failure."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import select

from flows.outbox import Delivered, Destination, Notice, NoticeKind, Outbox, Subject, queue
from flows.outbox.dispatch import Dispatcher
from flows.outbox.worker import tell_admins
from flows.people.service import add_account, new_person

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=timezone.utc)
ABOUT = Subject("removal", 12)


class Platform:
    """An adapter that delivers everything it is given and says where (one per platform name)."""

    def __init__(self, platform: str, reaches: set[Destination] = frozenset()):
        self.platform, self._reaches, self.sent = platform, set(reaches), []

    def reaches(self, destination: Destination) -> bool:
        return destination in self._reaches

    def send(self, claim):
        self.sent.append(claim)
        return Delivered({"where": f"{self.platform}-{claim.id}"})


def deliver(db, *adapters):
    return Outbox(db, clock=lambda: NOW, on_failed=tell_admins).deliver_due(Dispatcher(db, adapters))


def test_a_person_is_told_on_the_first_platform_they_have_an_account_on(db):
    slack, teams = Platform("slack"), Platform("teams")
    with db.transaction() as session:
        person = new_person(session)
        add_account(session, person, "teams", "29:teams-user")
        notice = queue(session, NoticeKind.REMOVAL_DECISION_SHARED, ABOUT, person)
    deliver(db, slack, teams)
    assert slack.sent == [] and [c.id for c in teams.sent] == [notice.id]
    with db.transaction() as session:
        row = session.get(Notice, notice.id)
        assert (row.status, row.delivered_via, row.delivered_ref) == ("sent", "teams", {"where": f"teams-{notice.id}"})


def test_a_replacement_goes_to_the_adapter_that_delivered_the_notice_it_replaces(db):
    slack, teams = Platform("slack", {Destination.SIGN_OFF}), Platform("teams", {Destination.SIGN_OFF})
    with db.transaction() as session:
        request = queue(session, NoticeKind.REMOVAL_SIGN_OFF_REQUESTED, ABOUT, Destination.SIGN_OFF)
    deliver(db, teams, slack)  # Teams reaches the sign-off destination first
    with db.transaction() as session:
        closed = queue(session, NoticeKind.REMOVAL_SIGN_OFF_CLOSED, ABOUT, Destination.SIGN_OFF, replaces=request)
    deliver(db, slack, teams)  # Slack is first now, but it cannot edit a Teams post
    [edit] = [c for c in teams.sent if c.id == closed.id]
    assert slack.sent == []
    assert (edit.replaces_id, edit.replaced_via, edit.replaced_ref) == (request.id, "teams", {"where": f"teams-{request.id}"})


def test_nowhere_to_deliver_is_undeliverable_and_the_admins_are_told(db):
    slack = Platform("slack", {Destination.ADMINS})
    with db.transaction() as session:
        person = new_person(session)  # a volunteer on no platform
        lost = queue(session, NoticeKind.REMOVAL_DECISION_SHARED, ABOUT, person)
        unreached = queue(session, NoticeKind.REPORT_MANAGERS_CARD, Subject("unofficial_group_case", 1),
                          Destination.MANAGERS)
    report = deliver(db, slack)
    assert report.failed == [lost.id, unreached.id]
    with db.transaction() as session:
        errors = {n.id: n.last_error for n in session.scalars(select(Notice).where(Notice.status == "failed"))}
        flags = session.scalars(select(Notice).where(Notice.kind == NoticeKind.DELIVERY_FAILED.value)).all()
    assert errors == {lost.id: "recipient_has_no_account_on_any_platform", unreached.id: "no_adapter_reaches_managers"}
    assert sorted((f.subject, f.recipient) for f in flags) == [
        (("notice", str(lost.id)), Destination.ADMINS), (("notice", str(unreached.id)), Destination.ADMINS)]
    assert [c.kind for c in slack.sent] == [NoticeKind.DELIVERY_FAILED] * 2
