"""Thin listeners for /report-unofficial-group and the managers' buttons: parse, call `flows.reports`, render.

What a change tells other people is queued as notices by flows/reports/notices.py in the change's transaction and
sent just after the reply; only the answers to the person who clicked (the modal, a private note) go directly."""
from __future__ import annotations

import logging
import time

from slack_bolt import App
from sqlalchemy import func, or_, select
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.reports import messages, views
from bot.modals import channel_of, open_modal
from bot.people import person_id
from bot.services import Services
from flows.outbox import Notice, NoticeStatus
from flows.reports.service import Action, ActOutcome, CaseView, Result

log = logging.getLogger(__name__)


SERVICES = "services"


def register(app: App, services: Services) -> None:
    def inject(context, next):
        context[SERVICES] = services
        next()

    app.command("/report-unofficial-group", middleware=[inject])(open_form)
    app.view(views.CALLBACK_ID, middleware=[inject])(submit_report)
    for action_id in messages.ACTION_IDS.values():
        app.action(action_id, middleware=[inject])(on_click)
    app.view(views.NO_ACTION_CALLBACK_ID, middleware=[inject])(submit_no_action)


def open_form(ack, command, client, context):
    # The trigger_id lives three seconds and works once: the modal opens before anything else.
    ack()
    form = views.report_form(context[SERVICES].settings, {"name": (command.get("text") or "").strip()})
    open_modal(client, command["trigger_id"], form, context.user_id, channel_of(command))


def submit_report(ack, body, view, client, context):
    services: Services = context[SERVICES]
    reports = services.reports
    values = views.read_values(view)
    form = views.read_form(values)
    problems = reports.problems(form)
    if problems:
        ack(response_action="errors", errors=problems)
        return
    check = reports.check_name(form.name)
    if not check.matches and views.read_metadata(view).get("confirmed") != views.confirmation_of(check):
        ack(response_action="update", view=views.confirm_view(services.settings, values, check))
        return
    filed = reports.file(person_id(context), form, submission_id=view.get("id"))
    ack(response_action="update", view=views.filed_view(filed, check, _routed_to(services, filed.case)))
    _deliver(services, filed.case.id, filed.queued)


def on_click(ack, body, action, client, context):
    services: Services = context[SERVICES]
    user_id = person_id(context)
    chosen = ACTIONS_BY_ID[action["action_id"]]
    case_id = _case_id(action.get("value"))
    channel = _channel_of(body)
    if case_id is None or chosen is Action.NO_ACTION:
        ack()  # nothing is recorded by this click itself
        if case_id is None:
            _tell(client, channel, user_id, "I can't find that report any more, so nothing was changed.")
        else:
            _ask_reason(services, client, body, case_id, user_id, channel)
        return
    # Slack never resends a click it got a 200 for: the 200 leaves once the change is committed.
    outcome = services.reports.act(case_id, user_id, chosen)
    ack()
    _after(services, client, outcome, user_id, channel)


def submit_no_action(ack, body, view, client, context):
    services: Services = context[SERVICES]
    user_id = person_id(context)
    case_id = _case_id(views.read_metadata(view).get("case"))
    if case_id is None:
        ack(response_action="update", view=views.message_view("This form is out of date: nothing was changed."))
        return
    outcome = services.reports.act(case_id, user_id, Action.NO_ACTION, reason=views.read_reason(view))
    if outcome.result is Result.NEEDS_REASON:
        reason_error = outcome.reason_error or "Please say why no action is needed."
        ack(response_action="errors", errors={"reason": reason_error})
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
    _after(services, client, outcome, user_id, None)


def _ask_reason(services: Services, client: WebClient, body: dict, case_id: int, user_id: str,
                channel: str | None) -> None:
    reports = services.reports
    case = reports.case(case_id)
    if case is None:
        _tell(client, channel, user_id, "I can't find that report any more, so nothing was changed.")
        return
    # The trigger_id lives three seconds: open the modal first, then check who clicked (which may ask Slack).
    view_id = open_modal(client, body["trigger_id"], views.no_action_view(case), user_id, channel)
    outcome = reports.prepare(case_id, user_id, Action.NO_ACTION)  # records a refusal, form or no form
    if outcome.result is Result.READY:
        return
    note = messages.outcome_note(outcome, user_id)
    if view_id:
        client.views_update(view_id=view_id, view=views.message_view(note, title="No action needed"))
    else:
        _tell(client, channel, user_id, note)


# --- after the acknowledgement ---------------------------------------------------------------------------------------
def _routed_to(services: Services, case: CaseView) -> str:
    settings = services.settings
    with services.db.transaction() as session:
        manager = settings.line_manager(session, case.reported_by)
    if manager:
        return f"goes to your manager, <@{manager}>, who can approach the group."
    if settings.managers_channel:
        return f"goes to the managers in <#{settings.managers_channel}>, who can approach the group."
    return (
        "is recorded and listed for managers, but no managers' channel is set up yet: please tell your "
        "manager about it too."
    )


def _deliver(services: Services, case_id: int, queued: tuple) -> None:
    """Send what the change queued, now rather than at the clock's next tick. A managers' message that could not
    go moves on to the next place, or the reporter is told, and that goes too (once per place)."""
    if queued:
        # Off the listener thread: the next click must not wait for these Slack calls.
        services.delivery.after_reply.submit(_deliver_now, services, case_id, queued)


def _deliver_now(services: Services, case_id: int, queued: tuple) -> None:
    services.delivery.flush_after_request(*queued)
    # The clock's prompt loop may have taken them first: follow up once they are settled either way.
    _wait_until_settled(services, queued)
    for _ in range(MAX_FOLLOW_UPS):
        try:
            more = services.reports.follow_up(case_id)
        except Exception:  # the clock's follow-up job tries again
            log.exception("following up the managers' message of report %s failed", case_id)
            return
        if not more:
            return
        services.delivery.flush_after_request(*more)
        _wait_until_settled(services, tuple(more))


def _after(services: Services, client: WebClient, outcome: ActOutcome, user_id: str, channel: str | None) -> None:
    if outcome.result is not Result.CHANGED:
        _tell(client, channel, user_id, messages.outcome_note(outcome, user_id))
        return
    _deliver(services, outcome.case.id, outcome.queued)


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


# The reporter's manager, the managers' channel, then the reporters: never more rounds than that.
MAX_FOLLOW_UPS = 4
SETTLE_SECONDS = 5.0
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


def _wait_until_settled(services: Services, queued: tuple, seconds: float = SETTLE_SECONDS) -> None:
    """Until none of these notices is waiting for its first try or being sent (bounded: one Slack keeps refusing
    for a while is followed up by the clock's job instead)."""
    ids = [n.id if isinstance(n, Notice) else n for n in queued]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with services.db.transaction() as session:
            waiting = session.scalar(select(func.count()).select_from(Notice).where(
                Notice.id.in_(ids), Notice.status == NoticeStatus.PENDING.value,
                or_(Notice.attempts == 0, Notice.claim_token.is_not(None))))
        if not waiting:
            return
        time.sleep(0.05)
