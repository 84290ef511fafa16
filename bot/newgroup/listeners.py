"""Thin listeners for /newgroup: parse the payload, call the wizard in `flows`, render a view."""
from __future__ import annotations

import logging

from slack_bolt import App
from slack_sdk.errors import SlackApiError

from bot import refusals
from bot.modals import channel_of, loading_view, open_modal, says_so_if_it_cannot_go_on
from bot.moderation.notify import queue_confirmation_requests
from bot.newgroup import messages, views
from bot.services import Services
from flows import drafting
from bot.calls import enqueue
from flows.wizard import drafts
from flows.wizard.service import WizardError
from flows.wizard.steps import Step

log = logging.getLogger(__name__)


def register(app: App, services: Services) -> None:
    wizard = services.wizard
    settings = services.settings

    def render(state, banner: str = "") -> dict:
        kit = drafts.kit(state, settings) if state.step is Step.REVIEW else None
        return views.step_view(state, settings, wizard.advice(state), kit=kit, banner=banner)

    @app.command("/newgroup")
    def open_wizard(ack, command, client):
        # The trigger_id lives three seconds and works once: the modal opens before anything slow, the role
        # look-ups included (several calls to Slack when the directory's copy has expired).
        ack()
        user_id = command["user_id"]
        view_id = open_modal(client, command["trigger_id"], loading_view(views.TITLE), user_id, channel_of(command))
        if view_id is None:
            return
        with says_so_if_it_cannot_go_on(client, view_id):
            if wizard.may_register(user_id):
                view = render(wizard.start(user_id, command.get("team_id"), name=command.get("text")))
            else:
                view = views.message_view(
                    "Only staff can set up an official WhatsApp group. If you need one, ask your manager or a "
                    "member of staff to run /newgroup."
                )
            client.views_update(view_id=view_id, view=view)

    @app.view(views.CALLBACK_ID)
    def submit_step(ack, body, view, client):
        user_id = body["user"]["id"]
        try:
            draft_id, step = views.read_metadata(view.get("private_metadata"))
            result = wizard.submit(draft_id, user_id, step, views.read_values(view), on_registered=queue_kit)
        except WizardError as error:
            ack(response_action="update", view=views.message_view(str(error)))
            return
        except (KeyError, ValueError):
            ack(response_action="update", view=views.message_view("This form is out of date. Type /newgroup to start again."))
            return
        if result.group is not None:
            kind = result.state.kind
            conduct = drafting.conduct_notes(kind, result.group.name, settings)
            # The kit it queued is in the outbox: the clock's prompt loop sends it (bot/prompt.py).
            ack(response_action="update", view=views.registered_view(result.group.name, kind, conduct))
            return
        fields = views.field_ids(view)
        errors = {**result.errors, **({"review": refusals.wizard(result.refusal)} if result.refusal else {})}
        if errors and result.state.step is step and set(errors) <= fields:
            ack(response_action="errors", errors=errors)
            return
        banner = " ".join(errors.values())
        ack(response_action="update", view=render(result.state, banner=banner))

    @app.action({"block_id": views.NAME_BLOCK, "action_id": views.VALUE})
    def check_name_as_typed(ack, body, client):
        ack()
        view = body["view"]
        try:
            draft_id, _ = views.read_metadata(view.get("private_metadata"))
            state, findings = wizard.preview_name(draft_id, body["user"]["id"], body["actions"][0].get("value") or "")
        except (WizardError, KeyError, ValueError):
            return
        try:
            client.views_update(view_id=view["id"], hash=view.get("hash"), view=views.step_view(
                state, settings, wizard.advice(state), live=findings,
            ))
        except SlackApiError as error:
            # hash_conflict: a newer keystroke's check already replaced this view; it is the one to keep.
            log.info("live name check not shown: %s", error.response.get("error"))

    @app.action(views.BACK_ACTION)
    def go_back(ack, body, client):
        ack()
        try:
            state = wizard.back(body["actions"][0]["value"], body["user"]["id"])
        except WizardError as error:
            state, view = None, views.message_view(str(error))
        else:
            view = render(state)
        try:
            client.views_update(view_id=body["view"]["id"], hash=body["view"].get("hash"), view=view)
        except SlackApiError as error:
            # hash_conflict: the person already moved on in this modal; their newer view stands.
            log.info("back button not applied: %s", error.response.get("error"))

    def queue_kit(session, group, state) -> list:
        """The creator's texts and the moderators' confirmation requests, queued with the registration itself: a group
        is never registered without them."""
        if not state.kind.official:
            return []
        kit = drafts.kit(state, settings)
        texts = [
            enqueue(session, "chat.postMessage", {"channel": state.user_id, **message}, dedupe_key=f"group:{group.id}:kit:{n}")
            for n, message in enumerate(messages.paste_kit_messages(group, kit))
        ]
        # M8: every moderator on Slack is asked to confirm they have read the policy and the agreement.
        return texts + queue_confirmation_requests(session, group, settings)
