"""Look-alike names end to end: the wizard refuses them on the name step (N2, N6), its live check says so as the
name is typed, and a report of one says which of our names it imitates (U3). Signed HTTP to the running app."""
from __future__ import annotations

import pytest

from flows.groups.models import Group
from tests.abuse.support import settle
from tests.conftest import VOLUNTEER
from tests.e2e.modal import Modal
from tests.e2e.test_newgroup import count, start
from tests.e2e.test_reports import app, report  # noqa: F401  (the reports app fixture, with a managers' channel)
from tests.harness.signing import block_actions_payload

CYRILLIC_ESPCF = "\u0415\u0405\u0420\u0421F friends social"  # Е, Ѕ, Р, С: shows as "ESPCF friends social"
CYRILLIC_PACC = "\u0420\u0430\u0421\u0421 parents social"  # shows as "PaCC parents social"
RIGHT_TO_LEFT = "\u202eezamA\u202c mums social"  # shows as "Amaze mums social"


def name_step(running_app) -> Modal:
    modal = start(running_app)
    assert modal.submit(kind="informal_social").json["response_action"] == "update"
    return modal


@pytest.mark.e2e
@pytest.mark.parametrize("name", [CYRILLIC_ESPCF, CYRILLIC_PACC])
def test_a_forum_name_in_cyrillic_letters_is_refused_on_the_name_field(running_app, name):
    response = name_step(running_app).submit(name=name)
    assert response.status == 200 and response.json["response_action"] == "errors"
    error = response.json["errors"]["name"]
    assert "N2" in error and ("'ESPCF'" in error or "'PaCC'" in error)
    assert count(running_app.db, Group) == 0


@pytest.mark.e2e
def test_a_name_turned_round_by_a_right_to_left_override_is_refused_on_the_name_field(running_app):
    response = name_step(running_app).submit(name=RIGHT_TO_LEFT)
    assert response.status == 200 and response.json["response_action"] == "errors"
    error = response.json["errors"]["name"]
    assert "N6" in error and "right-to-left override" in error
    assert "N2" in error and "'Amaze'" in error
    assert "\u202e" not in error  # the message itself is not turned round
    assert count(running_app.db, Group) == 0


@pytest.mark.e2e
def test_an_innocent_name_with_the_letters_of_a_maze_goes_on_to_the_next_step(running_app):
    modal = name_step(running_app)
    assert modal.submit(name="Corn maze walk social").json["response_action"] == "update"
    assert "No moderator is involved" in modal.text()


@pytest.mark.e2e
def test_the_live_name_check_shows_the_look_alike_as_it_is_typed(running_app):
    modal = name_step(running_app)
    updates_before = len(running_app.fake.calls("views.update"))
    payload = block_actions_payload(
        "value", CYRILLIC_ESPCF, user_id=modal.user_id, block_id="name", action_type="plain_text_input",
        view={**modal.view, "id": modal.view_id},
    )
    assert running_app.sender.interact(payload).status == 200
    running_app.fake.wait_for("views.update", lambda c: len(running_app.fake.calls("views.update")) > updates_before)
    # The update that answers this keystroke, not the one that first put the wizard in the window.
    update = running_app.fake.calls("views.update")[updates_before]
    shown = Modal(running_app, modal.user_id, update.args["view"]).text()
    assert "N2" in shown and "ESPCF" in shown


@pytest.mark.e2e
@pytest.mark.parametrize("name, ours", [(CYRILLIC_PACC, "PaCC"), ("Amzae parents chat", "Amaze")])
def test_a_reported_look_alike_is_matched_to_the_name_it_imitates(app, name, ours):  # noqa: F811
    modal = report(app, name, user=VOLUNTEER)
    # Matched at once: filed without asking whether to report a name that matches none of ours.
    assert "Thank you" in modal.text() and f"*{ours}*" in modal.text()
    settle(app)  # the managers are told after the reply
