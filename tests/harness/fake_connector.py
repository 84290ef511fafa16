"""A local fake of the Bot Connector REST API: what an activity's ``serviceUrl`` points at.

It trusts only tokens its ``BotAuthority`` issued for the Bot Connector to the bot's app id (as the
real connector trusts Entra tokens for the bot) and answers 401 otherwise. It keeps the current
state of every activity the bot posted, so a test reads what a person would now see after the
bot's edits. Operations (for faults and ``calls``):

  conversations.create   POST   /v3/conversations
  activities.send        POST   /v3/conversations/{id}/activities
  activities.reply       POST   /v3/conversations/{id}/activities/{activityId}
  activities.update      PUT    /v3/conversations/{id}/activities/{activityId}
  activities.delete      DELETE /v3/conversations/{id}/activities/{activityId}
  members.list           GET    /v3/conversations/{id}/members
  members.get            GET    /v3/conversations/{id}/members/{memberId}
"""

from __future__ import annotations

import copy
import itertools
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from .bot_auth import BOT_CONNECTOR_RESOURCE, TENANT_ID, BotAuthority
from .http_fake import Call, FakeService, route

BOT_NAME = "Group Policy Assistant"
_CONVERSATION = "/v3/conversations/{conversation_id}"
_ACTIVITY = _CONVERSATION + "/activities/{activity_id}"


@dataclass
class Conversation:
    id: str
    conversation_type: str  # "personal", "channel" or "groupChat", as Teams names them
    members: list[dict[str, Any]]
    tenant_id: str = TENANT_ID
    activities: dict[str, dict[str, Any]] = field(default_factory=dict)  # current state, by id
    history: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # every version, by id


def member(user_id: str, name: str = "Test User", *, aad_object_id: str | None = None,
           email: str | None = None, user_role: str = "user") -> dict[str, Any]:
    """A TeamsChannelAccount as the connector lists it."""
    return {
        "id": user_id,
        "name": name,
        "aadObjectId": aad_object_id or str(uuid.uuid5(uuid.NAMESPACE_URL, user_id)),
        "email": email or f"{user_id.split(':')[-1][:12]}@example.org",
        "userPrincipalName": email or f"{user_id.split(':')[-1][:12]}@example.org",
        "tenantId": TENANT_ID,
        "userRole": user_role,
    }


class FakeConnector(FakeService):
    name = "fake-connector"
    routes = (
        route("POST", "/v3/conversations", "conversations.create"),
        route("POST", _CONVERSATION + "/activities", "activities.send"),
        route("POST", _ACTIVITY, "activities.reply"),
        route("PUT", _ACTIVITY, "activities.update"),
        route("DELETE", _ACTIVITY, "activities.delete"),
        route("GET", _CONVERSATION + "/members", "members.list"),
        route("GET", _CONVERSATION + "/members/{member_id}", "members.get"),
    )

    def __init__(self, authority: BotAuthority) -> None:
        self.authority = authority
        self._ids = itertools.count(int(time.time() * 1000))  # Teams' activity ids are epoch milliseconds
        super().__init__()
        self.service_url = self.url + "/"  # Teams' serviceUrls end with a slash

    def reset(self) -> None:
        """Forget conversations, calls and faults."""
        super().reset()
        with self._lock:
            self.conversations: dict[str, Conversation] = {}
            self._not_installed: set[str] = set()

    # -- configuration -----------------------------------------------------

    def add_conversation(self, conversation_id: str, members: list[dict[str, Any]] = (),
                         conversation_type: str = "channel") -> Conversation:
        """A conversation that exists already (a team's channel, a group chat)."""
        conversation = Conversation(conversation_id, conversation_type, list(members))
        with self._lock:
            self.conversations[conversation_id] = conversation
        return conversation

    def not_installed_for(self, user_id: str) -> None:
        """Teams opens a 1:1 chat only with people who have the app installed."""
        with self._lock:
            self._not_installed.add(user_id)

    # -- inspection --------------------------------------------------------

    def activity(self, conversation_id: str, activity_id: str) -> dict[str, Any]:
        """What the conversation shows now for that activity (after updates)."""
        with self._lock:
            return copy.deepcopy(self._conversation(conversation_id).activities[activity_id])

    def activities(self, conversation_id: str) -> list[dict[str, Any]]:
        """Current state of the conversation's activities, oldest first (deleted ones gone)."""
        with self._lock:
            return copy.deepcopy(list(self._conversation(conversation_id).activities.values()))

    def versions(self, conversation_id: str, activity_id: str) -> list[dict[str, Any]]:
        """Every state the activity has had, first post first."""
        with self._lock:
            return copy.deepcopy(self._conversation(conversation_id).history[activity_id])

    # -- request handling --------------------------------------------------

    def _error_body(self, status: int) -> Any:
        if status == 401:
            return {"message": "Authorization has been denied for this request."}
        code = {400: "BadArgument", 403: "Forbidden", 404: "NotFound", 429: "TooManyRequests",
                502: "ServiceError", 503: "ServiceUnavailable"}.get(status, "ServiceError")
        return {"error": {"code": code, "message": f"injected {status}" if status >= 429 else code}}

    def _refuse(self, call: Call):
        if not self.authority.verify_app_token(call.token, BOT_CONNECTOR_RESOURCE, self.authority.app_id):
            return 401, self._error_body(401)
        return None

    def _bad(self, message: str, code: str = "BadArgument", status: int = 400):
        return status, {"error": {"code": code, "message": message}}

    def _conversation(self, conversation_id: str) -> Conversation:
        # A channel thread is addressed as "<channel id>;messageid=<root activity id>".
        return self.conversations[conversation_id.split(";")[0]]

    def _op_conversations_create(self, call: Call):
        body = call.body if isinstance(call.body, dict) else {}
        members = body.get("members") or []
        if body.get("isGroup") or len(members) != 1 or not members[0].get("id"):
            return self._bad("A bot can only create a 1:1 conversation with exactly one member.")
        user_id = members[0]["id"]
        with self._lock:
            installed = user_id not in self._not_installed
        if not installed:
            return self._bad("The bot is not installed for the user.", "Forbidden", 403)
        tenant = body.get("tenantId") or (body.get("channelData") or {}).get("tenant", {}).get("id")
        # Teams answers the same id each time for the same bot and person.
        conversation_id = "a:1" + uuid.uuid5(uuid.NAMESPACE_OID, user_id).hex
        with self._lock:
            if conversation_id not in self.conversations:
                self.conversations[conversation_id] = Conversation(
                    conversation_id, "personal", [member(user_id, members[0].get("name") or "Test User")],
                    tenant or TENANT_ID)
        answer: dict[str, Any] = {"id": conversation_id}
        if body.get("activity"):
            status, sent = self._post(conversation_id, body["activity"], None)
            if status != 200:
                return status, sent
            answer["activityId"] = sent["id"]
        return 200, answer

    def _op_activities_send(self, call: Call):
        body = call.body if isinstance(call.body, dict) else {}
        return self._post(call.path_args["conversation_id"], body, body.get("replyToId"))

    def _op_activities_reply(self, call: Call):
        body = call.body if isinstance(call.body, dict) else {}
        return self._post(call.path_args["conversation_id"], body, call.path_args["activity_id"])

    def _op_activities_update(self, call: Call):
        conversation_id, activity_id = call.path_args["conversation_id"], call.path_args["activity_id"]
        body = call.body if isinstance(call.body, dict) else {}
        with self._lock:
            conversation = self.conversations.get(conversation_id.split(";")[0])
            if conversation is None or activity_id not in conversation.activities:
                return self._bad("Activity not found.", "NotFound", 404)
            problem = _activity_problem(body)
            if problem:
                return self._bad(problem)
            current = conversation.activities[activity_id]
            updated = {**body, "id": activity_id, "conversation": current["conversation"],
                       "from": current["from"], "timestamp": current["timestamp"],
                       "lastModifiedTimestamp": _now_iso()}
            if "replyToId" in current:
                updated["replyToId"] = current["replyToId"]
            conversation.activities[activity_id] = updated
            conversation.history[activity_id].append(copy.deepcopy(updated))
        return 200, {"id": activity_id}

    def _op_activities_delete(self, call: Call):
        conversation_id, activity_id = call.path_args["conversation_id"], call.path_args["activity_id"]
        with self._lock:
            conversation = self.conversations.get(conversation_id.split(";")[0])
            if conversation is None or conversation.activities.pop(activity_id, None) is None:
                return self._bad("Activity not found.", "NotFound", 404)
        return 200, None

    def _op_members_list(self, call: Call):
        with self._lock:
            conversation = self.conversations.get(call.path_args["conversation_id"].split(";")[0])
            if conversation is None:
                return self._bad("Conversation not found.", "ConversationNotFound", 404)
            return 200, copy.deepcopy(conversation.members)

    def _op_members_get(self, call: Call):
        with self._lock:
            conversation = self.conversations.get(call.path_args["conversation_id"].split(";")[0])
            found = [m for m in (conversation.members if conversation else [])
                     if call.path_args["member_id"] in (m["id"], m["aadObjectId"])]
        if not found:
            return self._bad("Member not found.", "MemberNotFound", 404)
        return 200, copy.deepcopy(found[0])

    def _post(self, conversation_id: str, body: dict[str, Any], reply_to: str | None):
        problem = _activity_problem(body)
        if problem:
            return self._bad(problem)
        with self._lock:
            conversation = self.conversations.get(conversation_id.split(";")[0])
            if conversation is None:
                return self._bad("Conversation not found.", "ConversationNotFound", 404)
            if body["type"] == "typing":  # shown, never stored: the connector answers with no id
                return 200, {}
            activity_id = str(next(self._ids))
            activity = {
                **body,
                "id": activity_id,
                "conversation": {"id": conversation_id, "conversationType": conversation.conversation_type,
                                 "tenantId": conversation.tenant_id},
                "from": {"id": "28:" + self.authority.app_id, "name": BOT_NAME},
                "timestamp": _now_iso(),
            }
            if reply_to:
                activity["replyToId"] = reply_to
            conversation.activities[activity_id] = activity
            conversation.history[activity_id] = [copy.deepcopy(activity)]
        return 200, {"id": activity_id}


def _activity_problem(body: dict[str, Any]) -> str | None:
    if not body.get("type"):
        return "Activity must have a type."
    if body["type"] == "message" and not (body.get("text") or body.get("attachments")):
        return "A message activity must have text or attachments."
    return None


def _now_iso() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
