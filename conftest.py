"""Suite-wide fixtures: the real PostgreSQL check, people by role, the browser."""

import os

import pytest


@pytest.fixture(autouse=True)
def _clean_cache():
    # Rate limits live in the (Redis) cache; each test starts with none spent.
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def student(db):
    from accounts.tests.factories import StudentFactory

    return StudentFactory(full_name="Sam Student", timezone="America/New_York")


@pytest.fixture
def mentor(db):
    from accounts.tests.factories import MentorFactory

    return MentorFactory(full_name="Ada Mentor", timezone="Europe/London")


@pytest.fixture
def manager(db):
    from accounts.tests.factories import ManagerFactory

    return ManagerFactory(full_name="Maya Manager", timezone="Europe/London")


@pytest.fixture
def stranger(db):
    from accounts.tests.factories import StudentFactory

    return StudentFactory(full_name="Stan Stranger", timezone="Asia/Kolkata")


CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture
def page(live_server, monkeypatch):
    """A fresh Chromium tab against the live server, in a New York browser."""
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; Django would
    # otherwise refuse the ORM calls the test makes around the browser steps.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=live_server.url, timezone_id="America/New_York", locale="en-GB")
        context.set_default_timeout(10_000)
        yield context.new_page()
        context.close()
        browser.close()


@pytest.fixture
def login(client):
    """Log a user in through the test client."""

    def _login(user):
        client.force_login(user)
        return client

    return _login


os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentorship.settings")
