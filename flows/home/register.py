"""The register as the App Home pages through it, and each person's own groups: filtered, counted and cut to a
page in the database, so that thousands of groups cost what one page costs.

Each statement is built once per shape (which filters are on) with bound parameters for everything else, so that
a Home costs neither the building of its expressions again nor their compiling (SQLAlchemy caches the compiled
form of a statement it has seen)."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from functools import cache

from sqlalchemy import ColumnElement, Select, bindparam, case, func, or_, select
from sqlalchemy.orm import Session

from flows.groups.models import Group, Moderator
from flows.home.conditions import GroupConditions
from flows.moderation.queries import GroupState, Intervals, Standing, today
from flows.policy.types import GroupKind
from flows.settings import Settings

# Groups on one page of the register: with everything else the Home shows, well within a chat screen's limits.
PAGE_SIZE = 20
# A person's own groups shown at the top; the rest are counted (staff find them in the register).
MY_GROUPS_SHOWN = 5
# Far beyond any real register: a page number past it is someone tampering with a button.
MAX_PAGE = 1_000_000


@dataclass(frozen=True)
class RegisterFilter:
    """What a member of staff chose to see: it travels in the Home's buttons and metadata, never in memory."""

    kind: GroupKind | None = None
    status: Standing | None = None
    needs_attention: bool = False
    page: int = 0

    @classmethod
    def of(cls, kind: object = None, status: object = None, needs_attention: object = False, page: object = 0
           ) -> RegisterFilter:
        """From untrusted values (a button, a view's metadata): anything unknown means "no filter"."""
        return cls(
            kind=GroupKind(kind) if isinstance(kind, str) and kind in GroupKind._value2member_map_ else None,
            status=Standing(status) if isinstance(status, str) and status in Standing._value2member_map_ else None,
            needs_attention=needs_attention is True,
            page=min(max(page, 0), MAX_PAGE) if isinstance(page, int) and not isinstance(page, bool) else 0,
        )

    def on_page(self, page: int) -> RegisterFilter:
        return replace(self, page=min(max(page, 0), MAX_PAGE))

    @property
    def filtered(self) -> bool:
        return self.kind is not None or self.status is not None or self.needs_attention


@dataclass(frozen=True)
class RegisterPage:
    filter: RegisterFilter
    # The page's groups' ids in order; their states are read with the rest of the Home's groups.
    group_ids: tuple[int, ...]
    total: int
    page_size: int = PAGE_SIZE

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    @property
    def first(self) -> int:
        """The 1-based position of the page's first group (0 when there is none)."""
        return self.filter.page * self.page_size + 1 if self.group_ids else 0

    @property
    def last(self) -> int:
        return self.filter.page * self.page_size + len(self.group_ids)

    @property
    def has_previous(self) -> bool:
        return self.filter.page > 0

    @property
    def has_next(self) -> bool:
        return self.last < self.total


def register_page(
    session: Session, chosen: RegisterFilter, settings: Settings | None = None, on: date | None = None,
    page_size: int = PAGE_SIZE,
) -> RegisterPage:
    """One page of the register (by name), filtered as chosen; a page past the end shows the last page."""
    counted, paged = _register_statements(chosen.kind is not None, chosen.status, chosen.needs_attention)
    parameters = {**_conditions(settings, on).parameters(), "kind": chosen.kind.value if chosen.kind else None}
    total = session.scalar(counted, parameters)
    pages = max(1, -(-total // page_size))
    chosen = chosen.on_page(min(chosen.page, pages - 1))
    ids = session.scalars(paged, {**parameters, "limit": page_size, "offset": chosen.page * page_size}).all()
    return RegisterPage(chosen, tuple(ids), total, page_size)


@cache
def _register_statements(kind: bool, status: Standing | None, needs_attention: bool) -> tuple[Select, Select]:
    """The register's count and page, for one combination of filters (a handful in all)."""
    where = _where(kind, status, needs_attention, GroupConditions.template())
    counted = select(func.count()).select_from(Group).where(*where)
    paged = (select(Group.id).where(*where).order_by(Group.name, Group.id)
             .limit(bindparam("limit")).offset(bindparam("offset")))
    return counted, paged


def my_group_ids(
    session: Session, user_id: str, settings: Settings | None = None, on: date | None = None,
    limit: int = MY_GROUPS_SHOWN,
) -> tuple[tuple[int, ...], int]:
    """The groups someone moderates (and has not stepped down from) or registered, as flows.moderation.my_groups
    reads them: those needing attention first, then by name. Returns the first `limit` ids and the count."""
    parameters = {**_conditions(settings, on).parameters(), "user_id": user_id, "limit": limit}
    rows = session.execute(_my_groups_statement(), parameters).all()
    return tuple(row[0] for row in rows), (rows[0][1] if rows else 0)


@cache
def _my_groups_statement() -> Select:
    user_id = bindparam("user_id")
    moderating = select(Moderator.group_id).where(
        Moderator.person_id == user_id, Moderator.stepped_down_at.is_(None)
    )
    mine = or_(Group.id.in_(moderating), Group.created_by == user_id)
    first = case((GroupConditions.template().needs_attention, 0), else_=1)
    return (select(Group.id, func.count().over()).where(mine).order_by(first, Group.name, Group.id)
            .limit(bindparam("limit")))


def ordered(states: dict[int, GroupState], ids: tuple[int, ...]) -> tuple[GroupState, ...]:
    return tuple(states[i] for i in ids if i in states)


def _conditions(settings: Settings | None, on: date | None) -> GroupConditions:
    return GroupConditions(Intervals.of(settings), on or today())


def _where(kind: bool, status: Standing | None, needs_attention: bool, conditions: GroupConditions
           ) -> list[ColumnElement[bool]]:
    # The active register: a closed group is found by those who ran it, under their own groups.
    where: list[ColumnElement[bool]] = [Group.closed_at.is_(None)]
    if kind:
        where.append(Group.kind == bindparam("kind"))
    if status is not None:
        where.append(conditions.status_is(status))
    if needs_attention:
        where.append(conditions.needs_attention)
    return where
