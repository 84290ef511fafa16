"""The web workers only queue a Home refresh; the clock publishes it. Opening the Home tab (or clicking anything)
costs the web worker one statement; the Home appears once the clock's prompt loop has composed it."""
from __future__ import annotations

import time

from bot.home.refresher import build
from bot.wsgi import create_wsgi_app
from flows.home import RegisterFilter, refreshes
from flows.moderation.queries import Standing
from tests.conftest import SIGNING_SECRET, STAFF, STAFF_2
from tests.harness.signing import SlackSender
from tests.harness.wsgi_server import WSGIServer


def test_asking_again_before_it_is_done_keeps_one_refresh_with_the_filter_last_chosen(db):
    refreshes.ask(db, STAFF)
    refreshes.ask(db, STAFF_2)
    refreshes.ask(db, STAFF, RegisterFilter(status=Standing.BLOCKED, page=2))
    assert refreshes.waiting(db) == 2
    first = refreshes.claim(db, limit=1)
    # The oldest asked for goes first, with the filter asked for last.
    assert first == [(STAFF, RegisterFilter(status=Standing.BLOCKED, page=2))]
    assert refreshes.claim(db) == [(STAFF_2, None)]
    assert refreshes.claim(db) == [] and refreshes.waiting(db) == 0


def test_the_web_app_queues_the_home_and_the_clock_publishes_it(settings, db, fake_slack):
    with WSGIServer(create_wsgi_app(settings, db)) as server:
        sender = SlackSender(server.url, SIGNING_SECRET)
        answer = sender.event({"type": "app_home_opened", "user": STAFF, "channel": "D0HOME", "tab": "home"})
        assert answer.status == 200
        deadline = time.monotonic() + 5
        while not refreshes.waiting(db) and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.2)
        assert refreshes.waiting(db) == 1
        assert fake_slack.calls("views.publish") == []  # not in the web app

        refresher = build(settings, db)
        try:
            assert refresher.refresh_due() == 1
        finally:
            refresher.close()
    [published] = fake_slack.calls("views.publish")
    assert published.args["user_id"] == STAFF and published.args["view"]["type"] == "home"
    assert refreshes.waiting(db) == 0
