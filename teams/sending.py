"""Sending to the Bot Connector: a 429 or a 5xx is tried again a few times (after the Retry-After the connector
asks for, within a bound); a 401 or other refusal is not, since the same request would be refused again."""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import httpx

log = logging.getLogger(__name__)

ATTEMPTS = 3
MAX_WAIT_SECONDS = 5.0


async def with_retries(send: Callable[[], Awaitable], what: str):
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return await send()
        except httpx.HTTPStatusError as error:
            status = error.response.status_code
            if (status != 429 and status < 500) or attempt == ATTEMPTS:
                log.warning("Teams %s failed: the connector answered %s", what, status)
                raise
            await asyncio.sleep(_wait(error.response, attempt))
        except httpx.TransportError:
            if attempt == ATTEMPTS:
                log.warning("Teams %s failed: the connector could not be reached", what)
                raise
            await asyncio.sleep(0.5 * attempt)


def _wait(response: httpx.Response, attempt: int) -> float:
    try:
        asked = float(response.headers.get("Retry-After", ""))
    except ValueError:
        asked = 0.5 * attempt
    return min(max(asked, 0.0), MAX_WAIT_SECONDS)


async def send_card(ctx, made) -> None:
    """A card in the conversation the activity came from."""
    await with_retries(lambda: ctx.send(made), "reply")
