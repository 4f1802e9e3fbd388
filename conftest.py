"""Suite-wide fixtures: the real PostgreSQL check, people by role, the browser."""

import os

import pytest


@pytest.fixture(autouse=True)
def _clean_cache():
    # Rate limits live in the (Redis) cache; each test starts with none spent.
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _english_between_tests():
    # A request as a Spanish reader leaves Spanish active in the thread (as any
    # request does its language); each test starts and ends in the default.
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


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


def _browser_tab(live_server, monkeypatch, *, timezone_id: str, locale: str):
    """A fresh Chromium tab against the live server, with the browser's clock and Accept-Language."""
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; Django would
    # otherwise refuse the ORM calls the test makes around the browser steps.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=live_server.url, timezone_id=timezone_id, locale=locale)
        context.set_default_timeout(10_000)
        yield context.new_page()
        context.close()
        browser.close()
        # ORM calls made inside the Playwright block ran in its own context
        # and opened their own connection; close it, or dropping the test
        # database at the end finds it still in use.
        from django.db import connections

        connections.close_all()


@pytest.fixture
def page(live_server, monkeypatch):
    """A New York browser in British English."""
    yield from _browser_tab(live_server, monkeypatch, timezone_id="America/New_York", locale="en-GB")


@pytest.fixture
def spanish_page(live_server, monkeypatch):
    """A Madrid browser whose Accept-Language is Spanish (es-ES)."""
    yield from _browser_tab(live_server, monkeypatch, timezone_id="Europe/Madrid", locale="es-ES")


@pytest.fixture
def login(client):
    """Log a user in through the test client."""

    def _login(user):
        client.force_login(user)
        return client

    return _login


os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


class RunningWorker:
    """Real `celery worker` processes on the test Redis and the test database:
    one on the default queue, one on the mail queue, as in production."""

    def __init__(self, processes, mail_dir, output):
        self.processes, self.mail_dir, self.output = processes, mail_dir, output

    def messages(self):
        import email

        found = []
        for path in sorted(self.mail_dir.glob("*.log")):
            for chunk in path.read_text().split("\n" + "-" * 79 + "\n"):
                if chunk.strip():
                    found.append(email.message_from_string(chunk))
        return found

    def wait_for_mail(self, predicate, timeout=30.0):
        import time

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            matching = [m for m in self.messages() if predicate(m)]
            if matching:
                return matching
            time.sleep(0.2)
        raise AssertionError("no such email arrived; workers said:\n" + "".join(self.output[-40:]))


def _database_url(db) -> str:
    """The URL of the test database, for a process of its own (TCP, or the embedded server's socket)."""
    if db["HOST"].startswith("/"):
        return f"postgres://{db['USER']}@/{db['NAME']}?host={db['HOST']}"
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@pytest.fixture
def celery_worker_env():
    """Extra environment for the worker processes (a test may override it, e.g. a slow mail backend)."""
    return {}


@pytest.fixture
def celery_worker(transactional_db, tmp_path, celery_worker_env):
    import subprocess
    import sys
    import threading
    import time

    from django.db import connection

    from config.celery import app

    db = connection.settings_dict
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(db),
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
        "CELERY_TASK_ALWAYS_EAGER": "false",
        **celery_worker_env,
    }
    app.conf.task_always_eager = False
    app.control.purge()  # every queue the app declares: default and mail
    pools = {
        "default": ["-Q", "celery", "--pool", "solo"],
        "mail": ["-Q", "mail", "--pool", "threads", "--concurrency", "4"],
    }
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", *args, "--loglevel", "INFO",
             "--without-gossip", "--without-mingle", "--without-heartbeat", "--hostname", f"test-{name}-{os.getpid()}@%h"],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            cwd=os.path.dirname(os.path.abspath(__file__)),
        )
        for name, args in pools.items()
    ]
    output: list[str] = []
    for process in processes:
        threading.Thread(target=lambda p=process: output.extend(iter(p.stdout.readline, "")), daemon=True).start()
    deadline = time.monotonic() + 60
    while sum("ready." in line for line in output) < len(processes):
        if any(p.poll() is not None for p in processes) or time.monotonic() > deadline:
            [p.kill() for p in processes]
            raise RuntimeError("the Celery workers did not start:\n" + "".join(output))
        time.sleep(0.2)
    try:
        yield RunningWorker(processes, mail_dir, output)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
        app.control.purge()
        app.conf.task_always_eager = True
