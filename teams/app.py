"""The Teams front: the Teams SDK's App, with the app's handlers, built in each web worker on its first Teams request.

Every activity is authenticated by the SDK (the Bot Framework token: issuer, audience, signing key from the OpenID
metadata setting, `serviceurl` equal to the activity's). The handlers are thin: who is asking (their Entra object id,
as a person), which command or card button, then flows on a thread (flows is synchronous), then a card.
"""
from __future__ import annotations

import asyncio
import logging
import re
import warnings
from dataclasses import dataclass

from flows.db import Database
from flows.directory.service import RolesUnconfirmed
from flows.people import person_for_account
from flows.settings import Settings
from flows.wizard.service import WizardError
from teams import conversations, refusals
from teams.cards import wizard as wizard_cards
from teams.cards.common import CardTooLarge, card, heading, note
from teams.directory import PLATFORM, TokenProvider
from teams.handlers import COMMANDS, VERBS, help_card
from teams.http import MESSAGES_PATH, RouteAdapter
from teams.sending import send_card
from teams.services import TeamsServices
from teams.settings import TeamsSettings
from teams.tokens import EntraTokens

log = logging.getLogger(__name__)
_MENTION = re.compile(r"<at>.*?</at>", re.IGNORECASE | re.DOTALL)


def _sdk():
    with warnings.catch_warnings():  # the SDK warns about its own preview parts on import
        warnings.simplefilter("ignore")
        from microsoft_teams.api import AdaptiveCardActionCardResponse
        from microsoft_teams.api.auth.cloud_environment import PUBLIC, with_overrides
        from microsoft_teams.apps import App
    return App, AdaptiveCardActionCardResponse, PUBLIC, with_overrides


@dataclass
class TeamsFront:
    app: object
    services: TeamsServices
    handler: object
    allow_unauthenticated: bool


async def build_front(settings: Settings, teams: TeamsSettings, db: Database | None = None,
                      token: TokenProvider | None = None) -> TeamsFront:
    """``token``: where the bot's own access tokens come from (Entra's client-credentials flow unless given)."""
    App, CardResponse, PUBLIC, with_overrides = _sdk()
    db = db or Database(settings.database_url)
    token = token or EntraTokens(teams)
    services = await asyncio.to_thread(TeamsServices.build, settings, teams, db, token)
    if teams.teams_allow_unauthenticated:
        log.warning("!" * 100)
        log.warning("TEAMS_ALLOW_UNAUTHENTICATED is on: Teams activities are accepted WITHOUT any token check, from "
                    "loopback addresses only. For the local Agents Playground; never in production.")
        log.warning("!" * 100)
    adapter = RouteAdapter()
    app = App(
        client_id=teams.teams_app_id, tenant_id=teams.teams_tenant_id, token=token, http_server_adapter=adapter,
        cloud=with_overrides(PUBLIC, openid_metadata_url=teams.teams_openid_metadata_url),
        dangerously_allow_unauthenticated_requests=teams.teams_allow_unauthenticated,
        messaging_endpoint=MESSAGES_PATH,
    )
    _register(app, services, CardResponse)
    await app.initialize()
    return TeamsFront(app, services, adapter.handlers[("POST", MESSAGES_PATH)], teams.teams_allow_unauthenticated)


def _register(app, services: TeamsServices, CardResponse) -> None:
    @app.on_message
    async def on_message(ctx):
        person_id = await _person(services, ctx.activity)
        if person_id is None:
            await send_card(ctx, _said(refusals.NO_IDENTITY))
            return
        await _remember(services, ctx.activity, person_id)
        text = _MENTION.sub("", ctx.activity.text or "").strip()
        words = text.lower().split()
        command = next(((name, h) for name, h in COMMANDS if words[: len(name.split())] == name.split()), None)
        if command is None:
            await send_card(ctx, help_card())
            return
        name, handler = command
        # What follows the command ("new group Amaze Parents"), as typed.
        argument = " ".join(text.split()[len(name.split()):])
        await send_card(ctx, await _run(services, handler, person_id, argument))

    @app.on_installation_update
    async def on_installed(ctx):
        # Installed for a person (or a team): from now on the app may write to them first.
        if getattr(ctx.activity, "action", None) == "add":
            await _remember(services, ctx.activity, await _person(services, ctx.activity))

    @app.on_conversation_update
    async def on_conversation_update(ctx):
        added = getattr(ctx.activity, "members_added", None) or []
        if any(m.id == ctx.activity.recipient.id for m in added):
            await _remember(services, ctx.activity, await _person(services, ctx.activity))

    @app.on_card_action_execute
    async def on_card_action(ctx):
        action = ctx.activity.value.action
        data = action.data if isinstance(action.data, dict) else {}
        handler = VERBS.get(action.verb or "")
        person_id = await _person(services, ctx.activity)
        if person_id is None:
            made = _said(refusals.NO_IDENTITY)
        elif handler is None:
            made = _said("This card is out of date. Type “home” to see where things stand.")
        else:
            made = await _run(services, handler, person_id, data)
        return CardResponse(value=made)


async def _run(services: TeamsServices, handler, person_id: str, argument):
    """A handler on a thread; what cannot go on is a card that says why, never a stack trace."""
    try:
        return await asyncio.to_thread(handler, services, person_id, argument)
    except RolesUnconfirmed as error:
        return _said(refusals.word(error.reason))
    except WizardError as error:
        return wizard_cards.message_card(str(error).replace("Type /newgroup", "Type “new group”"), start_again=True)
    except CardTooLarge:
        log.exception("a card over Teams' size limit was not sent")
        return _said("That is more than one card can show. Type “home” to see where things stand.")


async def _remember(services: TeamsServices, activity, person_id: str | None) -> None:
    conversation = activity.conversation
    kind = conversation.conversation_type or "personal"
    if kind not in ("personal", "channel") or not activity.service_url:
        return
    if kind == "personal" and person_id is None:
        return
    await asyncio.to_thread(
        conversations.remember, services.db, conversation.id, kind, activity.service_url,
        tenant_id=conversation.tenant_id, person_id=person_id, teams_user_id=activity.from_.id,
    )


async def _person(services: TeamsServices, activity) -> str | None:
    """The person behind the activity's sender; None when it cannot be told who they are, or they belong to another
    organisation's tenant (the token proves the activity came through Teams, not from whose Teams)."""
    aad_object_id = getattr(activity.from_, "aad_object_id", None)
    if not aad_object_id or not _our_tenant(services, activity):
        return None

    def find() -> str:
        with services.db.transaction() as session:
            return person_for_account(session, PLATFORM, aad_object_id)

    return await asyncio.to_thread(find)


def _our_tenant(services: TeamsServices, activity) -> bool:
    ours = services.teams.teams_tenant_id
    if not ours:
        return True
    data = activity.channel_data
    tenant = getattr(activity.conversation, "tenant_id", None) or getattr(getattr(data, "tenant", None), "id", None)
    return (tenant or "").lower() == ours.lower()


def _said(text: str):
    return card([heading("Group Policy Assistant"), note(text)], fallback=text)
