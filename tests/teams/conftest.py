"""The Teams app over real HTTP: the web process's ASGI front (Slack's endpoint and Teams' beside it) served on a free
loopback port, with the local key server, fake Bot Connector and fake Graph standing in for Microsoft."""
from __future__ import annotations

import socket
import threading
import time
import uuid
from dataclasses import dataclass

import pytest
import uvicorn

from flows.db import Database
from flows.settings import Settings
from teams.settings import TeamsSettings
from tests.harness.bot_auth import APP_ID, TENANT_ID, BotAuthority
from tests.harness.fake_connector import FakeConnector
from tests.harness.fake_graph import FakeGraph
from tests.teams.chat import TeamsChat, TeamsUser


def _user(name: str) -> TeamsUser:
    return TeamsUser(str(uuid.uuid5(uuid.NAMESPACE_DNS, name + ".example.org")), name)


STAFF = _user("Alex Morgan")
STAFF_2 = _user("Bea Hughes")
PCF_STAFF = _user("Priya Shah")
VOLUNTEER = _user("Val Jones")
MANAGER = _user("Sam Senior")
MANAGER_2 = _user("Mo Manager")
GUEST = _user("Gus Guest")
STAFF_GROUP, PCF_GROUP, MANAGERS_GROUP = (str(uuid.uuid5(uuid.NAMESPACE_DNS, g)) for g in ("staff", "pcf", "managers"))


@pytest.fixture(scope="session")
def authority():
    with BotAuthority() as a:
        yield a


@pytest.fixture(scope="session")
def _connector(authority):
    with FakeConnector(authority) as c:
        yield c


@pytest.fixture
def connector(_connector):
    _connector.reset()
    return _connector


@pytest.fixture(scope="session")
def _graph(authority):
    with FakeGraph(authority) as g:
        yield g


@pytest.fixture
def graph(_graph):
    _graph.reset()
    for user in (STAFF, STAFF_2, PCF_STAFF, VOLUNTEER, MANAGER, MANAGER_2):
        _graph.add_user(user.aad_object_id, user.name)
    _graph.add_user(GUEST.aad_object_id, GUEST.name, user_type="Guest")
    _graph.add_group(MANAGERS_GROUP, "Senior managers", [MANAGER.aad_object_id, MANAGER_2.aad_object_id])
    # Managers are staff through the nested group; the guest is in the group but never staff.
    _graph.add_group(STAFF_GROUP, "Staff", [STAFF.aad_object_id, STAFF_2.aad_object_id, MANAGERS_GROUP,
                                            GUEST.aad_object_id])
    _graph.add_group(PCF_GROUP, "PCF staff", [PCF_STAFF.aad_object_id])
    return _graph


@pytest.fixture
def teams_settings(authority, graph) -> TeamsSettings:
    return TeamsSettings(
        _env_file=None, teams_app_id=APP_ID, teams_tenant_id=TENANT_ID,
        teams_openid_metadata_url=authority.openid_metadata_url, teams_graph_url=graph.base_url,
        teams_staff_group_id=STAFF_GROUP, teams_pcf_staff_group_id=PCF_GROUP,
        teams_senior_managers_group_id=MANAGERS_GROUP, teams_timeout_seconds=5,
    )


@dataclass
class RunningTeamsApp:
    url: str
    chat: TeamsChat
    connector: FakeConnector
    graph: FakeGraph
    authority: BotAuthority
    db: Database
    settings: Settings
    teams: TeamsSettings


class AsgiServer:
    """An ASGI app on a free loopback port, on its own thread and event loop (as a web worker has its own)."""

    def __init__(self, app) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.bind(("127.0.0.1", 0))
        self.url = "http://127.0.0.1:%d" % self._socket.getsockname()[1]
        self._server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the ASGI server did not start")
            time.sleep(0.01)

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._socket.close()


def serve(settings: Settings, teams: TeamsSettings, db: Database, authority: BotAuthority) -> AsgiServer:
    from bot.asgi import front
    from bot.wsgi import create_wsgi_app
    from teams.front import endpoint

    return AsgiServer(front(settings, create_wsgi_app(settings, db),
                            teams=endpoint(settings, teams, db, token=authority.token_provider)))


@pytest.fixture
def teams_app(settings, teams_settings, db, authority, connector, graph):
    server = serve(settings, teams_settings, db, authority)
    try:
        yield RunningTeamsApp(server.url, TeamsChat(server.url, authority, connector), connector, graph, authority,
                              db, settings, teams_settings)
    finally:
        server.stop()


@pytest.fixture
def chat(teams_app) -> TeamsChat:
    return teams_app.chat
