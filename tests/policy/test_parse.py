"""Reading proposals from JSON and CSV: one clear sentence for each mistake."""
from __future__ import annotations

import pytest

from flows.policy.parse import (
    ProposalError,
    parse_moderators_cell,
    proposal_from_dict,
    proposal_from_json,
    proposals_from_csv,
)
from flows.policy.types import GroupKind, ModeratorRole


def test_full_json_proposal():
    p = proposal_from_json('{"kind": "pcf_members", "name": "PaCC chat", "expected_members": 40, '
                           '"moderators": [{"name": "Priya", "role": "pcf_staff"}, {"name": "Ola", "role": "PCF staff"}]}')
    assert p.kind is GroupKind.PCF_MEMBERS and p.expected_members == 40
    assert [m.role for m in p.moderators] == [ModeratorRole.PCF_STAFF, ModeratorRole.PCF_STAFF]


@pytest.mark.parametrize("text,says", [
    ('{"kind": "parent_carers",\n "name": }', "line 2, column"),
    ("[]", "must be a JSON object"),
    ('{"kind": "parents", "name": "x"}', "known kinds: parent_carers, young_people"),
    ('{"name": "x"}', "'kind' is missing"),
    ('{"kind": "parent_carers"}', "'name' is missing"),
    ('{"kind": "parent_carers", "name": 7}', "'name' must be text"),
    ('{"kind": "parent_carers", "name": "x", "expected_members": "forty"}', "whole number"),
    ('{"kind": "parent_carers", "name": "x", "expected_members": 40.5}', "whole number"),
    ('{"kind": "parent_carers", "name": "x", "expected_members": true}', "whole number"),
    ('{"kind": "parent_carers", "name": "x", "description": ["a"]}', "'description' must be text"),
    ('{"kind": "parent_carers", "name": "x", "moderators": "Sam"}', "must be a list"),
    ('{"kind": "parent_carers", "name": "x", "moderators": [{"name": "Sam", "role": "boss"}]}',
     "known roles: staff, pcf_staff, volunteer, partner_staff, steering_group"),
    ('{"kind": "parent_carers", "name": "x", "moderators": [{"name": "Sam"}]}', "needs a 'role'"),
    ('{"kind": "parent_carers", "name": "x", "descripton": "typo"}', "Unknown field 'descripton'"),
    ('{"kind": "parent_carers", "name": "x", "expected_members": ' + "9" * 5000 + "}", "not valid JSON"),
    ("[" * 100_000, "not valid JSON"),
])
def test_json_mistakes_are_one_clear_line(text, says):
    with pytest.raises(ProposalError) as e:
        proposal_from_json(text)
    assert says in str(e.value) and "\n" not in str(e.value)


def test_proposal_error_is_a_value_error_for_callers():
    with pytest.raises(ValueError):
        proposal_from_dict({"kind": 1, "name": "x"})


def test_moderators_cell():
    entries = parse_moderators_cell("Sam Jones (staff); Ali (Volunteer) ;")
    assert [(m.name, m.role) for m in entries] == [("Sam Jones", ModeratorRole.STAFF), ("Ali", ModeratorRole.VOLUNTEER)]
    with pytest.raises(ProposalError, match="'Name \\(role\\)'"):
        parse_moderators_cell("Sam Jones")


def test_csv_rows_are_numbered_as_in_a_spreadsheet_and_blank_rows_skipped():
    text = ("kind,name,description,agreement_url,moderators,expected_members,out_of_hours,emergency_contact,"
            "moderation_plan\r\ninformal_social,Hove social,,,,,,,\r\n,,,,,,,,\r\nwork_staff,Amaze staff team,,,,12,,,\r\n")
    rows = proposals_from_csv(text)
    assert [(n, p.kind) for n, p in rows] == [(2, GroupKind.INFORMAL_SOCIAL), (4, GroupKind.WORK_STAFF)]
    assert rows[0][1].description is None and rows[1][1].expected_members == 12


def test_csv_missing_columns_are_named():
    with pytest.raises(ProposalError, match="missing columns: agreement_url, moderators"):
        proposals_from_csv("kind,name,description,expected_members,out_of_hours,emergency_contact,moderation_plan\n")


def test_csv_bad_row_says_which_row():
    header = "kind,name,description,agreement_url,moderators,expected_members,out_of_hours,emergency_contact,moderation_plan"
    with pytest.raises(ProposalError, match="^Row 3: Unknown kind 'socal'"):
        proposals_from_csv(f"{header}\ninformal_social,a social,,,,,,,\nsocal,b,,,,,,,\n")
