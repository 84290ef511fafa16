"""People talking to the Teams app over real HTTP: activities signed as the Bot Connector signs them, posted to the
running app's /api/messages; what the app sends back is read from the fake connector (messages) or from the invoke
answer (cards updated in place). Every card seen is checked against the Adaptive Card schema and Teams' limits."""
from __future__ import annotations

import itertools
import json
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass

from tests.harness.bot_auth import APP_ID, TENANT_ID, BotAuthority
from tests.harness.fake_connector import FakeConnector, member
from tests.teams import cards

CARD = "application/vnd.microsoft.card.adaptive"
_ids = itertools.count(1)


@dataclass(frozen=True)
class TeamsUser:
    aad_object_id: str
    name: str

    @property
    def teams_id(self) -> str:
        return "29:" + self.aad_object_id.replace("-", "")[:24]

    @property
    def chat_id(self) -> str:
        return "a:personal-" + self.aad_object_id


class CardProblem(AssertionError):
    pass


def checked(card: dict) -> dict:
    found = cards.problems(card)
    if found:
        raise CardProblem("the app sent a card Teams would refuse or mis-render:\n" + "\n".join(found))
    return card


class TeamsChat:
    def __init__(self, url: str, authority: BotAuthority, connector: FakeConnector) -> None:
        self.url = url.rstrip("/") + "/api/messages"
        self.authority = authority
        self.connector = connector

    # -- activities ------------------------------------------------------------------------------------------
    def activity(self, user: TeamsUser, type_: str, conversation: str | None = None, **extra) -> dict:
        conversation = conversation or self.open_chat(user)
        conversation_type = "personal" if conversation.startswith("a:") else "channel"
        return {
            "type": type_, "id": f"act-{next(_ids)}", "channelId": "msteams", "serviceUrl": self.connector.service_url,
            "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()),
            "from": {"id": user.teams_id, "name": user.name, "aadObjectId": user.aad_object_id},
            "recipient": {"id": "28:" + APP_ID, "name": "Group Policy Assistant"},
            "conversation": {"id": conversation, "conversationType": conversation_type, "tenantId": TENANT_ID},
            "channelData": {"tenant": {"id": TENANT_ID}}, "locale": "en-GB", **extra,
        }

    def open_chat(self, user: TeamsUser) -> str:
        if user.chat_id not in self.connector.conversations:
            self.connector.add_conversation(user.chat_id, [member(user.teams_id, user.name,
                                                                  aad_object_id=user.aad_object_id)], "personal")
        return user.chat_id

    def post(self, activity: dict, token: str | None | object = ..., timeout: float = 15.0):
        """(status, parsed body or None). ``token``: a valid one unless given (None: no Authorization header)."""
        if token is ...:
            token = self.authority.bot_framework_token(self.connector.service_url)
        request = urllib.request.Request(self.url, data=json.dumps(activity).encode(), method="POST")
        request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                raw = response.read()
                return response.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as error:
            raw = error.read()
            return error.code, json.loads(raw) if raw else None

    # -- what people do --------------------------------------------------------------------------------------
    def say(self, user: TeamsUser, text: str) -> dict:
        """Type a message to the app in the 1:1 chat; the card the app answered with."""
        before = len(self.sent_cards(user))
        status, _ = self.post(self.activity(user, "message", text=text))
        assert status == 200, f"message {text!r} answered {status}"
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            sent = self.sent_cards(user)
            if len(sent) > before:
                return sent[-1]
            time.sleep(0.02)
        raise AssertionError(f"the app sent no card after {text!r}")

    def click(self, user: TeamsUser, card: dict, title: str, conversation: str | None = None, **inputs) -> dict:
        """Press a card's button with its inputs filled in as given; the card that replaces it."""
        status, body = self.press(user, card, title, conversation, **inputs)
        assert status == 200, f"{title!r} answered {status}: {body}"
        assert body["type"] == CARD, body
        return checked(body["value"])

    def press(self, user: TeamsUser, card: dict, title: str, conversation: str | None = None, token=..., **inputs):
        action = cards.actions(card).get(title)
        assert action is not None, f"no {title!r} button; buttons: {list(cards.actions(card))}"
        # As a Teams client does: every input's current value goes with the button's data, what the person changed
        # included.
        shown = {field: e["value"] for field, e in cards.inputs(card).items() if e.get("value") not in (None, "")}
        return self.post(self.invoke(user, action, conversation, **{**shown, **inputs}), token=token)

    def invoke(self, user: TeamsUser, action: dict, conversation: str | None = None, **inputs) -> dict:
        data = {**(action.get("data") or {}), **{k: v for k, v in inputs.items() if v is not None}}
        return self.activity(user, "invoke", conversation, name="adaptiveCard/action", value={
            "action": {"type": "Action.Execute", "id": str(uuid.uuid4()), "verb": action["verb"], "data": data},
            "trigger": "manual"})

    # -- what the app sent -----------------------------------------------------------------------------------
    def sent_cards(self, user: TeamsUser) -> list[dict]:
        if user.chat_id not in self.connector.conversations:
            return []
        return [checked(a["content"]) for activity in self.connector.activities(user.chat_id)
                for a in activity.get("attachments") or [] if a.get("contentType") == CARD]


def says(card: dict, *phrases: str) -> bool:
    text = cards.texts(card)
    return all(p in text for p in phrases)


def choice(card: dict, field: str, title: str) -> str:
    """The value of the choice a person picks by what it says."""
    options = cards.inputs(card)[field].get("choices") or []
    found = [o["value"] for o in options if o["title"] == title]
    assert found, f"no choice {title!r} in {field}: {[o['title'] for o in options]}"
    return found[0]
