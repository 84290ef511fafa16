"""Thin listeners for /newgroup: parse the payload, call the wizard in `flows`, render a view."""
from __future__ import annotations

import logging

from slack_bolt import App
from slack_sdk.errors import SlackApiError

from bot import refusals
from bot.modals import channel_of, loading_view, open_modal, says_so_if_it_cannot_go_on
from bot.newgroup import views
from bot.people import person_id, person_of
from bot.services import Services
from flows import drafting
from flows.wizard import drafts
from flows.wizard.service import WizardError
from flows.wizard.steps import Step

log = logging.getLogger(__name__)


SERVICES = "services"


def register(app: App, services: Services) -> None:
    def inject(context, next):
        context[SERVICES] = services
        next()

    app.command("/newgroup", middleware=[inject])(open_wizard)
    app.view(views.CALLBACK_ID, middleware=[inject])(submit_step)
    app.action({"block_id": views.NAME_BLOCK, "action_id": views.VALUE}, middleware=[inject])(check_name_as_typed)
    app.action(views.BACK_ACTION, middleware=[inject])(go_back)
    app.action(views.DraftAction.CONTINUE.value, middleware=[inject])(continue_draft)


def _render(services: Services, state, banner: str = "") -> dict:
    kit = drafts.kit(state, services.settings) if state.step is Step.REVIEW else None
    return views.step_view(state, services.settings, services.wizard.advice(state), kit=kit, banner=banner)


def open_wizard(ack, command, client, context):
    # The trigger_id lives three seconds and works once: the modal opens before anything slow, the role
    # look-ups included (several calls to Slack when the directory's copy has expired).
    ack()
    services: Services = context[SERVICES]
    wizard = services.wizard
    view_id = open_modal(client, command["trigger_id"], loading_view(views.TITLE), context.user_id,
                         channel_of(command))
    if view_id is None:
        return
    with says_so_if_it_cannot_go_on(client, view_id):
        user_id = person_id(context)
        if wizard.may_register(user_id):
            state = wizard.start(user_id, command.get("team_id"), name=command.get("text"))
            view = views.with_resume_offer(_render(services, state),
                                           wizard.unfinished(user_id, other_than=state.draft_id))
        else:
            view = views.message_view(
                "Only staff can set up an official WhatsApp group. If you need one, ask your manager or a "
                "member of staff to run /newgroup."
            )
        client.views_update(view_id=view_id, view=view)


def submit_step(ack, body, view, client, context):
    services: Services = context[SERVICES]
    user_id = person_id(context)

    def picked(slack_user: str) -> str:
        # The pickers name Slack users; the wizard takes people.
        return person_of(services.db, slack_user)

    try:
        draft_id, step = views.read_metadata(view.get("private_metadata"))
        result = services.wizard.submit(draft_id, user_id, step, views.read_values(view, picked))
    except WizardError as error:
        ack(response_action="update", view=views.message_view(str(error)))
        return
    except (KeyError, ValueError):
        ack(response_action="update", view=views.message_view("This form is out of date. Type /newgroup to start again."))
        return
    if result.group is not None:
        kind = result.state.kind
        conduct = drafting.conduct_notes(kind, result.group.name, services.settings)
        # The kit it queued is in the outbox: the clock's prompt loop sends it (bot/prompt.py).
        ack(response_action="update", view=views.registered_view(result.group.name, kind, conduct))
        return
    fields = views.field_ids(view)
    errors = {**refusals.field_errors(result.errors),
              **({"review": refusals.wizard(result.refusal)} if result.refusal else {})}
    if errors and result.state.step is step and set(errors) <= fields:
        ack(response_action="errors", errors=errors)
        return
    banner = " ".join(errors.values())
    ack(response_action="update", view=_render(services, result.state, banner=banner))


def check_name_as_typed(ack, body, client, context):
    ack()
    services: Services = context[SERVICES]
    view = body["view"]
    try:
        draft_id, _ = views.read_metadata(view.get("private_metadata"))
        state, findings = services.wizard.preview_name(draft_id, person_id(context),
                                                       body["actions"][0].get("value") or "")
    except (WizardError, KeyError, ValueError):
        return
    try:
        client.views_update(view_id=view["id"], hash=view.get("hash"), view=views.step_view(
            state, services.settings, services.wizard.advice(state), live=findings,
        ))
    except SlackApiError as error:
        # hash_conflict: a newer keystroke's check already replaced this view; it is the one to keep.
        log.info("live name check not shown: %s", error.response.get("error"))


def go_back(ack, body, client, context):
    ack()
    services: Services = context[SERVICES]
    try:
        state = services.wizard.back(body["actions"][0]["value"], person_id(context))
    except WizardError as error:
        view = views.message_view(str(error))
    else:
        view = _render(services, state)
    try:
        client.views_update(view_id=body["view"]["id"], hash=body["view"].get("hash"), view=view)
    except SlackApiError as error:
        # hash_conflict: the person already moved on in this modal; their newer view stands.
        log.info("back button not applied: %s", error.response.get("error"))


def continue_draft(ack, body, client, context):
    """From /newgroup's offer (the modal is there) or the App Home (a modal is opened)."""
    ack()
    services: Services = context[SERVICES]
    user_id = person_id(context)
    view_id = _modal_of(body) or open_modal(client, body["trigger_id"], loading_view(views.TITLE), user_id,
                                            channel_of(body))
    if view_id is None:
        return
    with says_so_if_it_cannot_go_on(client, view_id):
        try:
            view = _render(services, services.wizard.state(body["actions"][0].get("value") or "", user_id))
        except WizardError as error:
            view = views.message_view(str(error))
        else:
            _discard_the_new_one(services, body, user_id)
        client.views_update(view_id=view_id, view=view)


def _discard_the_new_one(services: Services, body: dict, user_id: str) -> None:
    """Offered on the first step of a new set-up: carrying on the old one makes the new one pointless."""
    try:
        draft_id, step = views.read_metadata((body.get("view") or {}).get("private_metadata"))
    except ValueError:
        return
    if step is Step.KIND and draft_id != body["actions"][0].get("value"):
        services.wizard.discard(draft_id, user_id)


def _modal_of(body: dict) -> str | None:
    view = body.get("view") or {}
    return view.get("id") if view.get("type") == "modal" else None
