"""The Teams app package: what an admin uploads to Teams must pass Microsoft's manifest schema and
hold exactly what Teams reads."""

from __future__ import annotations

import copy
import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import jsonschema
import pytest
from PIL import Image

from teams.package import APP_PACKAGE, PackageError, PackageSettings, build_manifest, build_package

SCHEMA_DIR = Path(__file__).parent / "schemas" / "teams-manifest-v1.22"
APP_ID = "6f1c2d3e-4b5a-4c6d-8e7f-0123456789ab"
ROOT = Path(__file__).parent.parent
COMMANDS = ["new group", "report group", "log removal", "home"]


@pytest.fixture(scope="module")
def schema():
    return json.loads((SCHEMA_DIR / "MicrosoftTeams.schema.json").read_text(encoding="utf-8"))


def schema_errors(schema, manifest):
    validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)
    return sorted(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(manifest))


@pytest.mark.parametrize("domains", [(), ("gpa.amazesussex.org.uk",)])
def test_the_built_manifest_passes_microsofts_schema(schema, domains):
    manifest = build_manifest(PackageSettings(app_id=APP_ID, domains=domains))
    assert schema_errors(schema, manifest) == []
    assert manifest["validDomains"] == list(domains)


def test_the_manifest_is_the_version_of_the_vendored_schema(schema):
    # Draft-04 validators ignore the schema's "const", so the version is compared here.
    manifest = build_manifest(PackageSettings(app_id=APP_ID))
    assert manifest["manifestVersion"] == schema["properties"]["manifestVersion"]["const"] == "1.22"
    assert manifest["$schema"].endswith("/teams/v1.22/MicrosoftTeams.schema.json")


def test_the_schema_refuses_what_teams_would_refuse(schema):
    good = build_manifest(PackageSettings(app_id=APP_ID))
    bad_bot = copy.deepcopy(good)
    bad_bot["bots"][0]["botId"] = "not-a-guid"
    bad_bot["bots"][0]["scopes"] = ["personal", "everyone"]
    long_name = copy.deepcopy(good)
    long_name["name"]["short"] = "Group Policy Assistant for Amaze"
    assert [e.split(":")[0] for e in schema_errors(schema, bad_bot)] == ["bots/0/botId", "bots/0/scopes/1"]
    assert [e.split(":")[0] for e in schema_errors(schema, long_name)] == ["name/short"]


def test_the_bot_offers_its_four_commands_in_personal_and_team_scopes():
    manifest = build_manifest(PackageSettings(app_id=APP_ID.upper(), version="2.3.4"))
    assert manifest["id"] == APP_ID and manifest["version"] == "2.3.4"
    (bot,) = manifest["bots"]
    assert bot["botId"] == APP_ID
    assert bot["scopes"] == ["personal", "team"]
    assert [(cl["scopes"], [c["title"] for c in cl["commands"]]) for cl in bot["commandLists"]] == [
        (["personal"], COMMANDS), (["team"], COMMANDS)]
    assert "${{" not in json.dumps(manifest)


@pytest.mark.parametrize("settings, field", [
    (PackageSettings(app_id="1234"), "--app-id"),
    (PackageSettings(app_id=APP_ID, version="1.0"), "--version"),
    (PackageSettings(app_id=APP_ID, domains=("https://gpa.example.org/",)), "--domain"),
    (PackageSettings(app_id=APP_ID, privacy_url="http://amazesussex.org.uk/"), "--privacy-url"),
])
def test_bad_settings_are_refused_naming_the_option(settings, field, tmp_path):
    with pytest.raises(PackageError, match=field):
        build_package(settings, tmp_path / "teams-app.zip")
    assert not (tmp_path / "teams-app.zip").exists()


def test_a_placeholder_nothing_fills_stops_the_build(tmp_path):
    template = json.loads((APP_PACKAGE / "manifest.json").read_text())
    template["developer"]["mpnId"] = "${{MPN_ID}}"
    (tmp_path / "manifest.json").write_text(json.dumps(template))
    with pytest.raises(PackageError, match="MPN_ID"):
        build_manifest(PackageSettings(app_id=APP_ID), tmp_path / "manifest.json")


def test_the_icons_are_the_sizes_and_colours_teams_requires():
    colour = Image.open(APP_PACKAGE / "color.png")
    assert (colour.format, colour.size) == ("PNG", (192, 192))
    outline = Image.open(APP_PACKAGE / "outline.png")
    assert (outline.format, outline.size, outline.mode) == ("PNG", (32, 32), "RGBA")
    pixels = [outline.getpixel((x, y)) for x in range(32) for y in range(32)]
    assert {p[:3] for p in pixels if p[3]} == {(255, 255, 255)}, "outline is white only"
    corners = [outline.getpixel(xy) for xy in ((0, 0), (31, 0), (0, 31), (31, 31))]
    assert [p[3] for p in corners] == [0, 0, 0, 0], "on a transparent ground"
    assert sum(p[3] == 255 for p in pixels) > 50, "with a drawing that shows"


def test_the_zip_holds_the_manifest_and_icons_at_its_root_and_rebuilds_identically(tmp_path):
    first = build_package(PackageSettings(app_id=APP_ID), tmp_path / "a" / "teams-app.zip")
    with zipfile.ZipFile(first) as archive:
        assert sorted(archive.namelist()) == ["color.png", "manifest.json", "outline.png"]
        assert json.loads(archive.read("manifest.json"))["id"] == APP_ID
        assert archive.read("color.png") == (APP_PACKAGE / "color.png").read_bytes()
        assert Image.open(io.BytesIO(archive.read("outline.png"))).size == (32, 32)
    again = build_package(PackageSettings(app_id=APP_ID), tmp_path / "b" / "teams-app.zip")
    assert first.read_bytes() == again.read_bytes()


def _run(args, env=None):
    return subprocess.run([sys.executable, "-m", "teams.package", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=60, env={**os.environ, **(env or {})})


def test_the_command_builds_the_zip_from_the_app_id_option_or_environment(tmp_path):
    out = tmp_path / "build" / "teams-app.zip"
    done = _run(["--app-id", APP_ID, "--out", str(out), "--domain", "gpa.amazesussex.org.uk"])
    assert done.returncode == 0, done.stderr
    assert json.loads(zipfile.ZipFile(out).read("manifest.json"))["validDomains"] == ["gpa.amazesussex.org.uk"]
    from_env = tmp_path / "env.zip"
    done = _run(["--out", str(from_env)], env={"TEAMS_APP_ID": APP_ID, "TEAMS_APP_DOMAINS": "a.example.org, b.example.org"})
    assert done.returncode == 0, done.stderr
    manifest = json.loads(zipfile.ZipFile(from_env).read("manifest.json"))
    assert (manifest["id"], manifest["validDomains"]) == (APP_ID, ["a.example.org", "b.example.org"])


def test_the_command_says_what_is_wrong_and_writes_nothing(tmp_path):
    out = tmp_path / "teams-app.zip"
    env = {k: v for k, v in os.environ.items() if k != "TEAMS_APP_ID"}
    done = subprocess.run([sys.executable, "-m", "teams.package", "--out", str(out)], cwd=ROOT,
                          capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 2 and "--app-id is required" in done.stderr
    done = _run(["--app-id", "my-bot", "--out", str(out)])
    assert done.returncode == 2 and "--app-id must be a GUID" in done.stderr and "Traceback" not in done.stderr
    assert not out.exists()
