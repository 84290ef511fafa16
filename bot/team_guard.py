"""Requests from another workspace are refused: the app serves one organisation."""
from __future__ import annotations

from slack_bolt import BoltResponse

from flows.settings import Settings

REFUSED = "This app serves another workspace."


def only_our_team(settings: Settings):
    def middleware(context, body, next, logger):
        expected = settings.slack_team_id
        if not expected or (isinstance(body, dict) and body.get("type") == "url_verification"):
            # Slack's check of the request URL names no workspace; it is answered by Bolt and changes nothing.
            return next()
        if context.team_id != expected:
            # A request that names no workspace is not known to be ours either.
            logger.warning("refused a request from team %s", context.team_id)
            return BoltResponse(status=403, body=REFUSED)
        return next()

    return middleware
