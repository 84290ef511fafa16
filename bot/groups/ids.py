"""The block, action and callback ids of a registered group's forms. A field's block id is its form field's name
in flows/groups, so the domain's errors land on the field they are about."""
from __future__ import annotations

from enum import StrEnum

# Every input's action_id: the block id says which field it is (as in the wizard).
VALUE = "value"


class ActionId(StrEnum):
    # On the group in the App Home.
    CHANGE = "group_change"
    WELCOME = "group_welcome"
    # In the "Change this group" menu; the value is the group's id.
    MODERATORS = "group_change_moderators"
    DETAILS = "group_change_details"
    CLOSE = "group_close"
    REOPEN = "group_reopen"


class CallbackId(StrEnum):
    MODERATORS = "group_moderators_form"
    DETAILS = "group_details_form"
    CLOSE = "group_close_form"
    WELCOME = "group_welcome_form"
    MENU = "group_change_menu"


class BlockId(StrEnum):
    STAFF_MODERATORS = "staff_moderators"
    LEAD_MODERATOR = "lead_moderator"
    OTHER_MODERATORS = "other_moderators"
    PARTNER_MODERATORS = "partner_moderators"
    OFFLINE_MODERATORS = "offline_moderators"
    EMERGENCY_CONTACT = "emergency_contact"
    NAME = "name"
    DESCRIPTION = "description"
    AGREEMENT_URL = "agreement_url"
    EXPECTED_MEMBERS = "expected_members"
    OUT_OF_HOURS = "out_of_hours"
    MODERATION_PLAN = "moderation_plan"
    QUIET_HOURS = "quiet_hours"
    CLOSED_AS = "closed_as"
    REASON = "reason"
    MEMBER = "member"
    MENU = "group_change_menu"
