"""The hot paths, each run once in this process through our real Bolt app (create_app), with the very requests the
benchmark sends, for the statements they issue and those statements' query plans."""
from __future__ import annotations

from collections.abc import Callable
from unittest import mock

from slack_bolt.context.ack import Ack
from slack_bolt.request import BoltRequest

from bench import load
from bot.app import create_app
from flows.db import Database
from bot.settings import SlackSettings as Settings
from tests.harness.signing import sign

Relabel = Callable[[str], None]


def paths(
    settings: Settings, db: Database, draft: tuple[str, str], decision_id: int, settle: Callable[[], object]
) -> dict[str, Callable[[Relabel], None]]:
    """Each path sends one request; statements run before the listener calls ack() are labelled "until ack", the
    rest (the listener's work after ack(), waited for with `settle`) "after ack"."""
    app = create_app(settings, db)
    secret = settings.slack_signing_secret.get_secret_value()

    def send(name: str, body: str) -> Callable[[Relabel], None]:
        def run(relabel: Relabel) -> None:
            headers = {"content-type": [load.content_type(body)]} | {k.lower(): [v] for k, v in sign(body, secret).items()}
            acknowledge = Ack.__call__

            def acknowledged(ack, *args, **kwargs):
                answer = acknowledge(ack, *args, **kwargs)
                relabel(f"{name}, after ack")
                return answer

            relabel(f"{name}, until ack")
            with mock.patch.object(Ack, "__call__", acknowledged):
                response = app.dispatch(BoltRequest(body=body, headers=headers))
                settle()
            if response.status != 200:
                raise RuntimeError(f"{name}: the app answered {response.status} {response.body[:200]}")
        return run

    def home_refresh(relabel: Relabel) -> None:
        # What the clock's prompt loop does with the refresh app_home_opened queued: compose the Home, publish it.
        from bot.home.refresher import build

        refresher = build(settings, db)
        try:
            if refresher.refresh_due() != 1:
                raise RuntimeError("Home refresh: app_home_opened queued no refresh")
            settle()
        finally:
            refresher.close()

    def notices(relabel: Relabel) -> None:
        # What the clock's prompt loop does with the notices the Approve queued: deliver them.
        from bot.delivery import Deliverer, delivery_client

        Deliverer(db, delivery_client(settings), settings).deliver_due()
        settle()

    return {
        "app_home_opened": send("app_home_opened", load.app_home_opened(0)),
        "Home refresh (clock)": home_refresh,
        "/newgroup": send("/newgroup", load.newgroup_command(0)),
        "name step": send("name step", load.name_step(*draft)),
        "Approve": send("Approve", load.approve_click(decision_id, 0)),
        "Approve's notices (clock)": notices,
        "Approve again": send("Approve again", load.approve_click(decision_id, 1)),
    }
