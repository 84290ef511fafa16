"""Requests from another workspace are refused: the app serves one organisation."""
from __future__ import annotations

from slack_bolt import BoltResponse

from flows.settings import Settings


def only_our_team(settings: Settings):
    def middleware(context, next, logger):
        expected = settings.slack_team_id
        if expected and context.team_id and context.team_id != expected:
            logger.warning("refused a request from team %s", context.team_id)
            return BoltResponse(status=403, body="This app serves another workspace.")
        return next()

    return middleware
