"""Every mapped class, imported in one place so that migrations and `create_all` see the whole schema."""
from flows.audit.models import AuditEntry
from flows.directory.models import DirectoryCacheEntry
from flows.groups.models import Group, MemberWelcome, Moderator
from flows.home.models import HomeRefresh
from flows.moderation.models import AgreementCirculation, ModeratorCheckin, ModeratorConfirmation, ModeratorVacancy
from flows.outbox.models import Notice
from flows.people.models import Person, PlatformAccount
from flows.removals.models import RemovalDecision
from flows.reports.models import UnofficialGroupCase, UnofficialGroupReport
from flows.scheduler.models import JobRun
from flows.wizard.models import WizardDraft

__all__ = ["AgreementCirculation", "AuditEntry", "DirectoryCacheEntry", "Group", "HomeRefresh", "JobRun", "MemberWelcome",
           "Moderator",
           "ModeratorCheckin", "ModeratorConfirmation", "ModeratorVacancy", "Notice", "Person", "PlatformAccount",
           "RemovalDecision",
           "UnofficialGroupCase", "UnofficialGroupReport", "WizardDraft"]
