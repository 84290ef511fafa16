"""What the policy says about behaviour in each kind of group, for the person setting it up and the staff in it.

The policy asks these of people rather than of the group's settings, so they are notes, not checklist items:
informal groups still have a route for bullying between colleagues; work groups keep work standards; staff in a
user group are seen as the organisation.
"""
from __future__ import annotations

from flows.drafting.templates import organisation_shown
from flows.policy.types import GroupKind
from flows.settings import Settings

INFORMAL_BULLYING = (
    "Membership and behaviour in an informal group are for its members to decide. But if a colleague bullies or "
    "harasses you in it, you can raise it with your manager or volunteer coordinator, or a senior manager, as you "
    "could if it happened with a colleague in any other setting outside work."
)
WORK_STANDARDS = (
    "The same standards of behaviour apply in this group as in the office or when volunteering: what would be "
    "misconduct in person or on the phone (discriminatory language, for example) is misconduct here too."
)
WORK_NOT_FOR = (
    "A WhatsApp message is no way to call in sick or raise a safeguarding concern: do that directly, and follow up "
    "anything important shared here by email. No one is expected to read the group outside their working or "
    "volunteering hours."
)
_WORK_KINDS = (GroupKind.WORK_VOLUNTEERS, GroupKind.WORK_STAFF, GroupKind.PCF_STEERING)


def representing(org: str) -> str:
    return (
        f"Staff and volunteers in this group are seen as representing {org}, even when they are there in a personal "
        "capacity. When you give a view of your own, say clearly that you are speaking personally. Join with a work "
        "phone number, not a personal one (M11)."
    )


def conduct_notes(kind: GroupKind, name: str, settings: Settings) -> list[str]:
    """The policy's words on behaviour for this kind of group, to hand to whoever sets it up."""
    if not kind.official:
        return [INFORMAL_BULLYING]
    if kind in _WORK_KINDS:
        return [WORK_STANDARDS, WORK_NOT_FOR]
    if kind.user_group:
        return [representing(organisation_shown(kind, name, settings))]
    return []
