"""Who is who: staff, PCF staff and senior managers, from the chat platform's user groups.

The platform (Slack today, Teams later) is reached through a `DirectoryBackend`; answers are cached briefly in the
database so that every worker agrees and the platform is not asked on every click.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from sqlalchemy.exc import IntegrityError

from flows.db import Database, utcnow
from flows.directory.models import DirectoryCacheEntry
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
    # Guests (Slack's restricted accounts) are never staff, whatever group they are put in.
    is_guest: bool = False
    deleted: bool = False


class DirectoryUnavailable(Exception):
    """The platform could not be asked (down, rate-limited, not allowed)."""


class DirectoryBackend(Protocol):
    def usergroup_members(self, usergroup: str) -> list[str]: ...

    def person(self, user_id: str) -> Person: ...


class Directory:
    def __init__(
        self,
        db: Database,
        backend: DirectoryBackend,
        settings: Settings,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.db = db
        self.backend = backend
        self.settings = settings
        self.clock = clock

    def person(self, user_id: str) -> Person:
        cached = self._cached(f"user:{user_id}", lambda: self.backend.person(user_id).__dict__)
        if cached is None:
            return Person(user_id=user_id, name=f"<@{user_id}>")
        return Person(**cached)

    def roles_of(self, user_id: str) -> set[Role]:
        person = self.person(user_id)
        if person.is_guest or person.deleted:
            return set()
        roles = set()
        for role, usergroup, fallback in self._role_sources():
            if user_id in fallback or (usergroup and user_id in self._members(usergroup)):
                roles.add(role)
        return roles

    def has_role(self, user_id: str, *roles: Role) -> bool:
        return bool(self.roles_of(user_id) & set(roles))

    def role_configured(self, role: Role) -> bool:
        return any(usergroup or fallback for r, usergroup, fallback in self._role_sources() if r is role)

    def _role_sources(self) -> list[tuple[Role, str | None, list[str]]]:
        s = self.settings
        return [
            (Role.STAFF, s.staff_usergroup, s.staff_user_ids),
            (Role.PCF_STAFF, s.pcf_staff_usergroup, s.pcf_staff_user_ids),
            (Role.SENIOR_MANAGER, s.senior_managers_usergroup, s.senior_manager_user_ids),
        ]

    def _members(self, usergroup: str) -> set[str]:
        cached = self._cached(f"usergroup:{usergroup}", lambda: {"users": self.backend.usergroup_members(usergroup)})
        return set(cached["users"]) if cached else set()

    def _cached(self, key: str, fetch: Callable[[], dict]) -> dict | None:
        now = self.clock()
        fresh_after = now - timedelta(seconds=self.settings.directory_cache_seconds)
        with self.db.transaction() as session:
            entry = session.get(DirectoryCacheEntry, key)
            if entry is not None and entry.fetched_at >= fresh_after:
                return entry.value
            stale = entry.value if entry is not None else None
        try:
            value = fetch()
        except DirectoryUnavailable:
            # A stale answer beats none: roles rarely change, and refusing staff their work would be worse.
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
