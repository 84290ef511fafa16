"""A local fake of the Slack Web API, served over real HTTP on loopback.

Point slack_sdk at it with ``WebClient(base_url=fake.url, token=...)``. Every
call is recorded (including refused ones) so tests can assert on what the app
sent, and faults can be programmed per method to exercise error handling.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Iterable
from urllib.parse import parse_qs, urlsplit

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

TEAM_ID = "T0TEST"
TEAM_NAME = "Test Workspace"
TEAM_URL = "https://test-workspace.slack.com/"
APP_ID = "A0TEST"
BOT_ID = "B0BOT"
BOT_USER_ID = "U0BOT"

# slack_sdk sends these as JSON strings when it uses form encoding; decode them
# so tests compare structures, whichever encoding the SDK picked.
_JSON_FIELDS = {"view", "blocks", "attachments", "metadata", "unfurls"}
_VIEW_METHODS = {"views.open", "views.update", "views.push", "views.publish"}
_MESSAGE_BLOCK_LIMIT = 50


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    token: str | None
    timestamp: float
    status: int = 200
    response: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == 200 and bool(self.response.get("ok"))


@dataclass
class _StatusFault:
    status: int
    headers: dict[str, str]
    body: dict[str, Any]
    times: int


class FakeSlack:
    """Starts serving on construction; use as a context manager or call stop()."""

    def __init__(self) -> None:
        self._lock = threading.Condition()
        self._seq = itertools.count(1)  # not reset, so ts values keep increasing across tests
        self.reset()
        handler = type("_Handler", (_Handler,), {"fake": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="fake-slack", daemon=True  # quick stop()
        )
        self._thread.start()
        host, port = self._server.server_address[:2]
        self.root_url = f"http://{host}:{port}/"
        self.url = f"{self.root_url}api/"

    # -- lifecycle ---------------------------------------------------------

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> "FakeSlack":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def reset(self) -> None:
        """Back to a fresh state (calls, faults, tables, triggers); the server keeps running."""
        with self._lock:
            self._calls: list[Call] = []
            self._failures: dict[str, deque[dict[str, Any]]] = defaultdict(deque)
            self._status_faults: dict[str, deque[_StatusFault]] = defaultdict(deque)
            self._used_triggers: set[str] = set()
            self._views: dict[str, dict[str, Any]] = {}
            self._home_views: dict[str, str] = {}
            self.users: dict[str, dict[str, Any]] = {}
            self.usergroups: dict[str, dict[str, Any]] = {}
            self.delay_seconds = 0.0
            self._slow: dict[str, float] = {}
            self._late: dict[str, deque[tuple[float, str | None]]] = defaultdict(deque)
            # Each channel's messages as posted (and edited), oldest first: what conversations.history reads.
            self.channels: dict[str, list[dict[str, Any]]] = defaultdict(list)

    # -- configuration -----------------------------------------------------

    def add_user(
        self,
        user_id: str,
        name: str = "user",
        *,
        real_name: str | None = None,
        email: str | None = None,
        is_restricted: bool = False,
        is_ultra_restricted: bool = False,
        is_bot: bool = False,
        is_admin: bool = False,
        is_owner: bool = False,
        deleted: bool = False,
        tz: str = "Europe/London",
        **extra: Any,
    ) -> dict[str, Any]:
        """Add a user for users.info; ``extra`` keys override/extend the user object."""
        real_name = real_name or name
        user = {
            "id": user_id,
            "team_id": TEAM_ID,
            "name": name,
            "real_name": real_name,
            "deleted": deleted,
            "tz": tz,
            "is_admin": is_admin,
            "is_owner": is_owner,
            "is_primary_owner": False,
            "is_restricted": is_restricted,
            "is_ultra_restricted": is_ultra_restricted,
            "is_bot": is_bot,
            "is_app_user": False,
            "profile": {
                "real_name": real_name,
                "display_name": name,
                "email": email or f"{user_id.lower()}@example.org",
                "team": TEAM_ID,
            },
            **extra,
        }
        with self._lock:
            self.users[user_id] = user
        return user

    def add_usergroup(
        self,
        group_id: str,
        handle: str,
        users: Iterable[str] = (),
        *,
        name: str | None = None,
        disabled: bool = False,
        **extra: Any,
    ) -> dict[str, Any]:
        group = {
            "id": group_id,
            "team_id": TEAM_ID,
            "is_usergroup": True,
            "name": name or handle,
            "handle": handle,
            "description": "",
            "date_delete": 1700000000 if disabled else 0,
            "users": list(users),
            **extra,
        }
        group["user_count"] = len(group["users"])
        with self._lock:
            self.usergroups[group_id] = group
        return group

    def fail_next(self, method: str, error: str = "channel_not_found", **fields: Any) -> None:
        """The next call of ``method`` answers ``{"ok": false, "error": error, **fields}``; calls queue up."""
        with self._lock:
            self._failures[method].append({"ok": False, "error": error, **fields})

    def respond_with_status(
        self,
        method: str,
        status: int = 429,
        headers: dict[str, str] | None = None,
        times: int = 1,
        body: dict[str, Any] | None = None,
    ) -> None:
        """The next ``times`` calls of ``method`` get an HTTP error status (429 carries Retry-After)."""
        if headers is None:
            headers = {"Retry-After": "1"} if status == 429 else {}
        if body is None:
            body = {"ok": False, "error": "ratelimited" if status == 429 else "fatal_error"}
        with self._lock:
            self._status_faults[method].append(_StatusFault(status, dict(headers), body, times))

    def clear_faults(self, method: str) -> None:
        """Whatever errors ``method`` was still to answer with: forgotten (Slack works again)."""
        with self._lock:
            self._status_faults[method].clear()

    def slow_down(self, method: str, seconds: float) -> None:
        """Every call of ``method`` waits ``seconds`` before it is handled (Slack on a bad day)."""
        with self._lock:
            self._slow[method] = seconds

    def answer_late(self, method: str, seconds: float, times: int = 1, channel: str | None = None) -> None:
        """The next ``times`` calls of ``method`` (to ``channel``, if given) are carried out at once (a post is in
        the channel), but the answer leaves only ``seconds`` later: longer than the client waits, it never learns
        that the call worked."""
        with self._lock:
            self._late[method].extend([(seconds, channel)] * times)

    def messages_in(self, channel: str) -> list[dict[str, Any]]:
        """What a person sees in ``channel`` now, oldest first (posts as last edited)."""
        with self._lock:
            return [dict(m) for m in self.channels.get(channel, [])]

    # -- inspection --------------------------------------------------------

    def calls(self, method: str | None = None) -> list[Call]:
        with self._lock:
            return [c for c in self._calls if method is None or c.method == method]

    def wait_for(
        self,
        method: str,
        predicate: Callable[[Call], bool] | None = None,
        timeout: float = 5.0,
    ) -> Call:
        """Return the first recorded call matching; block until one arrives (apps send after acking)."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                for c in self._calls:
                    if c.method == method and (predicate is None or predicate(c)):
                        return c
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = [c.method for c in self._calls]
                    raise AssertionError(f"no matching {method} call within {timeout}s; calls seen: {seen}")
                self._lock.wait(remaining)

    def response_url(self, name: str = "1") -> str:
        """A URL to use as a slash command's/interaction's response_url; posts to it are recorded
        as method "response_url" with the JSON body as args and the path name as args["_name"]."""
        return f"{self.root_url}response-url/{name}"

    # -- request handling (server threads) ---------------------------------

    def _record(self, call: Call) -> None:
        with self._lock:
            self._calls.append(call)
            self._lock.notify_all()

    def _handle(self, method: str, args: dict[str, Any], token: str | None) -> tuple[int, dict[str, str], dict]:
        with self._lock:
            slow = self.delay_seconds + self._slow.get(method, 0.0)
        if slow:
            time.sleep(slow)
        call = Call(method=method, args=args, token=token, timestamp=time.time())
        with self._lock:
            fault = self._status_faults[method][0] if self._status_faults[method] else None
            if fault:
                fault.times -= 1
                if fault.times <= 0:
                    self._status_faults[method].popleft()
            failure = self._failures[method].popleft() if not fault and self._failures[method] else None
        headers: dict[str, str] = {}
        if fault:
            call.status, headers, call.response = fault.status, fault.headers, fault.body
        elif failure:
            call.response = failure
        elif not token:
            call.response = {"ok": False, "error": "not_authed"}
        else:
            handler = getattr(self, "_api_" + method.replace(".", "_"), None)
            call.response = handler(args) if handler else {"ok": False, "error": "unknown_method"}
        self._record(call)
        late = 0.0
        with self._lock:
            waiting = self._late[method]
            if waiting and waiting[0][1] in (None, args.get("channel")):
                late = waiting.popleft()[0]
        if late:
            time.sleep(late)
        return call.status, headers, call.response

    def _next_ts(self) -> str:
        # Seconds never go back and the counter always grows, so ts strictly increases.
        return f"{int(time.time())}.{next(self._seq):06d}"

    # -- Web API methods ---------------------------------------------------

    def _api_auth_test(self, args: dict) -> dict:
        return {
            "ok": True,
            "url": TEAM_URL,
            "team": TEAM_NAME,
            "user": "gpa-bot",
            "team_id": TEAM_ID,
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _message(self, args: dict, ts: str) -> dict:
        msg = {"type": "message", "text": args.get("text", ""), "user": BOT_USER_ID, "bot_id": BOT_ID,
               "app_id": APP_ID, "team": TEAM_ID, "ts": ts}
        for key in ("blocks", "attachments", "thread_ts", "metadata"):
            if key in args:
                msg[key] = args[key]
        return msg

    @staticmethod
    def _message_problem(args: dict) -> dict | None:
        if not args.get("channel"):
            return {"ok": False, "error": "channel_not_found"}
        if not any(args.get(k) for k in ("text", "blocks", "attachments")):
            return {"ok": False, "error": "no_text"}
        blocks = args.get("blocks")
        if blocks:
            messages = _block_errors(blocks, _MESSAGE_BLOCK_LIMIT)
            if messages:
                return {"ok": False, "error": "invalid_blocks", "response_metadata": {"messages": messages}}
        return None

    def _api_chat_postMessage(self, args: dict) -> dict:
        problem = self._message_problem(args)
        if problem:
            return problem
        channel = args["channel"]
        if channel[0] in "UW":  # posting to a user id lands in the DM with them
            channel = "D" + channel
        ts = self._next_ts()
        message = self._message(args, ts)
        with self._lock:
            self.channels[channel].append(message)
        return {"ok": True, "channel": channel, "ts": ts, "message": message}

    def _api_chat_update(self, args: dict) -> dict:
        if not args.get("ts"):
            return {"ok": False, "error": "message_not_found"}
        problem = self._message_problem(args)
        if problem:
            return problem
        message = self._message(args, args["ts"])
        with self._lock:
            posted = self.channels.get(args["channel"], [])
            for n, earlier in enumerate(posted):
                if earlier["ts"] == args["ts"]:
                    # An edit replaces text and blocks; metadata stays unless the edit sets it.
                    posted[n] = {**message, "metadata": args.get("metadata", earlier.get("metadata"))}
                    if posted[n]["metadata"] is None:
                        del posted[n]["metadata"]
                    break
        return {"ok": True, "channel": args["channel"], "ts": args["ts"], "text": args.get("text", ""),
                "message": message}

    def _api_conversations_history(self, args: dict) -> dict:
        channel = args.get("channel")
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        oldest = float(args.get("oldest") or 0)
        limit = min(int(args.get("limit") or 100), 999)
        with_metadata = _truthy(args.get("include_all_metadata"))
        with self._lock:
            found = [dict(m) for m in reversed(self.channels.get(channel, [])) if float(m["ts"]) > oldest]
        if not with_metadata:
            for m in found:
                m.pop("metadata", None)
        return {"ok": True, "messages": found[:limit], "has_more": len(found) > limit,
                "response_metadata": {"next_cursor": ""}}

    def _api_chat_postEphemeral(self, args: dict) -> dict:
        if not args.get("user"):
            return {"ok": False, "error": "user_not_in_channel"}
        return self._message_problem(args) or {"ok": True, "message_ts": self._next_ts()}

    def _api_conversations_open(self, args: dict) -> dict:
        if args.get("channel"):
            return {"ok": True, "channel": {"id": args["channel"]}}
        users = [u for u in str(args.get("users", "")).split(",") if u]
        if not users:
            return {"ok": False, "error": "users_list_not_supplied"}
        channel_id = "D" + users[0] if len(users) == 1 else "G" + "".join(users)
        return {"ok": True, "no_op": False, "already_open": False, "channel": {"id": channel_id}}

    def _api_users_info(self, args: dict) -> dict:
        user = self.users.get(args.get("user", ""))
        return {"ok": True, "user": user} if user else {"ok": False, "error": "user_not_found"}

    def _api_usergroups_list(self, args: dict) -> dict:
        include_users = _truthy(args.get("include_users"))
        include_disabled = _truthy(args.get("include_disabled"))
        groups = []
        for g in self.usergroups.values():
            if g["date_delete"] and not include_disabled:
                continue
            g = dict(g)
            if not include_users:
                g.pop("users")
            groups.append(g)
        return {"ok": True, "usergroups": groups}

    def _api_usergroups_users_list(self, args: dict) -> dict:
        group = self.usergroups.get(args.get("usergroup", ""))
        if not group:
            return {"ok": False, "error": "no_such_subteam"}
        return {"ok": True, "users": list(group["users"])}

    def _use_trigger(self, args: dict) -> dict | None:
        trigger_id = args.get("trigger_id") or args.get("interactivity_pointer")
        if not trigger_id:
            return _invalid_arguments(["[ERROR] missing required field: trigger_id"])
        with self._lock:
            if trigger_id in self._used_triggers:
                return {"ok": False, "error": "expired_trigger_id"}
            self._used_triggers.add(trigger_id)
        return None

    def _store_view(self, view: dict, view_id: str | None = None) -> dict:
        n = next(self._seq)
        stored = {
            "state": {"values": {}},
            "private_metadata": "",
            "callback_id": "",
            "external_id": "",
            **view,
            "id": view_id or f"V{n:08d}",
            "team_id": TEAM_ID,
            "app_id": APP_ID,
            "bot_id": BOT_ID,
            "hash": f"{int(time.time())}.{n:08x}",
        }
        stored.setdefault("root_view_id", stored["id"])
        with self._lock:
            self._views[stored["id"]] = stored
        return stored

    def _view_problem(self, args: dict) -> dict | None:
        view = args.get("view")
        if not isinstance(view, dict):
            return _invalid_arguments(["[ERROR] missing required field: view"])
        messages = _view_errors(view)
        return _invalid_arguments(messages) if messages else None

    def _api_views_open(self, args: dict) -> dict:
        problem = self._use_trigger(args) or self._view_problem(args)
        return problem or {"ok": True, "view": self._store_view(args["view"])}

    def _api_views_push(self, args: dict) -> dict:
        return self._api_views_open(args)

    def _api_views_update(self, args: dict) -> dict:
        if not (args.get("view_id") or args.get("external_id")):
            return _invalid_arguments(["[ERROR] missing required field: view_id or external_id"])
        return self._view_problem(args) or {"ok": True, "view": self._store_view(args["view"], args.get("view_id"))}

    def _api_views_publish(self, args: dict) -> dict:
        user_id = args.get("user_id")
        if not user_id:
            return _invalid_arguments(["[ERROR] missing required field: user_id"])
        problem = self._view_problem(args)
        if problem:
            return problem
        with self._lock:
            view_id = self._home_views.get(user_id)
        view = self._store_view(args["view"], view_id)
        with self._lock:
            self._home_views[user_id] = view["id"]
        return {"ok": True, "view": view}


def _invalid_arguments(messages: list[str]) -> dict:
    return {"ok": False, "error": "invalid_arguments", "response_metadata": {"messages": messages}}


def _truthy(value: Any) -> bool:
    return value in (True, 1) or str(value).lower() in ("true", "1")


def _view_errors(view: dict) -> list[str]:
    # to_dict() runs validate_json() on the view and on every nested block and element.
    try:
        parsed = View(**view)
        parsed.to_dict()
    except (SlackObjectFormationError, TypeError, ValueError, KeyError, AttributeError) as e:
        return [f"[ERROR] {e}"]
    # slack_sdk silently drops blocks of a type it does not know; Slack refuses them.
    return [f"[ERROR] unsupported block type [json-pointer:/view/blocks/{i}]"
            for i, b in enumerate(parsed.blocks or []) if b is None]


def _block_errors(blocks: Any, limit: int) -> list[str]:
    if not isinstance(blocks, list):
        return ["[ERROR] blocks must be an array"]
    if len(blocks) > limit:
        return [f"[ERROR] no more than {limit} items allowed [json-pointer:/blocks]"]
    errors = []
    for i, block in enumerate(blocks):
        try:
            parsed = Block.parse(block)
            if parsed is None:
                errors.append(f"[ERROR] unsupported block type [json-pointer:/blocks/{i}]")
            else:
                parsed.to_dict()
        except (SlackObjectFormationError, TypeError, ValueError, KeyError, AttributeError) as e:
            errors.append(f"[ERROR] {e} [json-pointer:/blocks/{i}]")
    return errors


def _parse_body(raw: bytes, content_type: str) -> dict[str, Any]:
    if not raw:
        return {}
    if "application/json" in content_type:
        return json.loads(raw.decode("utf-8"))
    return _flatten(parse_qs(raw.decode("utf-8"), keep_blank_values=True))


def _flatten(multi: dict[str, list[str]]) -> dict[str, Any]:
    return {k: v[0] if len(v) == 1 else v for k, v in multi.items()}


class _Handler(BaseHTTPRequestHandler):
    fake: FakeSlack

    def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
        pass

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def _serve(self) -> None:
        parts = urlsplit(self.path)
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            args = _flatten(parse_qs(parts.query, keep_blank_values=True))
            args.update(_parse_body(raw, self.headers.get("Content-Type", "")))
        except (ValueError, TypeError):  # UnicodeDecodeError is a ValueError
            self._send(400, {}, {"ok": False, "error": "invalid_form_data"})
            return
        for key in _JSON_FIELDS & args.keys():
            if isinstance(args[key], str) and args[key][:1] in ("{", "["):
                try:
                    args[key] = json.loads(args[key])
                except ValueError:
                    pass  # leave it as sent; the method handler reports the problem
        if parts.path.startswith("/response-url/"):
            args["_name"] = parts.path.rsplit("/", 1)[-1]
            self.fake._record(Call("response_url", args, None, time.time(), 200, {"ok": True}))
            self._send(200, {}, {"ok": True})
            return
        if not parts.path.startswith("/api/"):
            self._send(404, {}, {"ok": False, "error": "not_found"})
            return
        auth = self.headers.get("Authorization", "")
        token = auth[7:] if auth.startswith("Bearer ") else args.pop("token", None)
        args.pop("token", None)
        status, headers, body = self.fake._handle(parts.path[len("/api/"):], args, token)
        self._send(status, headers, body)

    def _send(self, status: int, headers: dict[str, str], body: dict) -> None:
        data = json.dumps(body).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers.items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)
