"""The Bolt app: one construction for HTTP and Socket Mode, with every workflow's listeners registered."""
from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler

from bot import errors
from bot.groups import listeners as groups
from bot.home import listeners as home
from bot.moderation import listeners as moderation
from bot.newgroup import listeners as newgroup
from bot.people import people_middleware
from bot.removals import dispute_listeners as removal_disputes
from bot.removals import listeners as removals
from bot.reports import listeners as reports
from bot.services import Services
from bot.settings import SlackSettings as Settings
from bot.team_guard import only_our_team
from flows.db import Database

log = logging.getLogger(__name__)


def make_client(settings: Settings) -> WebClient:
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    return WebClient(
        token=token,
        base_url=settings.slack_api_url,
        timeout=settings.slack_timeout_seconds,
        retry_handlers=[ConnectionErrorRetryHandler(max_retry_count=1), RateLimitErrorRetryHandler(max_retry_count=1)],
    )


def create_app(settings: Settings, db: Database | None = None) -> App:
    client = make_client(settings)
    secret = settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else None
    services = Services.build(settings, client, db)
    app = App(
        client=client,
        signing_secret=secret,
        # No network while the app is built: Bolt asks auth.test on the first request instead.
        token_verification_enabled=False,
        # Listeners acknowledge first and do slow work (Slack calls) after, within Slack's 3 seconds.
        process_before_response=False,
        raise_error_for_unhandled_request=False,
        # Before authorization, so that a request from another workspace costs no call to Slack.
        before_authorize=only_our_team(settings, services.directory),
        # Bolt runs each listener, ack() included, on this pool: Bolt's default of 5 threads made acks queue
        # behind other clicks' work under load (see README, Performance).
        listener_executor=ThreadPoolExecutor(max_workers=settings.listener_threads, thread_name_prefix="listener"),
    )
    # After authorization: the person behind the request, for every listener.
    app.use(people_middleware(services.db))
    newgroup.register(app, services)
    removals.register(app, services)
    removal_disputes.register(app, services)
    reports.register(app, services)
    moderation.register(app, services)
    groups.register(app, services)
    home.register(app, services)
    errors.register(app)
    return app
