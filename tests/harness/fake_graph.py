"""A local fake of the part of Microsoft Graph the Teams adapter reads: who is in an Entra group
(nested groups included) and whether a user is a Member or a Guest.

Only app-only tokens its ``BotAuthority`` issued for Graph to the bot's app id get in (401
otherwise), and each operation needs the application permission the real one needs (403 without
it). Operations (for faults and ``calls``):

  groups.transitiveMembers  GET /v1.0/groups/{id}/transitiveMembers[/microsoft.graph.user]
                            ($select, $top, paged with @odata.nextLink)
  users.get                 GET /v1.0/users/{id or userPrincipalName}  ($select)

As in Graph, GET /users/{id} without $select leaves ``userType`` and ``accountEnabled`` out: a reader
must ask for them.
"""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import urlencode

from .bot_auth import GRAPH_RESOURCE, BotAuthority
from .http_fake import Call, FakeService, route

# What Graph returns for a user when the request names no properties.
DEFAULT_USER_PROPERTIES = ("businessPhones", "displayName", "givenName", "jobTitle", "mail", "mobilePhone",
                           "officeLocation", "preferredLanguage", "surname", "userPrincipalName", "id")
_USER_TYPE = "#microsoft.graph.user"
_GROUP_TYPE = "#microsoft.graph.group"
_MAX_PAGE = 999
# Application permissions that allow each operation (any one of them).
_PERMISSIONS = {
    "groups.transitiveMembers": {"GroupMember.Read.All", "Group.Read.All", "Directory.Read.All"},
    "users.get": {"User.Read.All", "User.ReadBasic.All", "Directory.Read.All"},
}


class FakeGraph(FakeService):
    name = "fake-graph"
    routes = (
        route("GET", "/v1.0/groups/{group_id}/transitiveMembers", "groups.transitiveMembers"),
        route("GET", "/v1.0/groups/{group_id}/transitiveMembers/microsoft.graph.user", "groups.transitiveMembers"),
        route("GET", "/v1.0/users/{user_id}", "users.get"),
    )

    def __init__(self, authority: BotAuthority) -> None:
        self.authority = authority
        super().__init__()
        self.base_url = self.url + "/v1.0"

    def reset(self) -> None:
        """Forget users, groups, calls and faults; pages go back to Graph's default of 100."""
        super().reset()
        with self._lock:
            self.users: dict[str, dict[str, Any]] = {}
            self.groups: dict[str, dict[str, Any]] = {}
            self.page_size = 100

    # -- configuration -----------------------------------------------------

    def add_user(self, user_id: str, display_name: str = "Test User", *, user_type: str = "Member",
                 upn: str | None = None, account_enabled: bool = True, **extra: Any) -> dict[str, Any]:
        """``user_type`` is "Member" or "Guest" (Entra B2B guests)."""
        upn = upn or (f"{user_id[:8]}@example.org" if user_type == "Member"
                      else f"{user_id[:8]}_partner.org#EXT#@example.org")
        given, _, surname = display_name.partition(" ")
        user = {"id": user_id, "displayName": display_name, "givenName": given, "surname": surname or None,
                "userPrincipalName": upn, "mail": upn if user_type == "Member" else f"{user_id[:8]}@partner.org",
                "businessPhones": [], "jobTitle": None, "mobilePhone": None, "officeLocation": None,
                "preferredLanguage": "en-GB", "userType": user_type, "accountEnabled": account_enabled, **extra}
        with self._lock:
            self.users[user_id] = user
        return user

    def add_group(self, group_id: str, display_name: str = "Test Group", members: list[str] = ()) -> dict:
        """``members`` are user ids or ids of other groups (nested groups are expanded)."""
        group = {"id": group_id, "displayName": display_name, "members": list(members)}
        with self._lock:
            self.groups[group_id] = group
        return group

    # -- request handling --------------------------------------------------

    def _error_body(self, status: int) -> Any:
        code, message = {
            401: ("InvalidAuthenticationToken", "Access token validation failure."),
            403: ("Authorization_RequestDenied", "Insufficient privileges to complete the operation."),
            404: ("Request_ResourceNotFound", "Resource does not exist."),
            429: ("TooManyRequests", "Too many requests."),
            503: ("serviceNotAvailable", "Service unavailable."),
        }.get(status, ("generalException", "General exception while processing."))
        return {"error": {"code": code, "message": message, "innerError": {"request-id": "fake"}}}

    def _refuse(self, call: Call):
        claims = self.authority.verify_app_token(call.token, GRAPH_RESOURCE, self.authority.app_id)
        if claims is None:
            return 401, self._error_body(401)
        if not _PERMISSIONS[call.operation] & set(claims.get("roles") or []):
            return 403, self._error_body(403)
        return None

    def _op_groups_transitiveMembers(self, call: Call):
        group_id = call.path_args["group_id"]
        with self._lock:
            if group_id not in self.groups:
                return 404, self._error_body(404)
            objects = self._transitive(group_id)
            page_size = self.page_size
        if call.path.endswith("/microsoft.graph.user"):
            objects = [o for o in objects if o["@odata.type"] == _USER_TYPE]
        query = dict(call.query)
        if "$skiptoken" in query:
            try:
                query.update(json.loads(base64.urlsafe_b64decode(query.pop("$skiptoken"))))
            except ValueError:
                return 400, {"error": {"code": "Request_BadRequest", "message": "Invalid skip token."}}
        try:
            top = min(int(query.get("$top", page_size)), _MAX_PAGE)
            offset = int(query.get("offset", 0))
        except ValueError:
            return 400, {"error": {"code": "Request_BadRequest", "message": "Invalid $top."}}
        select = _select(query)
        page = [_project(o, select) for o in objects[offset:offset + top]]
        answer: dict[str, Any] = {"@odata.context": f"{self.base_url}/$metadata#directoryObjects", "value": page}
        if offset + top < len(objects):
            token = base64.urlsafe_b64encode(json.dumps(
                {"offset": offset + top, "$top": top, **({"$select": ",".join(select)} if select else {})}
            ).encode()).decode()
            answer["@odata.nextLink"] = f"{self.url}{call.path}?{urlencode({'$skiptoken': token})}"
        return 200, answer

    def _op_users_get(self, call: Call):
        key = call.path_args["user_id"]
        with self._lock:
            user = self.users.get(key) or next(
                (u for u in self.users.values() if u["userPrincipalName"].lower() == key.lower()), None)
        if user is None:
            return 404, self._error_body(404)
        select = _select(call.query) or list(DEFAULT_USER_PROPERTIES)
        return 200, {"@odata.context": f"{self.base_url}/$metadata#users/$entity",
                     **{k: user.get(k) for k in select}}

    def _transitive(self, group_id: str) -> list[dict[str, Any]]:
        # Nested groups are listed themselves and expanded; each object appears once.
        seen: set[str] = set()
        found: list[dict[str, Any]] = []
        pending = list(self.groups[group_id]["members"])
        while pending:
            object_id = pending.pop(0)
            if object_id in seen or object_id == group_id:
                continue
            seen.add(object_id)
            if object_id in self.groups:
                group = self.groups[object_id]
                found.append({"@odata.type": _GROUP_TYPE, "id": object_id, "displayName": group["displayName"]})
                pending.extend(group["members"])
            elif object_id in self.users:
                found.append({"@odata.type": _USER_TYPE, **self.users[object_id]})
        return found


def _select(query: dict[str, str]) -> list[str]:
    return [p.strip() for p in query.get("$select", "").split(",") if p.strip()]


def _project(obj: dict[str, Any], select: list[str]) -> dict[str, Any]:
    if not select:
        if obj["@odata.type"] == _USER_TYPE:
            return {"@odata.type": _USER_TYPE, **{k: obj.get(k) for k in DEFAULT_USER_PROPERTIES}}
        return dict(obj)
    return {"@odata.type": obj["@odata.type"], **{k: obj.get(k) for k in select}}
