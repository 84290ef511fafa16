"""Settings and model texts shared by the policy tests."""
from __future__ import annotations

import pytest

from flows.policy.types import GroupKind, GroupProposal, ModeratorEntry, ModeratorRole
from flows.settings import Settings

AGREEMENT_URL = "https://www.amazesussex.org.uk/whatsapp/hove-parents-agreement"
EMAIL = "hove.parents@amazesussex.org.uk"

# The policy's appendix "Model group descriptions", verbatim (curly apostrophes included).
MODEL_ADULT = (
    "This is an Amaze/ESPCF/PaCC group. We want it to be safe and welcoming. When you join the group, you are "
    "agreeing to share your phone number with all other group members and to stick to our group agreement (OR in "
    "our chat here we should stick to the way we have agreed to work together as a Steering Group). Please read "
    "the agreement here [LINK](#) to exact location on website.\n\n"
    "Let us know if a member breaks the agreement or makes you feel uncomfortable or unsafe by messaging the group "
    "admins. They are marked on the participants list below. Scroll down to see this. Or email xxx@xxx.org.uk"
)
MODEL_YOUNG = (
    "This is an Amazing Futures group.\n\n"
    "All the group can see each other\u2019s phone numbers. If you join you agree to this.\n\n"
    "Stick to the Amazing Futures group agreement here the same as at group meetings.\n\n"
    "No messages after 8pm (people need their beauty sleep)\n\n"
    "Please do not private message people from the WhatsApp group\n\n"
    "If you are worried about anyone then please let x or y know."
)


def filled_adult(url: str = AGREEMENT_URL) -> str:
    return MODEL_ADULT.replace("[LINK]", url).replace("xxx@xxx.org.uk", EMAIL)


def filled_young(url: str = AGREEMENT_URL) -> str:
    return MODEL_YOUNG.replace("group agreement here", f"group agreement here {url}").replace(
        "let x or y know", "let Claire or Dev know")


@pytest.fixture
def settings() -> Settings:
    return Settings(_env_file=None)


def staff_role(kind: GroupKind) -> ModeratorRole:
    return ModeratorRole.PCF_STAFF if kind.pcf else ModeratorRole.STAFF


def good_proposal(kind: GroupKind, **changes) -> GroupProposal:
    """A proposal that the policy accepts, with real names and a real link, to change one thing at a time."""
    from flows.drafting import draft_description

    names = {
        GroupKind.PARENT_CARERS: "Amaze Hove parent carers",
        GroupKind.YOUNG_PEOPLE: "Amazing Futures Hove",
        GroupKind.PCF_MEMBERS: "PaCC members chat",
        GroupKind.WORK_VOLUNTEERS: "Amaze SENDIASS volunteers team",
        GroupKind.WORK_STAFF: "Amaze staff team",
        GroupKind.PCF_STEERING: "ESPCF steering group",
        GroupKind.INFORMAL_SOCIAL: "Hove mums social",
        GroupKind.PCF_INFORMAL: "Steering friends informal chat",
    }
    moderators = () if not kind.official else (
        ModeratorEntry("Claire Smith", staff_role(kind)),
        ModeratorEntry("Dev Patel", ModeratorRole.STEERING_GROUP if kind.pcf else ModeratorRole.VOLUNTEER),
    )
    base = dict(
        kind=kind, name=names[kind], moderators=moderators,
        agreement_url=AGREEMENT_URL if kind.user_group else None,
        expected_members=30 if kind.official else None,
        out_of_hours="Dev watches the group in the evenings and calls Claire" if kind.needs_moderators else None,
        emergency_contact="Jo Senior, head of services" if kind.needs_moderators else None,
    )
    base.update(changes)
    if "description" not in changes:
        base["description"] = draft_description(
            kind, base["name"], Settings(_env_file=None), base["agreement_url"],
            [m.name.split()[0] for m in base["moderators"]], EMAIL) or None
    return GroupProposal(**base)
