"""Texts the app drafts from the policy's models: descriptions, welcome messages, agreements, checklists."""
from flows.drafting.agreement import draft_agreement
from flows.drafting.circulation import draft_circulation
from flows.drafting.checklist import ChecklistItem, settings_checklist
from flows.drafting.conduct import conduct_notes
from flows.drafting.descriptions import LINK_PLACEHOLDER, draft_description
from flows.drafting.templates import organisation_shown, quiet_hours_line
from flows.drafting.welcome import draft_welcome_message

__all__ = [
    "ChecklistItem", "LINK_PLACEHOLDER", "conduct_notes", "draft_agreement", "draft_circulation", "draft_description",
    "draft_welcome_message", "organisation_shown", "quiet_hours_line", "settings_checklist",
]
