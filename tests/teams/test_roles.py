"""Roles from Microsoft Entra ID groups through Graph: transitive members, guests never staff, id lists as a
fallback, answers kept in the database (every worker agrees) and failing closed when Graph cannot answer."""
from __future__ import annotations

import pytest

from flows.directory.models import DirectoryCacheEntry
from flows.wizard.models import WizardDraft
from teams.settings import TeamsSettings
from tests.teams.chat import TeamsChat, says
from tests.teams.conftest import GUEST, MANAGER, STAFF, VOLUNTEER, serve
from tests.teams.support import count


def test_a_nested_group_counts_and_a_guest_never_does(teams_app, chat):
    # Managers are in "Staff" only through the nested "Senior managers" group.
    assert says(chat.say(MANAGER, "new group"), "What kind of WhatsApp group")
    assert says(chat.say(GUEST, "new group"), "Only staff can set up")
    calls = teams_app.graph.calls("groups.transitiveMembers")
    assert calls and all(c.path.endswith("/microsoft.graph.user") for c in calls)


def test_answers_are_kept_in_the_database_and_graph_is_not_asked_on_every_click(teams_app, chat):
    chat.say(STAFF, "new group")
    asked = len(teams_app.graph.calls())
    assert count(teams_app.db, DirectoryCacheEntry) >= 2, "the profile and the group's members are kept"
    # Graph is down now; the answers kept a moment ago still hold.
    teams_app.graph.respond_with_status("users.get", 503, times=50)
    teams_app.graph.respond_with_status("groups.transitiveMembers", 503, times=50)
    assert says(chat.say(STAFF, "new group"), "What kind of WhatsApp group")
    assert len(teams_app.graph.calls()) == asked, "nothing was asked of Graph the second time"
    assert count(teams_app.db, WizardDraft) == 2


@pytest.mark.parametrize("status", [401, 403, 429, 503])
def test_when_graph_refuses_or_fails_nobody_is_confirmed(teams_app, chat, status):
    teams_app.graph.respond_with_status("groups.transitiveMembers", status, times=50)
    assert says(chat.say(STAFF, "new group"), "can't confirm your role")
    assert count(teams_app.db, WizardDraft) == 0


def test_a_group_id_that_names_no_group_confirms_nobody(settings, db, authority, connector, graph, teams_settings):
    teams = teams_settings.model_copy(update={"teams_staff_group_id": "00000000-0000-4000-8000-00000000dead",
                                              "teams_pcf_staff_group_id": None})
    server = serve(settings, teams, db, authority)
    try:
        card = TeamsChat(server.url, authority, connector).say(STAFF, "new group")
        assert says(card, "can't confirm your role")
    finally:
        server.stop()


def test_lists_of_entra_ids_stand_in_for_the_groups(settings, db, authority, connector, graph):
    teams = TeamsSettings(_env_file=None, teams_app_id=authority.app_id, teams_graph_url=graph.base_url,
                          teams_openid_metadata_url=authority.openid_metadata_url,
                          teams_staff_ids=[VOLUNTEER.aad_object_id])
    server = serve(settings, teams, db, authority)
    try:
        chat = TeamsChat(server.url, authority, connector)
        assert says(chat.say(VOLUNTEER, "new group"), "What kind of WhatsApp group")
        assert says(chat.say(STAFF, "new group"), "Only staff can set up")
    finally:
        server.stop()
