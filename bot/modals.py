"""Opening a modal: a trigger_id lives three seconds and works once, so the modal opens first (a "Just a moment…"
view when what it shows needs a look-up) and is filled in after. When Slack refuses to open it (the trigger expired,
Slack is down), the person is told where they are, never left with nothing."""
from __future__ import annotations

import logging
from contextlib import contextmanager

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.models.views import View
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from bot import errors, refusals
from bot.blocks import section
from flows.directory.service import RolesUnconfirmed

log = logging.getLogger(__name__)

NOT_OPENED = (
    "Slack didn't let me open the form in time, so nothing has been done. Please try again; if it keeps happening, "
    "Slack may be having trouble."
)
JUST_A_MOMENT = "Just a moment…"


def loading_view(title: str) -> dict:
    return View(type="modal", title=title, close="Cancel", blocks=[section(JUST_A_MOMENT)]).to_dict()


def open_modal(client: WebClient, trigger_id: str, view: dict, user_id: str, channel_id: str | None) -> str | None:
    """The opened view's id, or None when it could not be opened (and the person has been told)."""
    try:
        return client.views_open(trigger_id=trigger_id, view=view)["view"]["id"]
    except SlackApiError as error:
        log.warning("could not open a modal: %s", error.response.get("error"))
    except (SlackClientError, OSError) as error:
        log.warning("could not open a modal: %s", type(error).__name__)
    tell(client, user_id, channel_id, NOT_OPENED)
    return None


def tell(client: WebClient, user_id: str, channel_id: str | None, text: str) -> None:
    """Only the person sees it: in the channel they were in, else (no channel, or the app is not in it) by DM."""
    if channel_id:
        try:
            client.chat_postEphemeral(channel=channel_id, user=user_id, text=text)
            return
        except (SlackApiError, SlackClientError, OSError) as error:
            log.info("could not answer in the channel, so by direct message: %s", type(error).__name__)
    try:
        client.chat_postMessage(channel=user_id, text=text)
    except (SlackApiError, SlackClientError, OSError) as error:
        log.warning("could not tell %s: %s", user_id, type(error).__name__)


def channel_of(body: dict) -> str | None:
    """Where a command was typed or a button pressed; None for the App Home and modals."""
    if body.get("channel_id"):
        return body["channel_id"]
    container = body.get("container") or {}
    if container.get("type") == "view":
        return None
    return (body.get("channel") or {}).get("id") or container.get("channel_id")


@contextmanager
def says_so_if_it_cannot_go_on(client: WebClient, view_id: str):
    """A modal opened with "Just a moment…" must not stay that way when the records cannot be read, or when who
    the person is cannot be confirmed (that refusal was recorded where it was found; here it is said)."""
    try:
        yield
    except (DBAPIError, PoolTimeoutError):
        client.views_update(view_id=view_id, view=errors.message_view(errors.DATABASE_UNAVAILABLE))
        raise
    except RolesUnconfirmed as error:
        client.views_update(view_id=view_id, view=errors.message_view(refusals.word(error.reason)))
