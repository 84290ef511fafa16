"""The App Home's listeners: publish a person's Home when they open it, turn the register's pages and filters, and
refresh the Home of whoever has just clicked or submitted anything anywhere in the app.

Why the refresh is a listener completion handler and not a global middleware: in Bolt a global middleware runs
before the listener, and a listener's work after ack() runs later on another thread, so a middleware cannot see the
change it should show. Bolt calls its completion handler on that thread once the listener has finished (its
transaction committed, its messages sent), so the Home published then is the state after the click. Other people a
change concerns see it the next time they open their Home: it is composed from the database every time.

The web worker only queues the refresh (flows/home/refreshes.py, one statement); the clock composes and publishes
it within a fraction of a second (bot/home/refresher.py), so a Home costs the web workers nothing but that.
"""
from __future__ import annotations

import logging

from slack_bolt import App
from slack_bolt.listener.listener_completion_handler import ListenerCompletionHandler
from slack_bolt.request import BoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk import WebClient

from bot.home import views
from bot.people import person_id
from bot.services import Services
from flows.home import RegisterFilter, refreshes

log = logging.getLogger(__name__)
INTERACTIONS = ("block_actions", "view_submission")


def register(app: App, services: Services) -> None:
    def publish(client: WebClient, user_id: str, chosen: RegisterFilter | None = None) -> None:
        # `client` stays in the signature: the clock publishes with its own.
        refreshes.ask(services.db, user_id, chosen)

    @app.event("app_home_opened")
    def opened(event, client, context):
        if event.get("tab", "home") != "home":
            return
        # Slack sends the Home as last published: keep the register's filters and page the person left it on.
        publish(client, person_id(context), views.read_filter((event.get("view") or {}).get("private_metadata")))

    def filter_chosen(ack, body, action, client, context):
        ack()
        current = views.read_filter((body.get("view") or {}).get("private_metadata"))
        chosen = views.choose(current, action["action_id"], (action.get("selected_option") or {}).get("value"))
        publish(client, person_id(context), chosen)

    def page_turned(ack, body, action, client, context):
        ack()
        publish(client, person_id(context), views.read_filter(action.get("value")))

    for action_id in views.FILTER_ACTIONS:
        app.action(action_id)(filter_chosen)
    app.action(views.PREVIOUS_ACTION)(page_turned)
    app.action(views.NEXT_ACTION)(page_turned)

    runner = app.listener_runner
    runner.listener_completion_handler = RefreshAfterInteraction(runner.listener_completion_handler, publish)


WIZARD_PREFIX = "newgroup"


class RefreshAfterInteraction(ListenerCompletionHandler):
    """After any click or form submission has been handled, publish the Home of the person who made it."""

    def __init__(self, inner: ListenerCompletionHandler, publish) -> None:
        self.inner = inner
        self.publish = publish

    def handle(self, request: BoltRequest, response: BoltResponse | None) -> None:
        try:
            self.inner.handle(request=request, response=response)
        finally:
            self._refresh(request)

    def _refresh(self, request: BoltRequest) -> None:
        body = request.body if isinstance(request.body, dict) else {}
        if body.get("type") not in INTERACTIONS:
            return
        if any(str(a.get("action_id", "")).startswith(views.PREFIX) for a in body.get("actions") or []):
            return  # the Home's own controls publish it themselves
        if str((body.get("view") or {}).get("callback_id", "")).startswith(WIZARD_PREFIX):
            # The /newgroup wizard is opened from a command, and its steps change nothing the Home shows; the
            # Home is read afresh whenever it is opened. Refreshing here cost every step its speed under load.
            return
        # Known when the middleware could reach the records; otherwise there is no Home to refresh either.
        user_id = request.context.get("person_id")
        client = request.context.client
        if not user_id or client is None:
            return
        view = body.get("view") or {}
        chosen = views.read_filter(view.get("private_metadata")) if view.get("type") == "home" else None
        try:
            self.publish(client, user_id, chosen)
        except Exception:
            # A Home that cannot be refreshed now is refreshed when next opened; the click itself is done.
            log.exception("could not refresh the Home of %s", user_id)
