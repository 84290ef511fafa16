"""Every mapped class, imported in one place so that migrations and `create_all` see the whole schema."""
from flows.audit.models import AuditEntry
from flows.directory.models import DirectoryCacheEntry
from flows.groups.models import Group, Moderator
from flows.wizard.models import WizardDraft

__all__ = ["AuditEntry", "DirectoryCacheEntry", "Group", "Moderator", "WizardDraft"]
