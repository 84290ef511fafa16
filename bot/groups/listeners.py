"""Thin listeners for changing a registered group, from the group in the App Home: parse, call flows/groups, render.
Module-level functions; register(app, services) binds them, handing each the workflows through Bolt's context."""
from __future__ import annotations

from dataclasses import dataclass

from slack_bolt import App

from bot.groups import views
from bot.groups.ids import ActionId, CallbackId
from bot.modals import channel_of, loading_view, open_modal, says_so_if_it_cannot_go_on
from bot.newgroup.views import field_ids, read_values
from bot.people import person_id, person_of
from bot.refusals import field_errors
from bot.services import Services
from flows.groups.access import ChangeRefusal
from flows.groups.changes import Change, ChangeResult
from flows.groups.lifecycle import GroupLifecycle
from flows.groups.welcomes import Welcomes

KEY = "groups"


@dataclass(frozen=True)
class Workflows:
    services: Services
    groups: GroupLifecycle
    welcomes: Welcomes


def register(app: App, services: Services) -> None:
    workflows = Workflows(services, GroupLifecycle(services.db, services.settings, services.directory),
                          Welcomes(services.db, services.settings))

    def inject(context, next):
        context[KEY] = workflows
        next()

    for action, listener in {
        ActionId.CHANGE: open_menu, ActionId.WELCOME: open_welcome, ActionId.MODERATORS: show_form,
        ActionId.DETAILS: show_form, ActionId.CLOSE: show_form, ActionId.REOPEN: reopen,
    }.items():
        app.action(action.value, middleware=[inject])(listener)
    for callback, listener in {
        CallbackId.MODERATORS: submit_moderators, CallbackId.DETAILS: submit_details,
        CallbackId.CLOSE: submit_close, CallbackId.WELCOME: submit_welcome,
    }.items():
        app.view(callback.value, middleware=[inject])(listener)


# --- opening ---------------------------------------------------------------------------------------------------------
def open_menu(ack, body, client, context):
    ack()
    workflows: Workflows = context[KEY]
    user_id = person_id(context)
    view_id = open_modal(client, body["trigger_id"], loading_view(views.TITLE), user_id, channel_of(body))
    if view_id is None:
        return
    with says_so_if_it_cannot_go_on(client, view_id):
        group, actor = workflows.groups.actor(_value(body), user_id)
        view = views.menu_view(group, actor) if group else views.message_view(views.word(ChangeRefusal.NOT_FOUND))
        client.views_update(view_id=view_id, view=view)


def open_welcome(ack, body, client, context):
    """From the App Home (a modal is opened) or the group's menu (the form replaces it)."""
    ack()
    workflows: Workflows = context[KEY]
    user_id = person_id(context)
    if (body.get("view") or {}).get("type") == "modal":
        _update(client, body, _welcome_form(workflows, _value(body), user_id))
        return
    view_id = open_modal(client, body["trigger_id"], loading_view(views.TITLE), user_id, channel_of(body))
    if view_id is None:
        return
    with says_so_if_it_cannot_go_on(client, view_id):
        client.views_update(view_id=view_id, view=_welcome_form(workflows, _value(body), user_id))


def show_form(ack, body, client, context):
    """A button in the menu: the form replaces the menu, when the person may make that change."""
    ack()
    workflows: Workflows = context[KEY]
    action = ActionId(body["actions"][0]["action_id"])
    change = {ActionId.MODERATORS: Change.MODERATORS, ActionId.DETAILS: Change.DETAILS,
              ActionId.CLOSE: Change.CLOSED}[action]
    group, refused = workflows.groups.may_change(change, _value(body), person_id(context))
    view = views.message_view(views.word(refused.refusal)) if refused else {
        ActionId.MODERATORS: views.moderators_view, ActionId.DETAILS: views.details_view,
        ActionId.CLOSE: views.close_view,
    }[action](group)
    _update(client, body, view)


def _welcome_form(workflows: Workflows, group_id: str, user_id: str) -> dict:
    group, actor = workflows.groups.actor(group_id, user_id)
    if group is None or not actor.moderator or group.closed_at is not None:
        # Opening the form changes nothing; recording the member is where the refusal is kept.
        return views.message_view(views.word(_not_a_moderator(group)))
    return views.welcome_view(group)


# --- changing ---------------------------------------------------------------------------------------------------------
def reopen(ack, body, client, context):
    workflows: Workflows = context[KEY]
    result = workflows.groups.reopen(_value(body), person_id(context))
    # Acknowledged once the change is committed: Slack never resends a click it got a 200 for.
    ack()
    _update(client, body, _result_view(result))


def submit_moderators(ack, body, view, context):
    workflows: Workflows = context[KEY]
    _settle(ack, view, workflows, workflows.groups.change_moderators(
        views.read_group_id(view), person_id(context), read_values(view, _picked(context))))


def submit_details(ack, body, view, context):
    workflows: Workflows = context[KEY]
    _settle(ack, view, workflows, workflows.groups.change_details(
        views.read_group_id(view), person_id(context), read_values(view, _picked(context))))


def submit_close(ack, body, view, context):
    workflows: Workflows = context[KEY]
    _settle(ack, view, workflows, workflows.groups.close(
        views.read_group_id(view), person_id(context), read_values(view, _picked(context))))


def submit_welcome(ack, body, view, context):
    workflows: Workflows = context[KEY]
    member = read_values(view, _picked(context)).get("member") or ""
    _settle(ack, view, workflows, workflows.welcomes.welcome(
        views.read_group_id(view), person_id(context), member))


def _settle(ack, view: dict, workflows: Workflows, result: ChangeResult) -> None:
    # The wizard's own moderator checks give typed problems: worded here, as in the wizard.
    result.errors = field_errors(result.errors) if result.errors else result.errors
    if result.errors and set(result.errors) <= field_ids(view):
        ack(response_action="errors", errors=result.errors)
        return
    # What it queued is in the outbox: the clock's prompt loop sends it (bot/prompt.py).
    ack(response_action="update", view=_result_view(result))


def _result_view(result: ChangeResult) -> dict:
    if result.errors:
        return views.message_view(" ".join(result.errors.values()))
    if result.refusal is not None:
        return views.message_view(views.word(result.refusal))
    return views.done_view(result)


# --- small helpers -----------------------------------------------------------------------------------------------------
def _update(client, body: dict, view: dict) -> None:
    container = body.get("view") or {}
    if container.get("type") == "modal":
        client.views_update(view_id=container["id"], hash=container.get("hash"), view=view)
    else:
        client.views_open(trigger_id=body["trigger_id"], view=view)


def _value(body: dict) -> str:
    return str((body.get("actions") or [{}])[0].get("value") or "")


def _not_a_moderator(group) -> ChangeRefusal:
    if group is None:
        return ChangeRefusal.NOT_FOUND
    return ChangeRefusal.CLOSED if group.closed_at is not None else ChangeRefusal.NOT_A_MODERATOR


def _picked(context):
    """The users picked in a form, as the people they are in the app."""
    db = context[KEY].services.db
    return lambda user_id: person_of(db, user_id)
