"""Browser tests: Debian's Chromium driven by Playwright against the app served on a free port.

Outside CI these skip with a reason when /usr/bin/chromium is missing; with CI=true they fail instead.
"""

import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from app import create_app
from app.core.actors import ensure_system_actor
from app.core.clock import clock
from app.extensions import db
from tests.conftest import DEFAULT_PASSWORD, _truncate_all, make_config

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).parent / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def pytest_collection_modifyitems(config, items) -> None:
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser() -> Iterator:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"Chromium is required in CI but {CHROMIUM} is missing (apt-get install chromium)")
        pytest.skip(f"{CHROMIUM} not found: apt-get install chromium fonts-wqy-microhei to run browser tests")
    from playwright.sync_api import sync_playwright

    user_data = tempfile.mkdtemp(prefix="ipex-chromium-")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
    shutil.rmtree(user_data, ignore_errors=True)


@pytest.fixture
def app(database_url: str, tmp_path: Path):
    """The served app: CSRF on, as in production; SQLite in a file so server threads share it."""
    url = f"sqlite:///{tmp_path / 'e2e.db'}" if database_url.startswith("sqlite") else database_url
    app = create_app(make_config(url, WTF_CSRF_ENABLED=True, PASSWORD_HASH_FAST=True))
    with app.app_context():
        if url.startswith("sqlite"):
            db.create_all()
        ensure_system_actor()  # the core migration creates it; create_all does not
        db.session.commit()
        yield app
        db.session.rollback()
        if not url.startswith("sqlite"):
            _truncate_all()
        db.session.remove()
        db.engine.dispose()


def closed_before_sending(app):
    """The app's answer read whole and its iterator closed before the server sends it.

    werkzeug's development server drains the request after answering and calls the iterator's
    close() only if that drain does not fail; when the browser resets the connection first (it often
    does after a redirect), close() and so Flask's call_on_close callbacks are skipped, and a mail sent
    after the response (the password reset) is lost. Production servers (gunicorn) close in a
    ``finally``; this gives the browser tests the same guarantee."""

    def wsgi(environ, start_response):
        iterable = app(environ, start_response)
        try:
            return [b"".join(iterable)]
        finally:
            if hasattr(iterable, "close"):
                iterable.close()

    return wsgi


@pytest.fixture
def live_server(app) -> Iterator[str]:
    """Serve the app on a free loopback port; yields its base URL."""
    server = make_server("127.0.0.1", 0, closed_before_sending(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context per test, asking for Chinese first like most of our users."""
    context = browser.new_context(
        base_url=live_server, locale="zh-CN", viewport={"width": 1280, "height": 860}
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def screenshot(page, name: str, full_page: bool = True) -> Path:
    """Save a screenshot under tests/e2e/screenshots/ (git-ignored) to look at."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def log_in(page, email: str, password: str) -> None:
    """Sign in through the login form in the page's current session."""
    page.goto("/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()


def switch_user(page, email: str, password: str = DEFAULT_PASSWORD) -> None:
    """Sign in as another user in the same browser context: a fresh session, then the login form."""
    page.context.clear_cookies()
    log_in(page, email, password)


@pytest.fixture
def stopped_clock():
    """The app's clock stopped at the real now, so a page's countdown agrees with the server."""
    clock.freeze()
    yield clock
    clock.unfreeze()
