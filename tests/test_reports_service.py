"""flows.reports: filing, linking and tracking reports of unofficial groups (U1–U3), without Slack."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import event, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.settings import SlackSettings as Settings
from flows.audit.models import AuditEntry
from flows.directory.service import Person
from flows.outbox import Destination
from flows.outbox import NoticeKind as Kind
from flows.reports import service as reports_module
from flows.reports.models import UnofficialGroupCase, UnofficialGroupReport
from flows.reports.service import Action, ReportForm, Result, UnofficialGroupReports, open_reports
from tests.support import EveryoneByTheirId, directory_by_id

STAFF, STAFF_2, PCF, VOLUNTEER, GUEST, MANAGER = "U0STAFF1", "U0STAFF2", "U0PCF001", "U0VOLUN1", "U0GUEST1", "U0MANAGR"
START = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


class People(EveryoneByTheirId):
    """The directory's view of the workspace, without asking Slack."""

    def usergroup_members(self, usergroup: str) -> list[str]:
        return []

    def person(self, user_id: str) -> Person:
        return Person(user_id=user_id, name=user_id, is_guest=user_id == GUEST)


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def service(db, database_url, clock):
    settings = Settings(
        _env_file=None, database_url=database_url, staff_user_ids=[STAFF, STAFF_2, GUEST], pcf_staff_user_ids=[PCF],
        managers_channel="C0MANAGERS", line_managers=[f"{STAFF_2}:{MANAGER}"],
    )
    return UnofficialGroupReports(db, settings, directory_by_id(db, settings, GUEST, PCF, backend=People(settings)), clock=clock)


def form(name="A.M.A.Z.E Parents Chat", **overrides) -> ReportForm:
    return ReportForm(**{"name": name, "where_seen": "whatsapp", "how_found": "A parent told me.", **overrides})


def audit_actions(db) -> list[tuple[str, str]]:
    with db.transaction() as session:
        return [(e.action, e.actor) for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]


def test_the_reported_name_is_matched_against_the_protected_names(service):
    filed = service.file(VOLUNTEER, form("A.M.A.Z.E Parents Chat"))
    assert [(m["name"], m["matched_text"]) for m in filed.case.matched_names] == [("Amaze", "A.M.A.Z.E")]
    assert [m.name for m in service.check_name("ＥＳＰＣＦ families").matches] == ["ESPCF"]
    assert service.check_name("Brighton Mums Chat").matches == ()


def test_reports_of_the_same_group_however_written_are_linked_to_one_case(service):
    first = service.file(VOLUNTEER, form("A.M.A.Z.E Parents Chat"))
    again = service.file(STAFF, form("amaze parents chat!"))
    third = service.file(PCF, form("ＡＭＡＺＥ Parents\u200b Chat 💬"))
    other = service.file(VOLUNTEER, form("Amaze Dads Chat"))
    assert (first.linked, again.linked, third.linked, other.linked) == (False, True, True, False)
    assert first.case.id == again.case.id == third.case.id != other.case.id
    assert third.case.reporters == [VOLUNTEER, STAFF, PCF]
    assert len(third.case.reports) == 3
    actions = [a for a, _ in audit_actions(service.db)]
    assert actions.count("unofficial_group.reported") == 2 and actions.count("unofficial_group.reported_again") == 2


def test_a_group_reported_after_its_case_ended_opens_a_new_case(service):
    first = service.file(VOLUNTEER, form())
    service.act(first.case.id, STAFF, Action.NO_ACTION, reason="Already closed")
    later = service.file(VOLUNTEER, form())
    assert not later.linked and later.case.id != first.case.id


def test_the_database_keeps_one_open_case_per_name_even_if_the_app_did_not(service, db):
    with db.transaction() as session:
        session.add(UnofficialGroupCase(name="a", normalised_name="amazechat", state="reported", reported_by=STAFF))
    with pytest.raises(IntegrityError):
        with db.transaction() as session:
            session.add(
                UnofficialGroupCase(name="b", normalised_name="amazechat", state="approached", reported_by=STAFF)
            )
    with db.transaction() as session:  # closed cases of the same name are history, not a second open case
        session.add(UnofficialGroupCase(name="c", normalised_name="amazechat", state="renamed", reported_by=STAFF))
        session.add(UnofficialGroupCase(name="d", normalised_name="amazechat", state="closed", reported_by=STAFF))


def test_a_first_report_that_loses_the_race_is_linked_to_the_winner(service, monkeypatch):
    winner = service.file(VOLUNTEER, form())
    real_open_case = reports_module._open_case
    calls = []

    def missed_it_once(session, normalised):
        # As if the other report was committed just after this one looked.
        calls.append(normalised)
        return None if len(calls) == 1 else real_open_case(session, normalised)

    monkeypatch.setattr(reports_module, "_open_case", missed_it_once)
    loser = service.file(STAFF, form("amaze parents chat"))
    assert loser.linked and loser.case.id == winner.case.id
    with service.db.transaction() as session:
        assert len(session.scalars(select(UnofficialGroupCase)).all()) == 1


def test_the_same_submission_delivered_twice_files_one_report(service):
    first = service.file(VOLUNTEER, form(), submission_id="V123")
    second = service.file(VOLUNTEER, form(), submission_id="V123")
    assert second.repeated and second.report_id == first.report_id
    with service.db.transaction() as session:
        assert len(session.scalars(select(UnofficialGroupReport)).all()) == 1


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"name": "   "}, "name"),
        ({"name": "💬🎉"}, "name"),  # nothing left to match or to link by
        ({"where_seen": "telegram"}, "where_seen"),
        ({"how_found": ""}, "how_found"),
        ({"notes": "x" * 3001}, "notes"),
    ],
)
def test_a_report_missing_what_the_policy_asks_for_is_refused_on_its_field(service, overrides, field):
    assert set(service.problems(form(**overrides))) == {field}
    with pytest.raises(ValueError):
        service.file(VOLUNTEER, form(**overrides))


def test_a_case_goes_reported_approached_renamed_once_each_with_who_and_when(service, clock):
    case_id = service.file(VOLUNTEER, form()).case.id
    clock.now = START + timedelta(hours=1)
    approached = service.act(case_id, STAFF, Action.APPROACH)
    assert approached.result is Result.CHANGED and approached.from_state == "reported"
    assert (approached.case.state, approached.case.owner_id, approached.case.approached_at) == (
        "approached", STAFF, clock.now,
    )
    again = service.act(case_id, STAFF_2, Action.APPROACH)
    assert again.result is Result.TOO_LATE and again.case.owner_id == STAFF

    clock.now = START + timedelta(days=2)
    renamed = service.act(case_id, PCF, Action.RENAMED)
    assert (renamed.result, renamed.case.state, renamed.case.resolved_by, renamed.case.resolved_at) == (
        Result.CHANGED, "renamed", PCF, clock.now,
    )
    assert service.act(case_id, STAFF, Action.CLOSED).result is Result.TOO_LATE
    assert audit_actions(service.db) == [
        ("unofficial_group.reported", VOLUNTEER),
        ("unofficial_group.approach", STAFF),
        ("unofficial_group.renamed", PCF),
    ]


def test_renamed_or_closed_need_someone_to_have_approached_the_group_first(service):
    case_id = service.file(VOLUNTEER, form()).case.id
    assert service.act(case_id, STAFF, Action.RENAMED).result is Result.TOO_LATE
    assert service.act(case_id, STAFF, Action.CLOSED).result is Result.TOO_LATE
    assert service.case(case_id).state == "reported"


def test_no_action_needed_takes_a_reason_and_may_come_straight_from_reported(service):
    case_id = service.file(VOLUNTEER, form()).case.id
    assert service.act(case_id, STAFF, Action.NO_ACTION, reason="  ").result is Result.NEEDS_REASON
    assert service.prepare(case_id, STAFF, Action.NO_ACTION).result is Result.READY
    done = service.act(case_id, STAFF, Action.NO_ACTION, reason="It is a closed group of two friends.")
    assert (done.result, done.case.state, done.case.resolution_reason) == (
        Result.CHANGED, "no_action", "It is a closed group of two friends.",
    )
    assert service.prepare(case_id, STAFF_2, Action.NO_ACTION).result is Result.TOO_LATE


@pytest.mark.parametrize("outsider", [VOLUNTEER, GUEST, MANAGER])
def test_someone_who_is_not_staff_changes_nothing_and_the_attempt_is_recorded(service, outsider):
    # The guest is in the staff list, but a guest account is never staff; the manager here is not in it.
    case_id = service.file(VOLUNTEER, form()).case.id
    assert service.act(case_id, outsider, Action.APPROACH).result is Result.REFUSED
    assert service.prepare(case_id, outsider, Action.NO_ACTION).result is Result.REFUSED
    assert service.case(case_id).state == "reported" and service.case(case_id).owner_id is None
    with service.db.transaction() as session:
        refused = session.scalars(select(AuditEntry).where(AuditEntry.action == "unofficial_group.refused")).all()
        assert [(e.actor, e.details["attempted"]) for e in refused] == [(outsider, "approach"), (outsider, "no_action")]


def test_a_click_that_loses_the_race_after_reading_the_case_changes_nothing(service, db):
    case_id = service.file(VOLUNTEER, form()).case.id
    fired = []

    def someone_else_first(orm_execute_state):
        # Bea's click is committed between this click's read of the case and its update.
        if orm_execute_state.is_update and not fired:
            fired.append(True)
            assert service.act(case_id, STAFF_2, Action.APPROACH).result is Result.CHANGED

    event.listen(Session, "do_orm_execute", someone_else_first)
    try:
        lost = service.act(case_id, STAFF, Action.APPROACH)
    finally:
        event.remove(Session, "do_orm_execute", someone_else_first)
    assert fired and lost.result is Result.TOO_LATE and lost.case.owner_id == STAFF_2
    assert [a for a in audit_actions(db) if a[0] == "unofficial_group.approach"] == [
        ("unofficial_group.approach", STAFF_2)
    ]


def test_who_runs_the_group_goes_to_the_owner_and_is_deleted_when_the_case_ends(service):
    case_id = service.file(VOLUNTEER, form(knows_who_runs=True, contact="Jo, 07700 900123")).case.id
    service.file(STAFF, form("amaze parents chat", contact="Jo's sister"))
    approached = service.act(case_id, STAFF, Action.APPROACH)
    assert approached.contacts == ("Jo, 07700 900123", "Jo's sister")
    assert all(r.has_contact for r in approached.case.reports)
    closed = service.act(case_id, STAFF, Action.CLOSED)
    assert closed.contacts == () and not any(r.has_contact for r in closed.case.reports)
    with service.db.transaction() as session:
        assert session.scalars(select(UnofficialGroupReport.contact)).all() == [None, None]


def test_the_managers_message_goes_to_the_line_manager_else_the_channel(service):
    mine = service.file(STAFF_2, form("PaCC Parents")).case
    theirs = service.file(VOLUNTEER, form("ESPCF Parents")).case
    with service.db.transaction() as session:
        assert service.delivery_targets(session, mine) == [MANAGER, Destination.MANAGERS]
        assert service.delivery_targets(session, theirs) == [Destination.MANAGERS]


def test_each_change_is_told_once_with_the_case_as_it_now_stands(service):
    def told(result) -> list[tuple]:
        return [(n.kind, n.recipient, n.data.get("state")) for n in result.queued]

    filed = service.file(STAFF_2, form(), submission_id="V1")
    case_id = filed.case.id
    again = service.file(STAFF_2, form(), submission_id="V1")  # Slack sent it again
    linked = service.file(VOLUNTEER, form("amaze parents chat"))
    approached = service.act(case_id, STAFF, Action.APPROACH)
    late = service.act(case_id, PCF, Action.APPROACH)  # too late: nothing to tell
    closed = service.act(case_id, STAFF, Action.CLOSED)
    card = Kind.REPORT_MANAGERS_CARD
    assert told(filed) == [(card, MANAGER, "reported")]  # the line manager first (then the managers' channel)
    assert again.repeated and told(again) == [] and late.queued == ()
    assert told(linked) == [(card, MANAGER, "reported")]
    assert told(approached) == [(card, MANAGER, "approached"), (Kind.REPORT_CHANGED, STAFF_2, "approached"),
                                (Kind.REPORT_CHANGED, VOLUNTEER, "approached")]
    assert told(closed) == [(card, MANAGER, "closed"), (Kind.REPORT_CHANGED, STAFF_2, "closed"),
                            (Kind.REPORT_CHANGED, VOLUNTEER, "closed")]
    # One card, replaced in place after each change.
    chain = [filed.queued[0], linked.queued[0], approached.queued[0], closed.queued[0]]
    assert [n.replaces_id for n in chain[1:]] == [n.id for n in chain[:-1]]
    assert {n.subject for n in chain} == {("unofficial_group_case", str(case_id))}


def test_a_change_that_cannot_be_told_is_not_made(service, monkeypatch):
    case_id = service.file(VOLUNTEER, form()).case.id

    def broken(session, change):
        raise RuntimeError("the notices could not be queued")

    monkeypatch.setattr("flows.reports.notices.queue_change", broken)
    with pytest.raises(RuntimeError):
        service.act(case_id, STAFF, Action.APPROACH)
    with pytest.raises(RuntimeError):
        service.file(STAFF, form("amaze parents chat"))
    case = service.case(case_id)
    assert (case.state, case.owner_id, len(case.reports)) == ("reported", None, 1)
    assert [a for a, _ in audit_actions(service.db)] == ["unofficial_group.reported"]


def test_open_reports_lists_unfinished_cases_oldest_first_with_their_counts(service, db, clock):
    clock.now = START
    oldest = service.file(VOLUNTEER, form("Amaze Dads")).case.id
    clock.now = START + timedelta(days=1)
    finished = service.file(VOLUNTEER, form("Amaze Mums")).case.id
    clock.now = START + timedelta(days=2)
    approached = service.file(VOLUNTEER, form("PaCC Parents")).case.id
    clock.now = START + timedelta(days=3)
    service.file(STAFF, form("pacc parents"))
    newest = service.file(STAFF, form("Brighton Mums Chat")).case.id
    service.act(approached, STAFF, Action.APPROACH)
    service.act(finished, STAFF, Action.NO_ACTION, reason="Closed already")

    with db.transaction() as session:
        listed = open_reports(session)
        stale = open_reports(session, older_than=timedelta(days=2), now=START + timedelta(days=4, hours=1))
    assert [(r.case_id, r.state, r.owner_id, r.report_count) for r in listed] == [
        (oldest, "reported", None, 1), (approached, "approached", STAFF, 2), (newest, "reported", None, 1),
    ]
    assert listed[0].name == "Amaze Dads" and listed[0].matched_names == ["Amaze"]
    assert listed[2].matched_names == [] and listed[0].reported_at == START
    assert [r.case_id for r in stale] == [oldest, approached]
