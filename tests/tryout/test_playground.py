"""`make try` seen through a browser: Microsoft 365 Agents Playground (the local Teams client) in Debian's Chromium,
driven by Playwright, against the try-out's own servers. What is asserted is what the person sees on the page;
each step leaves a screenshot under tests/artifacts/tryout/ (printed at the end, kept by CI in its log)."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tryout.__main__ import PLAYGROUND_CLI

REPO = Path(__file__).resolve().parents[2]
SHOTS = REPO / "tests" / "artifacts" / "tryout"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Keep Chromium off the network: this machine reaches nothing outside, and Chromium would keep trying.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync", "--disable-quic"]
START_SECONDS, STEP_SECONDS = 90, 30


def _missing() -> str | None:
    if not Path(CHROMIUM).exists():
        return "Chromium is not installed (make test installs it: scripts/install-browser)"
    if not PLAYGROUND_CLI.is_file():
        return "the playground is not installed (make test installs it: npm ci in tryout/playground)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "playwright is not installed (the test extra)"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def try_out(tmp_path_factory):
    missing = _missing()
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"the browser test cannot run in CI: {missing}")
        pytest.skip(missing)
    app_port, page_port = _free_port(), _free_port()
    folder = tmp_path_factory.mktemp("try")
    log = (folder / "try.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "tryout", "--app-port", str(app_port), "--page-port", str(page_port),
         "--folder", str(folder / "data")],
        cwd=REPO, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        _wait_for(f"http://127.0.0.1:{page_port}/", process, folder / "try.log")
        yield f"http://127.0.0.1:{page_port}/"
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()


def _wait_for(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"make try stopped ({process.returncode}):\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"the playground did not answer within {START_SECONDS} s:\n{log.read_text()[-3000:]}")


class Chat:
    """The playground's personal chat with the app, as a person uses it."""

    def __init__(self, page) -> None:
        self.page = page
        self.shots: list[Path] = []

    def say(self, text: str):
        """Type a message to the app and return the card it answers with."""
        cards = self.page.locator(".ac-adaptiveCard")
        before = cards.count()
        compose = self.page.locator("[data-lexical-editor=true]")
        compose.click()
        self.page.keyboard.type(text)
        self.page.keyboard.press("Enter")
        self.page.wait_for_function(f"document.querySelectorAll('.ac-adaptiveCard').length > {before}",
                                    timeout=STEP_SECONDS * 1000)
        # This card, wherever later ones land (a notice may arrive meanwhile): cards change in place.
        return cards.nth(before)

    def press(self, card, button: str, then: str):
        """Press a button on a card and wait until the card shows `then` (cards change in place)."""
        card.get_by_role("button", name=button).first.click()
        card.get_by_text(then).first.wait_for(timeout=STEP_SECONDS * 1000)
        return card

    def shot(self, name: str) -> None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        path = SHOTS / f"{len(self.shots) + 1:02d}-{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        self.shots.append(path)


@pytest.fixture
def chat(try_out):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 1400})
        page.goto(try_out, wait_until="domcontentloaded")
        page.locator("[data-lexical-editor=true]").wait_for(timeout=STEP_SECONDS * 1000)
        talk = Chat(page)
        try:
            yield talk
        finally:
            print("\nscreenshots:\n" + "\n".join(f"  {p.relative_to(REPO)}" for p in talk.shots))
            browser.close()


def test_a_newcomer_sets_up_a_group_and_signs_off_the_waiting_removal(chat):
    chat.shot("opened")

    home = chat.say("home")
    assert "1 waiting for you" in home.inner_text()
    assert "Sign off a permanent removal from Amaze Lewes Parent Carers (J.S.)" in home.inner_text()
    chat.shot("home")

    wizard = chat.say("new group")
    assert "What kind of WhatsApp group are you setting up?" in wizard.inner_text()
    wizard.locator("input[type=radio][value=work_staff]").check()
    chat.shot("wizard-kind")
    chat.press(wizard, "Next", "Step 2 of 4: Name")
    wizard.locator("input[aria-label^='As it will appear in WhatsApp']").fill("Amaze Hove Staff Team")
    chat.press(wizard, "Next", "Step 3 of 4: Description")
    wizard.locator("input[aria-label^='https://']").fill("https://www.amazesussex.org.uk/groups/hove-staff-agreement")
    chat.shot("wizard-description")
    chat.press(wizard, "Next", "Step 4 of 4: Review")
    assert "Name: Amaze Hove Staff Team" in wizard.inner_text()
    chat.shot("wizard-review")
    chat.press(wizard, "Register group", "Registered")
    assert "Amaze Hove Staff Team" in wizard.inner_text()
    chat.shot("registered")

    home = chat.say("home")
    chat.press(home, "Open", "Waiting for a senior manager's sign-off (R2)")
    assert home.get_by_role("button", name="Approve").count() == 1
    chat.shot("removal-waiting")
    chat.press(home, "Approve", "Approved")
    assert home.get_by_role("button", name="Approve").count() == 0
    assert "Approved: by Alex Wilber" in home.inner_text()
    # The sign-off request the app sent Alex on its own changes in place too, buttons gone, once it is replaced.
    chat.page.wait_for_function("!Array.from(document.querySelectorAll('.ac-adaptiveCard button'))"
                                ".some(b => b.innerText.trim() == 'Approve')", timeout=STEP_SECONDS * 1000)
    chat.shot("removal-approved")
