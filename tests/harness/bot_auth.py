"""A local stand-in for the identity side of Teams: signing keys made at test time, the OpenID
metadata and JWKS the Teams SDK reads to check incoming activities, and tokens minted the way
the real services issue them.

- Tokens the Bot Connector service sends to the bot (``bot_framework_token``): issuer
  https://api.botframework.com, audience the bot's app id, a ``serviceurl`` claim, RS256 with a
  ``kid`` the JWKS publishes.
- Tokens Entra issues to the bot for calling the connector or Graph (``app_token``): audience the
  resource, ``azp``/``appid`` the bot's app id, application ``roles``. The fake connector and fake
  Graph trust these, as the real ones trust Entra.

The SDK derives the JWKS address from the metadata URL (``.../openidconfiguration`` becomes
``.../keys``) instead of reading ``jwks_uri``, so both live where the real ones do relative to each
other: ``/v1/.well-known/openidconfiguration`` and ``/v1/.well-known/keys``.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from .http_fake import FakeService, route

APP_ID = "00000000-0000-4000-8000-00000000b075"
TENANT_ID = "00000000-0000-4000-8000-0000000a11ce"
BOT_FRAMEWORK_ISSUER = "https://api.botframework.com"
BOT_CONNECTOR_RESOURCE = "https://api.botframework.com"
GRAPH_RESOURCE = "https://graph.microsoft.com"
ENTRA_ISSUER = f"https://login.microsoftonline.com/{TENANT_ID}/v2.0"
METADATA_PATH = "/v1/.well-known/openidconfiguration"
JWKS_PATH = "/v1/.well-known/keys"


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private_key: rsa.RSAPrivateKey

    @classmethod
    def generate(cls) -> "SigningKey":
        return cls(uuid.uuid4().hex, rsa.generate_private_key(public_exponent=65537, key_size=2048))

    def jwk(self) -> dict[str, Any]:
        jwk = RSAAlgorithm.to_jwk(self.private_key.public_key(), as_dict=True)
        # The Bot Framework's keys say which channels they sign for.
        return {**jwk, "kid": self.kid, "use": "sig", "endorsements": ["msteams"]}


class BotAuthority(FakeService):
    """Serves the OpenID metadata and JWKS, and mints tokens signed with the published key."""

    name = "fake-bot-auth"
    routes = (
        route("GET", METADATA_PATH, "openid.metadata"),
        route("GET", JWKS_PATH, "openid.keys"),
    )

    def __init__(self, app_id: str = APP_ID) -> None:
        self.app_id = app_id
        self.key = SigningKey.generate()
        super().__init__()
        self.openid_metadata_url = self.url + METADATA_PATH
        self.jwks_uri = self.url + JWKS_PATH

    def foreign_key(self) -> SigningKey:
        """A key this authority never publishes: what a forger would sign with."""
        return SigningKey.generate()

    # -- tokens the Bot Connector sends to the bot --------------------------

    def bot_framework_token(
        self,
        service_url: str,
        *,
        audience: str | None = None,
        issuer: str = BOT_FRAMEWORK_ISSUER,
        expires_in: int = 3600,
        not_before: int | None = None,
        key: SigningKey | None = None,
        kid: str | None = None,
        **claims: Any,
    ) -> str:
        """Valid unless told otherwise; ``kid`` defaults to the signing key's own."""
        now = int(time.time())
        payload = {
            "serviceurl": service_url,
            "nbf": now - 5 if not_before is None else not_before,
            "iat": now - 5,
            "exp": now + expires_in,
            "iss": issuer,
            "aud": audience or self.app_id,
            **claims,
        }
        return self._sign(payload, key, kid)

    def refused_bot_framework_tokens(self, service_url: str) -> dict[str, str]:
        """Tokens a bot must refuse for an activity from ``service_url``, by what is wrong with them."""
        forged = self.foreign_key()
        hour = 3600
        # Past the SDK's five-minute clock leeway.
        return {
            "another key, unknown kid": self.bot_framework_token(service_url, key=forged),
            "another key, published kid": self.bot_framework_token(service_url, key=forged, kid=self.key.kid),
            "another audience": self.bot_framework_token(service_url, audience=str(uuid.uuid4())),
            "another issuer": self.bot_framework_token(service_url, issuer="https://sts.example.org"),
            "expired": self.bot_framework_token(service_url, expires_in=-hour),
            "not yet valid": self.bot_framework_token(service_url, not_before=int(time.time()) + hour),
            "another serviceurl": self.bot_framework_token("https://smba.example.org/emea/"),
        }

    # -- tokens Entra issues to the bot --------------------------------------

    def app_token(
        self,
        resource: str = BOT_CONNECTOR_RESOURCE,
        *,
        app_id: str | None = None,
        roles: list[str] | None = None,
        expires_in: int = 3600,
        key: SigningKey | None = None,
        **claims: Any,
    ) -> str:
        """An app-only access token for ``resource`` (client-credentials flow)."""
        now = int(time.time())
        app_id = app_id or self.app_id
        payload = {
            "aud": resource,
            "iss": ENTRA_ISSUER,
            "iat": now - 5,
            "nbf": now - 5,
            "exp": now + expires_in,
            "azp": app_id,
            "appid": app_id,
            "tid": TENANT_ID,
            "idtyp": "app",
            "ver": "2.0",
            **({"roles": roles} if roles is not None else {}),
            **claims,
        }
        return self._sign(payload, key, None)

    def graph_token(self, roles: list[str] | None = None, **kwargs: Any) -> str:
        """For Graph; by default with the application permissions the fake Graph asks for."""
        if roles is None:
            roles = ["GroupMember.Read.All", "User.Read.All"]
        return self.app_token(GRAPH_RESOURCE, roles=roles, **kwargs)

    def token_provider(self, scope: str | list[str], tenant_id: str | None = None) -> str:
        """Plays Entra for the Teams SDK: ``App(client_id=..., token=authority.token_provider)``.

        The SDK asks for "<resource>/.default" (the Bot Connector, or Graph)."""
        resource = (scope[0] if isinstance(scope, list) else scope).removesuffix("/.default")
        if resource == GRAPH_RESOURCE:
            return self.graph_token()
        return self.app_token(resource)

    def verify_app_token(self, token: str | None, resource: str, app_id: str) -> dict[str, Any] | None:
        """The claims if ``token`` is one this authority issued for ``resource`` to ``app_id``, else None."""
        if not token:
            return None
        try:
            claims = jwt.decode(token, self.key.private_key.public_key(), algorithms=["RS256"],
                                audience=resource, issuer=ENTRA_ISSUER,
                                options={"require": ["exp", "nbf", "aud", "iss"]})
        except jwt.PyJWTError:
            return None
        caller = claims.get("azp") or claims.get("appid")
        return claims if caller == app_id else None

    def _sign(self, payload: dict[str, Any], key: SigningKey | None, kid: str | None) -> str:
        key = key or self.key
        return jwt.encode(payload, key.private_key, algorithm="RS256",
                          headers={"kid": kid or key.kid, "typ": "JWT"})

    # -- the OpenID endpoints ------------------------------------------------

    def _op_openid_metadata(self, call):
        return 200, {
            "issuer": BOT_FRAMEWORK_ISSUER,
            "authorization_endpoint": "https://invalid.botframework.com",
            "jwks_uri": self.jwks_uri,
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["private_key_jwt"],
        }

    def _op_openid_keys(self, call):
        return 200, {"keys": [self.key.jwk()]}
