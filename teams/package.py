"""Builds the Teams app package (the zip an admin uploads to Teams):

    python -m teams.package --app-id GUID --out build/teams-app.zip

teams/appPackage/manifest.json is a template: ``${{NAME}}`` placeholders are filled from the
options here (or their environment variables), so no tenant's ids live in the repository. The zip
holds manifest.json and the two icons at its root, as Teams requires, and the same inputs always
give the same bytes.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

APP_PACKAGE = Path(__file__).parent / "appPackage"
ICONS = ("color.png", "outline.png")
WEBSITE_URL = "https://amazesussex.org.uk/"
_PLACEHOLDER = re.compile(r"\$\{\{(\w+)\}\}")
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_SEMVER = re.compile(r"^\d+\.\d+\.\d+$")  # Teams compares versions as three numbers
_DOMAIN = re.compile(r"^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}(:\d{1,5})?$")
_ZIP_TIME = (2020, 1, 1, 0, 0, 0)


class PackageError(ValueError):
    """An option the package cannot be built with; the message says which and why."""


@dataclass(frozen=True)
class PackageSettings:
    app_id: str  # the bot's Microsoft App ID (Entra app registration); also the Teams app's id
    version: str = "1.0.0"
    domains: tuple[str, ...] = ()
    website_url: str = WEBSITE_URL
    privacy_url: str = WEBSITE_URL
    terms_url: str = WEBSITE_URL

    def check(self) -> None:
        if not _GUID.match(self.app_id or ""):
            raise PackageError(f"--app-id must be a GUID such as {uuid.UUID(int=0)}, got {self.app_id!r}")
        if not _SEMVER.match(self.version):
            raise PackageError(f"--version must be three numbers such as 1.0.0, got {self.version!r}")
        for domain in self.domains:
            if not _DOMAIN.match(domain):
                raise PackageError(f"--domain takes a host name without https:// or a path, got {domain!r}")
        for name in ("website_url", "privacy_url", "terms_url"):
            if not getattr(self, name).startswith("https://"):
                raise PackageError(f"--{name.replace('_', '-')} must be an https:// address")

    def placeholders(self) -> dict[str, str]:
        return {"TEAMS_APP_ID": self.app_id.lower(), "APP_VERSION": self.version,
                "WEBSITE_URL": self.website_url, "PRIVACY_URL": self.privacy_url, "TERMS_URL": self.terms_url}


def build_manifest(settings: PackageSettings, template: Path = APP_PACKAGE / "manifest.json") -> dict[str, Any]:
    settings.check()
    manifest = _fill(json.loads(template.read_text(encoding="utf-8")), settings.placeholders())
    manifest["validDomains"] = list(settings.domains)
    return manifest


def build_package(settings: PackageSettings, out: Path, app_package: Path = APP_PACKAGE) -> Path:
    manifest = build_manifest(settings, app_package / "manifest.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    files = {"manifest.json": (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode("utf-8")}
    files.update((name, (app_package / name).read_bytes()) for name in ICONS)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)  # fixed, so a rebuild gives the same bytes
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return out


def _fill(value: Any, placeholders: dict[str, str]) -> Any:
    # Filled inside parsed strings, so a value can never break the JSON around it.
    if isinstance(value, dict):
        return {k: _fill(v, placeholders) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, placeholders) for v in value]
    if isinstance(value, str):
        def one(match: re.Match[str]) -> str:
            if match.group(1) not in placeholders:
                raise PackageError(f"manifest.json names ${{{{{match.group(1)}}}}}, which nothing fills")
            return placeholders[match.group(1)]
        return _PLACEHOLDER.sub(one, value)
    return value


def _parser() -> argparse.ArgumentParser:
    env = os.environ.get
    parser = argparse.ArgumentParser(prog="python -m teams.package", description="Build the Teams app package.")
    parser.add_argument("--app-id", default=env("TEAMS_APP_ID"),
                        help="the bot's Microsoft App ID, a GUID (default: $TEAMS_APP_ID)")
    parser.add_argument("--out", type=Path, default=Path("build/teams-app.zip"),
                        help="where to write the zip (default: build/teams-app.zip)")
    parser.add_argument("--version", default=env("TEAMS_APP_VERSION", "1.0.0"),
                        help="the package's version; raise it for every upload (default: $TEAMS_APP_VERSION or 1.0.0)")
    parser.add_argument("--domain", action="append", dest="domains",
                        help="a domain the app's pages live on, for validDomains; repeatable "
                             "(default: $TEAMS_APP_DOMAINS, comma-separated)")
    parser.add_argument("--website-url", default=env("TEAMS_WEBSITE_URL", WEBSITE_URL))
    parser.add_argument("--privacy-url", default=env("TEAMS_PRIVACY_URL", WEBSITE_URL))
    parser.add_argument("--terms-url", default=env("TEAMS_TERMS_URL", WEBSITE_URL))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not args.app_id:
        parser.error("--app-id is required (or set TEAMS_APP_ID): the bot's Microsoft App ID")
    domains = args.domains or [d.strip() for d in os.environ.get("TEAMS_APP_DOMAINS", "").split(",") if d.strip()]
    settings = PackageSettings(app_id=args.app_id, version=args.version, domains=tuple(domains),
                               website_url=args.website_url, privacy_url=args.privacy_url, terms_url=args.terms_url)
    try:
        out = build_package(settings, args.out)
    except PackageError as e:
        parser.error(str(e))
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
