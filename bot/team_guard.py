"""Requests from another workspace are refused: the app serves one organisation.

The workspace is SLACK_TEAM_ID when set; otherwise the one the bot token belongs to, learnt from auth.test and kept
in the database (see `Directory.own_team`). When neither is known, nothing is processed: Slack is answered 503,
which it shows as a failure (and retries, for events), rather than a request from anywhere being taken as ours.
"""
from __future__ import annotations

from slack_bolt import BoltResponse

from bot.settings import SlackSettings as Settings
from flows.directory.service import Directory, DirectoryUnavailable

REFUSED = "This app serves another workspace."
UNKNOWN = "This app cannot confirm its own workspace right now; please try again shortly."


def only_our_team(settings: Settings, directory: Directory):
    def middleware(context, body, next, logger):
        if isinstance(body, dict) and body.get("type") == "url_verification":
            # Slack's check of the request URL names no workspace; it is answered by Bolt and changes nothing.
            return next()
        expected = settings.slack_team_id
        if not expected:
            try:
                expected = directory.own_team()
            except DirectoryUnavailable as error:
                logger.warning("refused a request: the app's own workspace is unknown (%s)", error)
                return BoltResponse(status=503, body=UNKNOWN)
        if context.team_id != expected:
            # A request that names no workspace is not known to be ours either.
            logger.warning("refused a request from team %s", context.team_id)
            return BoltResponse(status=403, body=REFUSED)
        return next()

    return middleware
