"""The policy engine: the WhatsApp Group Policy's rules (RULES.md) as pure functions over a proposed group."""
from flows.policy.agreement import a1_agreement_exists, check_agreement
from flows.policy.engine import check, check_description, check_moderators, check_name
from flows.policy.matcher import NameMatch, match_protected_names
from flows.policy.parse import (
    ProposalError,
    parse_moderators_cell,
    proposal_from_dict,
    proposal_from_json,
    proposals_from_csv,
)
from flows.policy.types import (
    CheckResult,
    Finding,
    GroupKind,
    GroupProposal,
    ModeratorEntry,
    ModeratorRole,
    Severity,
)

__all__ = [
    "CheckResult", "Finding", "GroupKind", "GroupProposal", "ModeratorEntry", "ModeratorRole", "NameMatch",
    "ProposalError", "Severity", "a1_agreement_exists", "check", "check_agreement", "check_description",
    "check_moderators", "check_name", "match_protected_names", "parse_moderators_cell", "proposal_from_dict",
    "proposal_from_json", "proposals_from_csv",
]
