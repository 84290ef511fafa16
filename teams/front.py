"""The Teams endpoint as the web process serves it: built lazily, in the worker, on its first Teams request."""
from __future__ import annotations

from flows.db import Database
from flows.settings import Settings
from teams.directory import TokenProvider
from teams.http import TeamsEndpoint
from teams.settings import TeamsSettings


def endpoint(settings: Settings, teams: TeamsSettings, db: Database | None = None,
             token: TokenProvider | None = None) -> TeamsEndpoint:
    async def build():
        from teams.app import build_front  # the SDK is imported here, in the worker, not when the process starts

        return await build_front(settings, teams, db, token)

    return TeamsEndpoint(build, settings.max_request_bytes, settings.request_read_timeout_seconds)
