"""What the listeners need, built once per app: settings, database, directory and the workflows."""
from __future__ import annotations

from dataclasses import dataclass

from slack_sdk import WebClient

from bot.delivery import Deliverer, delivery_client
from bot.blocks import mention
from bot.directory import SlackDirectoryBackend
from flows.db import Database
from flows.directory.service import Directory
from flows.moderation.service import ModerationService
from flows.removals.service import RemovalService
from flows.reports.service import UnofficialGroupReports
from bot.settings import SlackSettings as Settings
from flows.wizard.service import NewGroupWizard


@dataclass
class Services:
    settings: Settings
    db: Database
    directory: Directory
    wizard: NewGroupWizard
    removals: RemovalService
    reports: UnofficialGroupReports
    # Sends what the outbox holds; in the web workers only for what follows reports (bot/reports/listeners.py):
    # the rest is sent by the clock's prompt loop (bot/prompt.py).
    delivery: Deliverer
    moderation: ModerationService

    @classmethod
    def build(cls, settings: Settings, client: WebClient, db: Database | None = None) -> Services:
        db = db or Database(settings.database_url)
        directory = Directory(db, SlackDirectoryBackend(client, settings.role_sources()), settings,
                              unknown_name=mention)
        return cls(
            settings=settings, db=db, directory=directory, wizard=NewGroupWizard(db, settings, directory),
            removals=RemovalService(db, settings, directory),
            reports=UnofficialGroupReports(db, settings, directory),
            delivery=Deliverer(db, delivery_client(settings), settings),
            moderation=ModerationService(db, settings, directory),
        )
