"""L5 and A3 in Teams, as the clock runs the jobs and the outbox delivers: an unanswered check-in is asked again
(the earlier card updated in place to say so), the lead gets the list of who has not answered, then the approvals
channel the managers' list; the yearly circulation card carries the group's own agreement link to paste."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import update

from flows.groups.models import Group
from flows.jobs import CHECK_JOB, CIRCULATION_JOB, program_jobs
from flows.moderation.chasing import CHASE_JOB
from flows.scheduler import Scheduler
from teams.services import TeamsServices
from tests.support import TestClock
from tests.teams.chat import says
from tests.teams.conftest import STAFF, STAFF_2, VOLUNTEER
from tests.teams.support import add_group
from tests.teams.test_notices import CHANNEL, cards_in, chat_of, deliver, with_channel  # noqa: F401 -- fixtures

REGISTERED = datetime(2025, 3, 3, 10, 0, tzinfo=timezone.utc)
CHECK_DUE = datetime(2025, 9, 1, 9, 0, tzinfo=timezone.utc)
CIRCULATION_DUE = datetime(2026, 3, 3, 9, 0, tzinfo=timezone.utc)
AGREEMENT = "https://www.amazesussex.org.uk/groups/lewes-parents-agreement"
DAY = timedelta(days=1)


@pytest.fixture
def clock_at(with_channel, deliver):  # noqa: F811
    """The check, chase and circulation jobs with flows' settings as Teams sees them, then delivery."""
    app = with_channel
    seen = TeamsServices.build(app.settings, app.teams, app.db, app.authority.token_provider).settings
    registry = program_jobs(lambda: seen, only=[CHECK_JOB, CHASE_JOB, CIRCULATION_JOB])
    clock = TestClock(REGISTERED)

    def run_at(now) -> None:
        clock.now = now
        Scheduler(app.db, registry, clock=clock).run_due()
        deliver(app.teams)

    return run_at


@pytest.fixture
def group_id(with_channel):  # noqa: F811
    group_id = add_group(with_channel.db)
    with with_channel.db.transaction() as session:
        session.execute(update(Group).where(Group.id == group_id).values(created_at=REGISTERED, agreement_url=AGREEMENT))
    return group_id


def test_an_unanswered_check_in_is_asked_again_then_told_to_the_lead_then_the_managers(with_channel, clock_at,  # noqa: F811
                                                                                        group_id):
    app = with_channel
    clock_at(CHECK_DUE)
    val = chat_of(app.connector, VOLUNTEER)
    [asked] = app.connector.activities(val)

    clock_at(CHECK_DUE + 3 * DAY)
    first, again = cards_in(app.connector, val)
    assert says(first, "asked about this again in a newer message (L5)"), "the earlier card, updated in place"
    assert len(app.connector.versions(val, asked["id"])) == 2
    assert says(again, "A reminder, as there is no answer yet (L5)", "go on moderating your group (M9)")

    clock_at(CHECK_DUE + 7 * DAY)
    to_lead = cards_in(app.connector, chat_of(app.connector, STAFF))[-1]
    assert says(to_lead, "Not answered yet in Amaze Lewes Parents (L5)",
                "Val Jones has not said whether they can go on moderating (M9), asked on 1 September 2025",
                "Bea Hughes has not said")
    assert not says(to_lead, "Alex Morgan has not")

    clock_at(CHECK_DUE + 14 * DAY)
    [to_managers] = cards_in(app.connector, CHANNEL)
    assert says(to_managers, "Moderators who have not answered (L5)",
                "Amaze Lewes Parents: Val Jones has not said whether they can go on moderating (M9)", "(14 days ago)",
                "Lead staff moderator: Alex Morgan")
    assert says(to_managers, "Alex Morgan has not said", "Bea Hughes has not said")
    clock_at(CHECK_DUE + 15 * DAY)
    assert len(cards_in(app.connector, CHANNEL)) == 1
    assert len(cards_in(app.connector, chat_of(app.connector, STAFF_2))) == 2


def test_the_circulation_card_carries_the_group_s_own_agreement_link(with_channel, clock_at, group_id):  # noqa: F811
    app = with_channel
    clock_at(CIRCULATION_DUE)
    [reminder] = [c for c in cards_in(app.connector, chat_of(app.connector, STAFF)) if says(c, "Time to circulate")]
    assert says(reminder, "Message to paste into the WhatsApp group", f"Please take a moment to read it: {AGREEMENT}")
    assert not says(reminder, "no published agreement link")
