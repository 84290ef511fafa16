"""Texts the app drafts from the policy's models: descriptions, welcome messages, agreements, checklists."""
from flows.drafting.agreement import draft_agreement
from flows.drafting.checklist import ChecklistItem, settings_checklist
from flows.drafting.descriptions import LINK_PLACEHOLDER, draft_description
from flows.drafting.templates import organisation_shown
from flows.drafting.welcome import draft_welcome_message

__all__ = [
    "ChecklistItem", "LINK_PLACEHOLDER", "draft_agreement", "draft_description", "draft_welcome_message",
    "organisation_shown", "settings_checklist",
]
