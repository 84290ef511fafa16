"""Modals of /report-unofficial-group: the report form, its "report it anyway?" step, the thank-you, and the
reason a manager gives for "No action needed"."""
from __future__ import annotations

import hashlib
import json

from slack_sdk.models.blocks import InputBlock, Option, PlainTextInputElement, RadioButtonsElement
from slack_sdk.models.views import View

from bot.blocks import context, escape, section
from bot.reports.messages import match_sentence, status_sentence, when
from flows.reports.models import WhereSeen
from flows.reports.service import NAME_LIMIT, TEXT_LIMIT, CaseView, Filed, NameCheck, ReportForm
from bot.settings import SlackSettings as Settings

CALLBACK_ID = "report_unofficial_group"
NO_ACTION_CALLBACK_ID = "report_no_action_reason"
TITLE = "Report a group"
VALUE = "value"  # every input's action_id: the block_id says which field it is
FIELDS = ("name", "where_seen", "how_found", "knows_who_runs", "contact", "notes")


def report_form(settings: Settings, values: dict | None = None, banner: str = "", confirmed: str = "") -> dict:
    values = values or {}
    names = ", ".join(settings.protected_names)
    blocks = [
        section(
            "Seen a WhatsApp or Facebook group that isn't ours but whose name could be mistaken for one of ours "
            f"({escape(names)})? Tell us here. Your report goes to your manager, who can approach the group and "
            "ask it to change its name (U1, U2)."
        ),
    ]
    if banner:
        blocks.append(section(banner))
    blocks += [
        InputBlock(
            block_id="name", label="The group's name",
            hint="As you saw it written, e.g. “A.M.A.Z.E parents chat”. I'll tell you which of our names it matches.",
            element=PlainTextInputElement(
                action_id=VALUE, initial_value=values.get("name") or None, max_length=NAME_LIMIT
            ),
        ),
        InputBlock(
            block_id="where_seen", label="Where did you see it?",
            element=_radio([(w.value, w.label) for w in WhereSeen], values.get("where_seen")),
        ),
        InputBlock(
            block_id="how_found", label="How did you come across it?",
            hint="e.g. a parent mentioned it, I was added to it, I saw a post. If it was somewhere else, say where.",
            element=PlainTextInputElement(
                action_id=VALUE, multiline=True, max_length=TEXT_LIMIT, initial_value=values.get("how_found") or None
            ),
        ),
        InputBlock(
            block_id="knows_who_runs", label="Do you know who runs it?", optional=True,
            element=_radio([("yes", "Yes"), ("no", "No")], values.get("knows_who_runs")),
        ),
        InputBlock(
            block_id="contact", label="Who runs it, and how to reach them", optional=True,
            hint="This is personal data: it is only kept so that we can approach the group, and it is deleted "
            "when the report is closed.",
            element=PlainTextInputElement(
                action_id=VALUE, max_length=TEXT_LIMIT, initial_value=values.get("contact") or None
            ),
        ),
        InputBlock(
            block_id="notes", label="Anything else?", optional=True,
            element=PlainTextInputElement(
                action_id=VALUE, multiline=True, max_length=TEXT_LIMIT, initial_value=values.get("notes") or None
            ),
        ),
    ]
    return View(
        type="modal", callback_id=CALLBACK_ID, title=TITLE, close="Cancel",
        submit="Report it anyway" if confirmed else "Send report",
        private_metadata=json.dumps({"confirmed": confirmed}), blocks=blocks,
    ).to_dict()


def confirm_view(settings: Settings, values: dict, check: NameCheck) -> dict:
    """The same form, filled in, asking whether a name that matches none of ours should be reported anyway."""
    names = ", ".join(settings.protected_names)
    banner = (
        f":question: *“{escape(check.name)}” matches none of our names* ({escape(names)}). "
        "Report it anyway? Press *Report it anyway*, or correct the name if it was written differently."
    )
    return report_form(settings, values, banner=banner, confirmed=confirmation_of(check))


def confirmation_of(check: NameCheck) -> str:
    """What "report it anyway" was answered for: a later submission files without asking again only if the
    name is still the same (private_metadata is limited, so a digest rather than the name)."""
    return hashlib.sha256(check.normalised.encode()).hexdigest()[:32]


def filed_view(filed: Filed, check: NameCheck, routed_to: str) -> dict:
    case = filed.case
    if filed.linked:
        lines = [
            f":link: Thank you. *“{escape(case.name)}”* was already reported on {when(case.reported_at)}, "
            "so I've added your report to that one rather than starting again.",
            status_sentence(case),
        ]
    else:
        lines = [f":white_check_mark: Thank you. Your report of *“{escape(check.name)}”* {routed_to}"]
    lines.append(match_sentence(_as_dicts(check)))
    lines.append(
        "I'll send you a message when it's settled." if case.owner_id
        else "I'll send you a message when someone approaches the group, and when it's settled."
    )
    return View(
        type="modal", callback_id=f"{CALLBACK_ID}_done", title=TITLE, close="Done",
        blocks=[section("\n\n".join(lines))],
    ).to_dict()


def no_action_view(case: CaseView) -> dict:
    return View(
        type="modal", callback_id=NO_ACTION_CALLBACK_ID, title="No action needed", submit="Record", close="Cancel",
        private_metadata=json.dumps({"case": case.id}),
        blocks=[
            section(f"Why does *“{escape(case.name)}”* need no action? The reporter will see your reason."),
            InputBlock(
                block_id="reason", label="Reason",
                hint="e.g. the group has already closed, or its name can't be mistaken for ours.",
                element=PlainTextInputElement(action_id=VALUE, multiline=True, max_length=TEXT_LIMIT),
            ),
            context("Recorded with your name and the time; it can't be edited afterwards."),
        ],
    ).to_dict()


def message_view(text: str, title: str = TITLE) -> dict:
    return View(type="modal", title=title, close="Close", blocks=[section(text)]).to_dict()


# --- reading what was submitted ---------------------------------------------------------------------------------------
def read_values(view: dict) -> dict:
    state = (view.get("state") or {}).get("values") or {}
    values = {}
    for field in FIELDS:
        element = (state.get(field) or {}).get(VALUE) or {}
        if "selected_option" in element:
            values[field] = (element.get("selected_option") or {}).get("value")
        else:
            values[field] = element.get("value")
    return values


def read_form(values: dict) -> ReportForm:
    knows = values.get("knows_who_runs")
    return ReportForm(
        name=values.get("name") or "",
        where_seen=values.get("where_seen") or "",
        how_found=values.get("how_found") or "",
        knows_who_runs=None if knows is None else knows == "yes",
        contact=values.get("contact"),
        notes=values.get("notes"),
    )


def read_reason(view: dict) -> str:
    state = (view.get("state") or {}).get("values") or {}
    return ((state.get("reason") or {}).get(VALUE) or {}).get("value") or ""


def read_metadata(view: dict) -> dict:
    try:
        data = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _radio(choices: list[tuple[str, str]], selected: str | None) -> RadioButtonsElement:
    options = [Option(value=value, text=label) for value, label in choices]
    initial = next((o for o in options if o.value == selected), None)
    return RadioButtonsElement(action_id=VALUE, options=options, initial_option=initial)


def _as_dicts(check: NameCheck) -> list[dict]:
    return [{"name": m.name, "strength": m.strength, "matched_text": m.matched_text} for m in check.matches]
