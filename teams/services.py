"""What the Teams handlers need, built once per worker: flows' services over the Entra directory."""
from __future__ import annotations

from dataclasses import dataclass

from flows.db import Database
from flows.directory.service import Directory
from flows.groups.lifecycle import GroupLifecycle
from flows.groups.welcomes import Welcomes
from flows.home.service import HomeService
from flows.moderation.service import ModerationService
from flows.removals.service import RemovalService
from flows.reports.service import UnofficialGroupReports
from flows.settings import Settings
from flows.wizard.service import NewGroupWizard
from teams.directory import (Graph, GraphDirectoryBackend, TokenProvider, TryOutBackend, directory_settings,
                             role_sources)
from teams.settings import TeamsSettings


@dataclass
class TeamsServices:
    # flows' settings as Teams sees them (teams.directory.directory_settings: where its destinations are).
    settings: Settings
    teams: TeamsSettings
    db: Database
    backend: GraphDirectoryBackend | TryOutBackend
    directory: Directory
    wizard: NewGroupWizard
    removals: RemovalService
    reports: UnofficialGroupReports
    home: HomeService
    moderation: ModerationService
    groups: GroupLifecycle
    welcomes: Welcomes

    @classmethod
    def build(cls, settings: Settings, teams: TeamsSettings, db: Database, token: TokenProvider) -> TeamsServices:
        seen = directory_settings(settings, teams)
        roles = role_sources(teams)
        if teams.teams_allow_unauthenticated and not teams.teams_app_id:
            backend = TryOutBackend(db, roles, teams.try_out_names())
        else:
            graph = Graph(teams.teams_graph_url, token, teams.teams_tenant_id, teams.teams_timeout_seconds)
            backend = GraphDirectoryBackend(db, graph, roles)
        directory = Directory(db, backend, seen, unknown_name=lambda person_id: "someone")
        return cls(
            settings=seen, teams=teams, db=db, backend=backend, directory=directory,
            wizard=NewGroupWizard(db, seen, directory), removals=RemovalService(db, seen, directory),
            reports=UnofficialGroupReports(db, seen, directory), home=HomeService(db, seen, directory),
            moderation=ModerationService(db, seen, directory), groups=GroupLifecycle(db, seen, directory),
            welcomes=Welcomes(db, seen),
        )

    def name(self, person_id: str | None) -> str:
        return self.directory.person(person_id).name if person_id else "someone"
