"""Which adapter delivers a notice, without knowing any platform: each adapter says its platform's name, which
destinations it reaches and which people it can reach; the dispatcher hands the claim to the one that should
send it and notes which one did.

- a replacement (an edit in place) goes to the adapter that delivered the notice it replaces: only that one can
  read where it landed;
- a person goes to the first adapter, in the order they were given, that the person has an account on;
- a destination goes to the first adapter that reaches it;
- otherwise the notice is undeliverable, with the reason (and the admins are told, as of any failure)."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Protocol

from flows.db import Database
from flows.outbox.models import Destination, NoticeKind
from flows.outbox.worker import Claim, Delivered, DeliveryOutcome, Undeliverable
from flows.people import accounts_of


class Adapter(Protocol):
    platform: str

    def reaches(self, destination: Destination) -> bool: ...

    def send(self, claim: Claim) -> DeliveryOutcome: ...


class Dispatcher:
    def __init__(self, db: Database, adapters: Sequence[Adapter]):
        self.db = db
        self.adapters = list(adapters)

    def __call__(self, claim: Claim) -> DeliveryOutcome:
        adapter = self.adapter_for(claim)
        if isinstance(adapter, Undeliverable):
            return adapter
        outcome = adapter.send(claim)
        if isinstance(outcome, Delivered):
            return replace(outcome, via=adapter.platform)
        return outcome

    def adapter_for(self, claim: Claim) -> Adapter | Undeliverable:
        if claim.replaces_id is not None:
            return self._by_platform(claim.replaced_via, f"the adapter that delivered notice {claim.replaces_id}")
        if claim.kind is NoticeKind.PLATFORM_CALL:
            # Queued before notices, for the platform named in it.
            return self._by_platform(claim.data.get("platform"), "the platform it was queued for")
        if claim.person_id is not None:
            return self._for_person(claim.person_id)
        if claim.destination is not None:
            found = next((a for a in self.adapters if a.reaches(claim.destination)), None)
            return found or Undeliverable(f"no_adapter_reaches_{claim.destination.value}")
        return Undeliverable("no_recipient")

    def _by_platform(self, platform: str | None, what: str) -> Adapter | Undeliverable:
        found = next((a for a in self.adapters if a.platform == platform), None)
        return found or Undeliverable(f"no_adapter_for_{platform or 'unknown'} ({what})"[:200])

    def _for_person(self, person_id: str) -> Adapter | Undeliverable:
        with self.db.transaction() as session:
            accounts = accounts_of(session, person_id)
        found = next((a for a in self.adapters if a.platform in accounts), None)
        if found is None:
            # Before every stored id was a person's (rows written by older versions), an adapter may recognise
            # one of its own platform's account ids.
            found = next((a for a in self.adapters if getattr(a, "reaches_unlinked", lambda _: False)(person_id)),
                         None)
        return found or Undeliverable("recipient_has_no_account_on_any_platform")
