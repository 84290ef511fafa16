"""Who is who: staff, PCF staff and senior managers, from the chat platform's user groups.

The directory is asked about people (flows.people); it asks the platform's `DirectoryBackend` about the person's
account there. Someone with no account on the backend's platform holds no role there. Answers are cached briefly in
the database so that every worker agrees and the platform is not asked on every click.

Authority fails closed: an answer is trusted for `directory_cache_seconds`; when it is older (or there is none)
and the platform cannot give a fresh one, a role is not confirmed and `RolesUnconfirmed` is raised, never "no
role" turned into "yes" nor a guest taken for staff. Names are different: a stale or missing name harms nobody.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError

from flows.audit import service as audit
from flows.db import Database, utcnow
from flows.directory.models import DirectoryCacheEntry
from flows.people import account_of
from flows.settings import Settings

log = logging.getLogger(__name__)


class Role(StrEnum):
    STAFF = "staff"
    PCF_STAFF = "pcf_staff"
    SENIOR_MANAGER = "senior_manager"


@dataclass(frozen=True)
class Person:
    user_id: str
    name: str
    # Guests (the platform's restricted accounts) are never staff, whatever group they are put in.
    is_guest: bool = False
    deleted: bool = False


class DirectoryUnavailable(Exception):
    """The platform could not be asked (down, rate-limited, not allowed)."""


class Refusal(StrEnum):
    """Why an action was refused for want of an answer about the person (the adapter words it)."""

    ROLE_UNCONFIRMED = "role_unconfirmed"


class RolesUnconfirmed(Exception):
    """Whether the person holds a role cannot be told now: the platform is not answering and no fresh answer is
    kept. Every permission check lets it through as a refusal; none turns it into a yes."""

    reason = Refusal.ROLE_UNCONFIRMED

    def __init__(self, user_id: str, lookup: str) -> None:
        super().__init__(f"roles of {user_id} unconfirmed: {lookup} could not be looked up")
        self.user_id = user_id
        self.lookup = lookup


# Where a role's members are listed on the platform: a user group (or none), and accounts named in settings.
RoleSource = tuple[Role, str | None, list[str]]
# Built once: SQLAlchemy compiles it once, however many keys each look-up reads.
KEPT = select(DirectoryCacheEntry).where(DirectoryCacheEntry.key.in_(bindparam("keys", expanding=True)))


class DirectoryBackend(Protocol):
    # The platform whose accounts it knows, as flows.people names it.
    platform: str

    def role_sources(self) -> list[RoleSource]: ...

    def usergroup_members(self, usergroup: str) -> list[str]: ...

    def person(self, account_id: str) -> Person: ...

    def own_team(self) -> str: ...


class Directory:
    def __init__(
        self,
        db: Database,
        backend: DirectoryBackend,
        settings: Settings,
        clock: Callable[[], datetime] = utcnow,
        unknown_name: Callable[[str], str] = str,
    ) -> None:
        self.db = db
        self.backend = backend
        self.settings = settings
        self.clock = clock
        # What stands for a name the platform cannot give now: the adapter's way of showing an account by its id.
        self.unknown_name = unknown_name

    def person(self, user_id: str) -> Person:
        """For a name: a stale answer, or the adapter's stand-in for it, when the platform cannot be asked."""
        account = self._account(user_id)
        if account is None:
            return Person(user_id=user_id, name=self.unknown_name(user_id))
        cached = self._cached(f"user:{user_id}", lambda: self.backend.person(account).__dict__, stale_ok=True)
        if cached is None:
            return Person(user_id=user_id, name=self.unknown_name(account))
        return Person(**{**cached, "user_id": user_id})

    def roles_of(self, user_id: str) -> set[Role]:
        """Every role the person holds. Raises RolesUnconfirmed when any of them cannot be told."""
        account, kept = self._kept(user_id, self._role_sources())
        if not self._may_hold_roles(user_id, account, kept):
            return set()
        return {role for role, usergroup, fallback in self._role_sources()
                if self._holds(user_id, account, usergroup, fallback, kept)}

    def has_role(self, user_id: str, *roles: Role) -> bool:
        """Whether the person holds any of these roles. One confirmed role is enough; when none is confirmed and
        one of them could not be told, raises RolesUnconfirmed."""
        sources = [source for source in self._role_sources() if source[0] in roles]
        account, kept = self._kept(user_id, sources)
        if not self._may_hold_roles(user_id, account, kept):
            return False
        unconfirmed = None
        for role, usergroup, fallback in sources:
            try:
                if self._holds(user_id, account, usergroup, fallback, kept):
                    return True
            except RolesUnconfirmed as error:
                unconfirmed = error
        if unconfirmed is not None:
            raise unconfirmed
        return False

    def _account(self, user_id: str) -> str | None:
        with self.db.transaction() as session:
            return account_of(session, user_id, self.backend.platform)

    def _kept(self, user_id: str, sources: list[RoleSource]) -> tuple[str | None, dict[str, DirectoryCacheEntry]]:
        """The person's account on the backend's platform and every answer kept that these roles' look-ups may
        need, in one short read (a look-up asks the platform only for an answer missing or too old)."""
        with self.db.transaction() as session:
            account = account_of(session, user_id, self.backend.platform)
            keys = [f"user:{user_id}"] + [f"usergroup:{usergroup}" for _, usergroup, fallback in sources
                                          if usergroup and account not in fallback]
            entries = session.scalars(KEPT, {"keys": keys}).all()
        return account, {entry.key: entry for entry in entries}

    def _may_hold_roles(self, user_id: str, account: str | None, kept: dict[str, DirectoryCacheEntry]) -> bool:
        # Guests (and deleted accounts) hold no role, so whether someone is a guest must itself be confirmed.
        if account is None:
            return False
        profile = self._cached(f"user:{user_id}", lambda: self.backend.person(account).__dict__, kept=kept)
        if profile is None:
            raise RolesUnconfirmed(user_id, "profile")
        person = Person(**profile)
        return not (person.is_guest or person.deleted)

    def _holds(self, user_id: str, account: str, usergroup: str | None, fallback: list[str],
               kept: dict[str, DirectoryCacheEntry]) -> bool:
        if account in fallback:
            return True
        if not usergroup:
            return False
        members = self._cached(f"usergroup:{usergroup}", lambda: {"users": self.backend.usergroup_members(usergroup)},
                               kept=kept)
        if members is None:
            raise RolesUnconfirmed(user_id, f"user group {usergroup}")
        return account in set(members["users"])

    def own_team(self) -> str:
        """The workspace the app's own token belongs to. Kept without expiry: it is configuration, fixed for as
        long as the token is, so it is asked once per deployment rather than on every request. Raises
        DirectoryUnavailable when it has never been learnt and cannot be now."""
        key = "own_team"
        with self.db.transaction() as session:
            entry = session.get(DirectoryCacheEntry, key)
            if entry is not None and entry.value.get("team_id"):
                return entry.value["team_id"]
        team_id = self.backend.own_team()
        self._store(key, {"team_id": team_id}, self.clock())
        return team_id

    def record_refusal(
        self, actor: str, error: RolesUnconfirmed, action: str, subject_type: str = "person",
        subject_id: object = None,
    ) -> None:
        """The refusal in the audit trail: who was refused what, and whose role could not be confirmed."""
        with self.db.transaction() as session:
            audit.record(
                session, actor=actor, action=action, subject_type=subject_type,
                subject_id=subject_id if subject_id is not None else actor, to_state=None,
                refused=error.reason.value, unconfirmed=error.user_id, lookup=error.lookup,
            )

    def role_configured(self, role: Role) -> bool:
        return any(usergroup or fallback for r, usergroup, fallback in self._role_sources() if r is role)

    def _role_sources(self) -> list[RoleSource]:
        return self.backend.role_sources()

    def _cached(self, key: str, fetch: Callable[[], dict], stale_ok: bool = False,
                kept: dict[str, DirectoryCacheEntry] | None = None) -> dict | None:
        """A fresh answer (kept, or asked for now); a stale one only with stale_ok; None when there is none.
        `kept`: the answers already read (see _kept), instead of a read of its own."""
        now = self.clock()
        fresh_after = now - timedelta(seconds=self.settings.directory_cache_seconds)
        if kept is None:
            with self.db.transaction() as session:
                entry = session.get(DirectoryCacheEntry, key)
        else:
            entry = kept.get(key)
        if entry is not None and entry.fetched_at >= fresh_after:
            return entry.value
        stale = entry.value if entry is not None and stale_ok else None
        try:
            value = fetch()
        except DirectoryUnavailable:
            log.warning("directory lookup %s failed; using %s", key, "a stale answer" if stale else "no answer")
            return stale
        self._store(key, value, now)
        return value

    def _store(self, key: str, value: dict, now: datetime) -> None:
        try:
            with self.db.transaction() as session:
                entry = session.get(DirectoryCacheEntry, key)
                if entry is None:
                    session.add(DirectoryCacheEntry(key=key, value=value, fetched_at=now))
                else:
                    entry.value, entry.fetched_at = value, now
        except IntegrityError:
            # Another worker stored the same answer at the same moment: theirs is as good as ours.
            pass
