"""Thin listeners for /report-unofficial-group and the managers' buttons: parse, call `flows.reports`, render."""
from __future__ import annotations

import logging

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.reports import messages, views
from bot.services import Services
from flows.reports.service import Action, ActOutcome, CaseView, Filed, Result

log = logging.getLogger(__name__)


def register(app: App, services: Services) -> None:
    reports = services.reports
    settings = services.settings

    @app.command("/report-unofficial-group")
    def open_form(ack, command, client):
        # The trigger_id lives three seconds and works once: the modal opens before anything else.
        ack()
        client.views_open(
            trigger_id=command["trigger_id"],
            view=views.report_form(settings, {"name": (command.get("text") or "").strip()}),
        )

    @app.view(views.CALLBACK_ID)
    def submit_report(ack, body, view, client):
        user_id = body["user"]["id"]
        values = views.read_values(view)
        form = views.read_form(values)
        problems = reports.problems(form)
        if problems:
            ack(response_action="errors", errors=problems)
            return
        check = reports.check_name(form.name)
        if not check.matches and views.read_metadata(view).get("confirmed") != views.confirmation_of(check):
            ack(response_action="update", view=views.confirm_view(settings, values, check))
            return
        filed = reports.file(user_id, form, submission_id=view.get("id"))
        ack(response_action="update", view=views.filed_view(filed, check, _routed_to(filed.case)))
        if filed.repeated:
            return
        if filed.linked:
            _reported_again(client, filed, user_id)
        elif not _deliver(client, filed.case.id):
            _dm(client, user_id, messages.delivery_failed(filed.case.name))

    def on_click(ack, body, action, client):
        ack()
        user_id = body["user"]["id"]
        chosen = ACTIONS_BY_ID[action["action_id"]]
        case_id = _case_id(action.get("value"))
        channel = _channel_of(body)
        if case_id is None:
            _tell(client, channel, user_id, "I can't find that report any more, so nothing was changed.")
            return
        if chosen is Action.NO_ACTION:
            _ask_reason(client, body, case_id, user_id, channel)
            return
        _after(client, reports.act(case_id, user_id, chosen), user_id, channel)

    def _ask_reason(client: WebClient, body: dict, case_id: int, user_id: str, channel: str | None) -> None:
        case = reports.case(case_id)
        if case is None:
            _tell(client, channel, user_id, "I can't find that report any more, so nothing was changed.")
            return
        # The trigger_id lives three seconds: open the modal first, then check who clicked (which may ask Slack).
        try:
            opened = client.views_open(trigger_id=body["trigger_id"], view=views.no_action_view(case))
            view_id = opened["view"]["id"]
        except SlackApiError as error:
            log.warning("could not open the reason form: %s", error.response.get("error"))
            view_id = None
        outcome = reports.prepare(case_id, user_id, Action.NO_ACTION)  # records a refusal, form or no form
        if outcome.result is Result.READY:
            return
        note = messages.outcome_note(outcome, user_id)
        if view_id:
            client.views_update(view_id=view_id, view=views.message_view(note, title="No action needed"))
        else:
            _tell(client, channel, user_id, note)

    for action_id in messages.ACTION_IDS.values():
        app.action(action_id)(on_click)

    @app.view(views.NO_ACTION_CALLBACK_ID)
    def submit_no_action(ack, body, view, client):
        user_id = body["user"]["id"]
        metadata = views.read_metadata(view)
        case_id = _case_id(metadata.get("case"))
        if case_id is None:
            ack(response_action="update", view=views.message_view("This form is out of date: nothing was changed."))
            return
        outcome = reports.act(case_id, user_id, Action.NO_ACTION, reason=views.read_reason(view))
        if outcome.result is Result.NEEDS_REASON:
            ack(response_action="errors", errors={"reason": "Please say why no action is needed."})
            return
        if outcome.result is not Result.CHANGED:
            # The modal says why nothing changed; a refusal is already in the audit trail.
            ack(response_action="update", view=views.message_view(
                messages.outcome_note(outcome, user_id), title="No action needed"
            ))
            return
        ack(response_action="update", view=views.message_view(
            f"Recorded. {messages.status_sentence(outcome.case)}", title="No action needed"
        ))
        _after(client, outcome, user_id, None)

    # --- after the acknowledgement -----------------------------------------------------------------------------------
    def _routed_to(case: CaseView) -> str:
        manager = settings.manager_of(case.reported_by)
        if manager:
            return f"goes to your manager, <@{manager}>, who can approach the group."
        if settings.managers_channel:
            return f"goes to the managers in <#{settings.managers_channel}>, who can approach the group."
        return (
            "is recorded and listed for managers, but no managers' channel is set up yet: please tell your "
            "manager about it too."
        )

    def _deliver(client: WebClient, case_id: int) -> bool:
        """Post the managers' message once, wherever the case should go; False when it could not be posted."""
        case = reports.claim_delivery(case_id)
        if case is None:
            return True  # posted already, or being posted by another request
        targets = reports.delivery_targets(case)
        if not targets:
            # Nowhere configured: the reporter was told so in the form, and the case waits in the open list.
            log.warning("report %s has no manager or managers' channel to go to", case_id)
            reports.delivery_failed(case_id)
            return True
        for target in targets:
            try:
                response = client.chat_postMessage(channel=target, **messages.case_message(case))
            except SlackApiError as error:
                log.error("could not post report %s to %s: %s", case_id, target, error.response.get("error"))
                continue
            posted = reports.delivered(case_id, response["channel"], response["ts"])
            if not posted.same_as_posted(case):
                # Reported again, or clicked, while the message was on its way.
                _refresh(client, posted.id)
            return True
        reports.delivery_failed(case_id)
        return False

    def _refresh(client: WebClient, case_id: int) -> None:
        # Read afresh: of two changes at once, the later update must show the later state.
        case = reports.case(case_id)
        if case is None:
            return
        if not case.message_ts:
            _deliver(client, case_id)
            return
        try:
            client.chat_update(channel=case.message_channel, ts=case.message_ts, **messages.case_message(case))
        except SlackApiError as error:
            # The change is recorded either way; the message catches up on the next change.
            log.error("could not update the message of report %s: %s", case_id, error.response.get("error"))

    def _reported_again(client: WebClient, filed: Filed, reporter_id: str) -> None:
        _refresh(client, filed.case.id)
        owner = filed.case.owner_id
        if owner and owner != reporter_id:
            _dm(client, owner, messages.reported_again_to_owner(filed.case, reporter_id))
            contacts = reports.contacts_for(filed.case.id, filed.report_id)
            if contacts:
                _dm(client, owner, messages.owner_contacts(filed.case, contacts, again=True))

    def _after(client: WebClient, outcome: ActOutcome, user_id: str, channel: str | None) -> None:
        if outcome.result is not Result.CHANGED:
            _tell(client, channel, user_id, messages.outcome_note(outcome, user_id))
            return
        case = outcome.case
        _refresh(client, case.id)
        for reporter in case.reporters:
            if reporter != user_id:
                _dm(client, reporter, messages.reporter_update(case))
        if outcome.contacts:
            _dm(client, user_id, messages.owner_contacts(case, outcome.contacts))

    def _tell(client: WebClient, channel: str | None, user_id: str, text: str) -> None:
        """A note only the clicker sees; a direct message when there is no channel to whisper in."""
        if not text:
            return
        try:
            if channel:
                client.chat_postEphemeral(channel=channel, user=user_id, text=text)
            else:
                client.chat_postMessage(channel=user_id, text=text)
        except SlackApiError as error:
            log.warning("could not tell %s: %s", user_id, error.response.get("error"))

    def _dm(client: WebClient, user_id: str, text: str) -> None:
        try:
            client.chat_postMessage(channel=user_id, text=text)
        except SlackApiError as error:
            log.warning("could not message %s: %s", user_id, error.response.get("error"))


ACTIONS_BY_ID = {action_id: action for action, action_id in messages.ACTION_IDS.items()}


def _case_id(value: object) -> int | None:
    # Only a lookup key: what the clicker may do is decided by who they are, never by this value.
    try:
        case_id = int(str(value))
    except (TypeError, ValueError):
        return None
    return case_id if 0 < case_id < 2**31 else None


def _channel_of(body: dict) -> str | None:
    return (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
