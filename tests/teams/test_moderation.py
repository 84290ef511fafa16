"""Moderators' duties in Teams: asked to confirm when their group is registered (M8), answered from the home card;
someone else's answer changes nothing."""
from __future__ import annotations

from sqlalchemy import select

from flows.moderation.models import ModeratorConfirmation
from flows.outbox import Notice, NoticeKind
from tests.teams.chat import choice, says
from tests.teams.conftest import STAFF, STAFF_2
from tests.teams.support import person
from tests.teams.test_wizard import to_moderators


def test_registering_asks_the_moderators_and_each_confirms_from_home(teams_app, chat):
    card = to_moderators(chat)
    review = chat.click(STAFF, card, "Next",
                        staff_moderators=",".join([choice(card, "staff_moderators", "Alex Morgan"),
                                                   choice(card, "staff_moderators", "Bea Hughes")]),
                        out_of_hours="Alex and Bea cover evenings.",
                        emergency_contact=choice(card, "emergency_contact", "Sam Senior"))
    chat.click(STAFF, review, "Register group")
    with teams_app.db.transaction() as session:
        asked = session.scalars(select(Notice.person_id).where(
            Notice.kind == NoticeKind.CONFIRMATION_REQUESTED.value).order_by(Notice.person_id)).all()
        assert sorted(asked) == sorted([person(teams_app.db, STAFF), person(teams_app.db, STAFF_2)])

    home = chat.say(STAFF_2, "home")
    assert says(home, "Confirm that the policy and the group agreement of Amaze Brighton Parent Carers Chat")
    # Alex presses Bea's button: Bea answers for herself.
    refused = chat.click(STAFF, home, "Confirm")
    assert says(refused, "Only Bea Hughes can confirm", "nothing has changed")
    confirmed = chat.click(STAFF_2, home, "Confirm")
    assert not says(confirmed, "Only Bea Hughes")
    with teams_app.db.transaction() as session:
        rows = {r.confirmed_by for r in session.scalars(select(ModeratorConfirmation))}
        assert rows == {None, person(teams_app.db, STAFF_2)}
    assert not says(chat.say(STAFF_2, "home"), "Confirm that the policy")
