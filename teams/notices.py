"""The Teams adapter of the outbox: renders each notice as an Adaptive Card (teams/render.py) when it is delivered,
posts it through the Bot Connector (the Teams SDK's API client) and tells the outbox what happened.

- A person: their 1:1 chat with the app, from the reference kept when the app was installed for them or they wrote
  to it; without one, the chat is opened (Teams allows it only with someone who has the app installed).
- The sign-off destination (and the managers'): the channel TEAMS_APPROVALS_CONVERSATION_ID names, or else each
  senior manager's 1:1 chat.
- A notice that replaces another (a decision taken) updates every post the first one landed at, in place.

Where a notice landed is {"posts": [{"conversation", "activity", "service_url"}]}: only this module reads it.
"""
from __future__ import annotations

import asyncio
import logging
import warnings

import httpx

from flows.db import Database
from flows.directory.service import DirectoryUnavailable, Role
from flows.outbox import Delivered, Destination, RetryLater, Undeliverable
from flows.outbox.worker import Claim, DeliveryOutcome
from flows.people import account_of
from teams import conversations
from teams.conversations import Reference
from teams.directory import PLATFORM, TokenProvider
from teams.render import render
from teams.services import TeamsServices

log = logging.getLogger(__name__)

BOT_SCOPE = "https://api.botframework.com/.default"
CARD = "application/vnd.microsoft.card.adaptive"


class TeamsAdapter:
    platform = PLATFORM

    def __init__(self, services: TeamsServices, token: TokenProvider) -> None:
        self.services = services
        self.token = token

    @property
    def db(self) -> Database:
        return self.services.db

    def reaches(self, destination: Destination) -> bool:
        # Admins are told in Slack's admin channel; Teams has no such place of its own.
        return destination in (Destination.SIGN_OFF, Destination.MANAGERS)

    def send(self, claim: Claim) -> DeliveryOutcome:
        made = render(self.services, claim)
        if made is None:
            return Undeliverable("subject_gone")
        try:
            return asyncio.run(self._send(claim, made.model_dump(by_alias=True, exclude_none=True)))
        except httpx.HTTPStatusError as error:
            return _outcome(error.response)
        except httpx.TransportError as error:
            return RetryLater(f"connector_unreachable: {type(error).__name__}")

    async def _send(self, claim: Claim, content: dict) -> DeliveryOutcome:
        activity = {"type": "message", "attachments": [{"contentType": CARD, "content": content}]}
        if claim.replaces_id is not None:
            posts = (claim.replaced_ref or {}).get("posts") or []
            for post in posts:
                await self._api(post["service_url"]).conversations.update_activity(
                    post["conversation"], post["activity"], _activity(activity))
            return Delivered({"posts": posts})
        targets = await asyncio.to_thread(self._targets, claim)
        if isinstance(targets, (Undeliverable, RetryLater)):
            return targets
        posts, refused = [], None
        for target in targets:
            try:
                posts.append(await self._post(target, activity))
            except httpx.HTTPStatusError as error:
                # One senior manager without the app must not keep the request from the others.
                refused = error
                log.warning("Teams notice %s not posted to one recipient: %s", claim.id, error.response.status_code)
        if not posts:
            if refused is not None:
                raise refused
            return Undeliverable("no_teams_recipient")
        return Delivered({"posts": posts})

    def _targets(self, claim: Claim) -> list[Reference | str] | Undeliverable | RetryLater:
        """References to post to, or person ids whose 1:1 chat is to be opened first."""
        if claim.person_id is not None:
            return [conversations.personal_chat(self.db, claim.person_id) or claim.person_id]
        channel = self.services.teams.teams_approvals_conversation_id
        if channel:
            return [conversations.conversation(self.db, channel)
                    or Reference(channel, self.services.teams.teams_service_url)]
        try:
            managers = self._senior_managers()
        except DirectoryUnavailable:
            return RetryLater("senior_managers_not_looked_up")
        if not managers:
            return Undeliverable("no_senior_managers")
        return [conversations.personal_chat(self.db, p) or p for p in managers]

    def _senior_managers(self) -> list[str]:
        backend = self.services.backend
        group_id, listed = backend.source_of(Role.SENIOR_MANAGER)
        found = listed + (backend.usergroup_members(group_id) if group_id else [])
        return backend.people(list(dict.fromkeys(found)))

    async def _post(self, target: Reference | str, activity: dict) -> dict:
        reference = target if isinstance(target, Reference) else await self._open_chat(target)
        sent = await self._api(reference.service_url).conversations.create_activity(
            reference.conversation_id, _activity(activity))
        return {"conversation": reference.conversation_id, "activity": sent.id, "service_url": reference.service_url}

    async def _open_chat(self, person_id: str) -> Reference:
        """A 1:1 chat with someone the app has not talked with yet: Teams takes their Entra object id."""
        from microsoft_teams.api import CreateConversationParams
        from microsoft_teams.api.models import Account

        with self.db.transaction() as session:
            aad_object_id = account_of(session, person_id, PLATFORM)
        if aad_object_id is None:
            raise _not_on_teams()
        service_url = self.services.teams.teams_service_url
        created = await self._api(service_url).conversations.create(CreateConversationParams(
            members=[Account(id=aad_object_id)], tenant_id=self.services.teams.teams_tenant_id))
        await asyncio.to_thread(conversations.remember, self.db, created.id, "personal", service_url,
                                tenant_id=self.services.teams.teams_tenant_id, person_id=person_id)
        return Reference(created.id, service_url)

    def _api(self, service_url: str):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from microsoft_teams.api import ApiClient
            from microsoft_teams.common import ClientOptions
        tenant = self.services.teams.teams_tenant_id
        return ApiClient(service_url, ClientOptions(token=lambda: self.token(BOT_SCOPE, tenant),
                                                    timeout=self.services.teams.teams_timeout_seconds))


def _activity(activity: dict):
    from microsoft_teams.api import MessageActivityInput

    return MessageActivityInput.model_validate(activity)


def _not_on_teams() -> httpx.HTTPStatusError:
    response = httpx.Response(404, request=httpx.Request("POST", "https://teams.invalid/"))
    return httpx.HTTPStatusError("not on Teams", request=response.request, response=response)


def _outcome(response: httpx.Response) -> DeliveryOutcome:
    status = response.status_code
    if status == 429 or status >= 500:
        try:
            retry_after = float(response.headers.get("Retry-After", ""))
        except ValueError:
            retry_after = None
        return RetryLater(f"connector_{status}", retry_after)
    if status == 401:
        # The bot's own token was refused: a fresh one may do, so it is tried again (within the outbox's bound).
        return RetryLater("connector_401")
    # 403 (the app not installed for them), 404 (no such chat), 400: trying again cannot help.
    return Undeliverable(f"connector_{status}")


def teams_adapter(settings, db: Database, token: TokenProvider | None = None) -> TeamsAdapter | None:
    """The adapter for the outbox's dispatcher (beside Slack's), or None when Teams is not configured."""
    from teams.settings import get_teams_settings
    from teams.tokens import EntraTokens

    teams = get_teams_settings()
    if not teams.enabled:
        return None
    token = token or EntraTokens(teams)
    return TeamsAdapter(TeamsServices.build(settings, teams, db, token), token)
