"""Drive a modal the way a person in Slack does: read the view the app sent, fill in its fields, submit."""
from __future__ import annotations

from typing import Any

from tests.harness.signing import Response, block_actions_payload, view_submission_payload


def _state_for(element: dict, value: Any) -> dict:
    kind = element["type"]
    if kind == "radio_buttons":
        return {"type": kind, "selected_option": {"value": value, "text": {"type": "plain_text", "text": str(value)}}}
    if kind == "multi_users_select":
        return {"type": kind, "selected_users": list(value or [])}
    if kind == "users_select":
        return {"type": kind, "selected_user": value}
    return {"type": kind, "value": value}


def _initial(element: dict) -> Any:
    # Slack sends a field's initial value back in the state when the person leaves it as it is.
    if "initial_option" in element:
        return element["initial_option"]["value"]
    for key in ("initial_users", "initial_user", "initial_value"):
        if key in element:
            return element[key]
    return None


class Modal:
    def __init__(self, app, user_id: str, view: dict, view_id: str = "V0MODAL1") -> None:
        self.app = app
        self.user_id = user_id
        self.view = view
        self.view_id = view_id
        # After a field error Slack keeps what the person typed; after an update the new view starts afresh.
        self.entered: dict[str, Any] = {}

    @classmethod
    def opened_by(cls, app, user_id: str, after: int = 0) -> Modal:
        """The modal the app opened with the (after+1)-th views.open call."""
        app.fake.wait_for("views.open", lambda c: len(app.fake.calls("views.open")) > after)
        call = app.fake.calls("views.open")[after]
        assert call.response.get("ok"), call.response
        view_id, view = call.response["view"]["id"], call.args["view"]
        if not view.get("callback_id"):  # "Just a moment…", replaced by the form once it is ready
            view = app.fake.wait_for("views.update", lambda c: c.args.get("view_id") == view_id).args["view"]
        return cls(app, user_id, view, view_id=view_id)

    def inputs(self) -> dict[str, dict]:
        return {b["block_id"]: b for b in self.view["blocks"] if b["type"] == "input"}

    def text(self) -> str:
        """Everything the modal shows, as one string, for asserting on what the person reads."""
        parts = []
        for block in self.view["blocks"]:
            for key in ("text", "label", "hint"):
                if isinstance(block.get(key), dict):
                    parts.append(block[key]["text"])
            for element in block.get("elements", []):
                if isinstance(element, dict) and "text" in element:
                    parts.append(element["text"] if isinstance(element["text"], str) else element["text"]["text"])
        return "\n".join(parts)

    def submit(self, **values: Any) -> Response:
        values = {**self.entered, **values}
        self.entered = dict(values)
        state = {}
        for block_id, block in self.inputs().items():
            element = block["element"]
            value = values.pop(block_id) if block_id in values else _initial(element)
            if value is None and element["type"] not in ("multi_users_select",):
                continue
            state[block_id] = {element["action_id"]: _state_for(element, value)}
        assert not values, f"the modal has no fields {sorted(values)}; it has {sorted(self.inputs())}"
        payload = view_submission_payload(
            self.view["callback_id"], state, user_id=self.user_id, private_metadata=self.view.get("private_metadata", ""),
            view_id=self.view_id, blocks=self.view["blocks"],
        )
        response = self.app.sender.interact(payload)
        if response.status == 200 and response.json and response.json.get("response_action") == "update":
            self.view = response.json["view"]
            self.entered = {}
        return response

    def click(self, action_id: str) -> Response:
        button = next(
            e for b in self.view["blocks"] if b["type"] == "actions" for e in b["elements"] if e["action_id"] == action_id
        )
        payload = block_actions_payload(
            action_id, button.get("value"), user_id=self.user_id, view={**self.view, "id": self.view_id}
        )
        return self.app.sender.interact(payload)
