"""People at Slack's edge. flows/ knows people by the app's own ids (flows.people); Slack knows user ids.

Coming in, a Bolt middleware finds the person behind the requesting Slack user once per request (made on first
sight) and puts their id in the context; the user pickers' Slack ids become person ids where forms are parsed.
Going out, whatever the adapter renders writes a person as `<@person id>` or puts their id where Slack wants a user
(a direct message's channel, an ephemeral message's user, a picker's initial users), and one step on the way to
Slack turns each into their Slack account, or, for a person who has none, their name. Every Web API call of a
request's client and of the delivery client passes through it, and so does every acknowledgement.
"""
from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.orm import Session

from flows.db import Database
from flows.groups.models import Moderator
from flows.people import account_of, person_for_account

log = logging.getLogger(__name__)
DATABASE_ERRORS = (DBAPIError, PoolTimeoutError)
_PERSON, _FIND = "person_id", "gpa_find_person"
# flows.people's name for Slack: the platform of every account this adapter reads.
PLATFORM = "slack"
PERSON_ID = re.compile(r"p[0-9a-f]{16}")
_PERSON_MENTION = re.compile(r"<@(p[0-9a-f]{16})>")
# Where Slack's Web API takes a user id (or a list of them).
_USER_FIELDS = {"channel", "user", "user_id", "initial_user"}
_USER_LIST_FIELDS = {"initial_users", "users"}


def person_of(db: Database, user_id: str) -> str:
    """The person with this Slack account, made on first sight."""
    with db.transaction() as session:
        return person_for_account(session, PLATFORM, user_id)


def people_of(db: Database, user_ids: list[str]) -> list[str]:
    """The people picked in a Slack user picker, in the order picked."""
    if not user_ids:
        return []
    with db.transaction() as session:
        return [person_for_account(session, PLATFORM, u) for u in user_ids]


def slack_id(session: Session, person_id: str) -> str | None:
    return account_of(session, person_id, PLATFORM)


def mention(session: Session, person_id: str | None) -> str:
    """A person as Slack shows them: their account's mention, else the name they are registered by."""
    if not person_id:
        return "someone"
    account = slack_id(session, person_id)
    if account:
        return f"<@{account}>"
    name = session.scalars(select(Moderator.name).where(Moderator.person_id == person_id)
                           .order_by(Moderator.id.desc()).limit(1)).first()
    return name or "someone"


def on_slack(db: Database, payload: Any) -> Any:
    """The payload with every person written in it turned into what Slack reads; untouched (and no database read)
    when it names no person."""
    if not PERSON_ID.search(json.dumps(payload, default=str)):
        return payload
    with db.transaction() as session:
        return _translate(payload, lambda p: mention(session, p), lambda p: slack_id(session, p) or p)


def _translate(value: Any, mentioned: Callable[[str], str], account: Callable[[str], str], key: str = "") -> Any:
    if isinstance(value, dict):
        return {k: _translate(v, mentioned, account, k) for k, v in value.items()}
    if isinstance(value, list):
        if key in _USER_LIST_FIELDS:
            return [account(v) if isinstance(v, str) and PERSON_ID.fullmatch(v) else v for v in value]
        return [_translate(v, mentioned, account) for v in value]
    if isinstance(value, str):
        if key in _USER_FIELDS and PERSON_ID.fullmatch(value):
            return account(value)
        return _PERSON_MENTION.sub(lambda m: mentioned(m[1]), value)
    return value


class PeopleOnSlackClient(WebClient):
    """A WebClient whose calls name Slack users where the adapter wrote people."""

    def __init__(self, db: Database, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.people_db = db

    @classmethod
    def wrapping(cls, client: WebClient, db: Database) -> PeopleOnSlackClient:
        return cls(db, token=client.token, base_url=client.base_url, timeout=client.timeout, ssl=client.ssl,
                   proxy=client.proxy, headers=client.headers, team_id=getattr(client, "team_id", None),
                   logger=client.logger, retry_handlers=client.retry_handlers)

    def api_call(self, api_method: str, *, json: dict | None = None, params: dict | None = None,  # noqa: A002
                 data: dict | None = None, **kwargs: Any):
        if api_method == "conversations.history":
            # A person's direct messages: the history to read is the conversation with their Slack account.
            json, params = (self._direct_message(part) for part in (json, params))
        json, params, data = (on_slack(self.people_db, part) if part else part for part in (json, params, data))
        return super().api_call(api_method, json=json, params=params, data=data, **kwargs)

    def _direct_message(self, args: dict | None) -> dict | None:
        if not args or not PERSON_ID.fullmatch(str(args.get("channel") or "")):
            return args
        account = on_slack(self.people_db, {"user": args["channel"]})["user"]
        return {**args, "channel": self.conversations_open(users=account)["channel"]["id"]}


class PeopleOnSlackAck(Ack):
    """ack() whose views and texts name Slack users where the adapter wrote people."""

    def __init__(self, db: Database) -> None:
        super().__init__()
        self.people_db = db

    def __call__(self, text: str | dict = "", **kwargs: Any):
        text = on_slack(self.people_db, text)
        kwargs = {k: on_slack(self.people_db, v) if v is not None else v for k, v in kwargs.items()}
        return super().__call__(text, **kwargs)


def people_middleware(db: Database) -> Callable:
    """Bolt middleware: the person behind the request (see `person_id`), and a client and ack() that turn people
    back into Slack users."""

    def resolve(context: BoltContext, next: Callable[[], Any]) -> Any:  # noqa: A002 (Bolt's own name)
        context["client"] = PeopleOnSlackClient.wrapping(context.client, db)
        context["ack"] = PeopleOnSlackAck(db)
        if context.user_id:
            user_id = context.user_id
            context[_FIND] = lambda: person_of(db, user_id)
            try:
                context[_PERSON] = context[_FIND]()
            except DATABASE_ERRORS as error:
                # The listener still opens its form (a trigger waits for nothing) and then says the records are
                # out of reach, when it asks for the person itself.
                log.warning("the person behind %s is not known yet: %s", user_id, type(error).__name__)
        return next()

    return resolve


def person_id(context: BoltContext) -> str:
    """The person who made this request. Asked for again here when the middleware could not reach the records:
    then it raises as any database read would, for the error handler to word."""
    if context.get(_PERSON) is None:
        context[_PERSON] = context[_FIND]()
    return context[_PERSON]
