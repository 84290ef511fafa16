"""App-only tokens from Microsoft Entra (client credentials), for the Bot Connector and for Graph.

One provider serves both: the SDK asks for "https://api.botframework.com/.default" when it sends, the directory for
Graph's scope. MSAL keeps each token until shortly before it expires; a worker that forks later makes its own."""
from __future__ import annotations

import threading

from teams.settings import TeamsSettings

AUTHORITY = "https://login.microsoftonline.com/{tenant}"


class EntraTokens:
    def __init__(self, settings: TeamsSettings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._client = None  # built on first use: no network while the app is built

    def __call__(self, scope: str | list[str], tenant_id: str | None = None) -> str:
        if self.settings.teams_allow_unauthenticated and not self.settings.teams_app_id:
            # The local try-out: no registration to ask, and its connector (the Agents Playground) asks for none.
            return ""
        scopes = scope if isinstance(scope, list) else [scope]
        result = self._msal().acquire_token_for_client(scopes=scopes)
        if "access_token" not in result:
            raise PermissionError(f"Entra gave no token: {result.get('error')}: {result.get('error_description')}")
        return result["access_token"]

    def _msal(self):
        with self._lock:
            if self._client is None:
                import msal

                s = self.settings
                self._client = msal.ConfidentialClientApplication(
                    s.teams_app_id, client_credential=s.teams_app_password.get_secret_value(),
                    authority=AUTHORITY.format(tenant=s.teams_tenant_id or "botframework.com"),
                )
            return self._client
