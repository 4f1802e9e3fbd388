"""Logs a person can read: an expected 403 or 404 is one line, an email one INFO record."""

import logging
from pathlib import Path

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.test import override_settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def console(settings):
    """What the configured console handler prints, captured (its filters included)."""
    import io

    stream = io.StringIO()
    handler = next(h for h in logging.getLogger().handlers if isinstance(h, logging.StreamHandler))
    old = handler.setStream(stream)
    try:
        yield stream
    finally:
        handler.setStream(old)


def test_a_refused_page_and_a_missing_page_are_one_line_each_without_traceback(client, student, console):
    client.force_login(student)
    assert client.get(reverse("portal:agenda")).status_code == 403  # a student on the mentors' page
    assert client.get("/sessions/999999/").status_code == 404
    lines = [line for line in console.getvalue().splitlines() if line.strip()]
    assert len(lines) == 2, lines
    assert lines[0].startswith("Forbidden") and lines[1].startswith("Not Found: /sessions/999999/")
    assert "Traceback" not in console.getvalue()


def test_an_email_on_the_development_console_is_one_info_record_with_its_text(caplog):
    with override_settings(EMAIL_BACKEND="config.logs.LoggingEmailBackend"):
        message = EmailMultiAlternatives("Session booked", "See you on Monday.", to=["sam@example.com"])
        message.attach_alternative("<p>See you on Monday.</p>", "text/html")
        message.attach("invite.ics", "BEGIN:VCALENDAR", "text/calendar")
        with caplog.at_level(logging.INFO, logger="mentorship.mail"):
            assert mail.get_connection().send_messages([message]) == 1
    [record] = caplog.records
    assert record.levelno == logging.INFO
    assert record.getMessage() == ("Email to sam@example.com: Session booked (attached: invite.ics)\n"
                                   "See you on Monday.")


def test_the_default_email_backend_without_email_url_is_the_readable_one():
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-c", (
            "import django, os; os.environ.pop('EMAIL_URL', None); os.environ.pop('EMAIL_BACKEND', None);"
            "os.environ['DJANGO_SETTINGS_MODULE']='config.settings'; django.setup();"
            "from django.conf import settings; print(settings.EMAIL_BACKEND)"
        )],
        capture_output=True, text=True, cwd=ROOT, check=True,
    ).stdout.strip()
    assert out == "config.logs.LoggingEmailBackend"


def test_the_development_worker_stops_on_ctrl_c_without_being_killed(tmp_path):
    """Procfile.dev's worker under honcho, as `bin/run` starts it; Ctrl-C is SIGINT to the whole group."""
    import os
    import signal
    import subprocess
    import threading
    import time

    worker = next(line for line in (ROOT / "Procfile.dev").read_text().splitlines() if line.startswith("worker:"))
    (tmp_path / "Procfile").write_text(worker + "\n")
    env = {key: value for key, value in os.environ.items() if key not in ("REDIS_URL", "CELERY_BROKER_URL")}
    process = subprocess.Popen(
        [str(ROOT / ".venv/bin/honcho"), "--procfile", str(tmp_path / "Procfile"), "-d", str(ROOT), "start"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )
    output: list[str] = []
    threading.Thread(target=lambda: output.extend(iter(process.stdout.readline, "")), daemon=True).start()
    try:
        deadline = time.monotonic() + 90
        while not any(" ready." in line for line in output):
            assert process.poll() is None and time.monotonic() < deadline, "".join(output)
            time.sleep(0.3)
        os.killpg(process.pid, signal.SIGINT)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            pytest.fail("the worker did not stop on Ctrl-C:\n" + "".join(output[-20:]))
    assert "Warm shutdown" in "".join(output)


def test_the_site_has_a_favicon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("img/favicon.ico")
    assert (ROOT / "static/img/favicon.ico").read_bytes()[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert 'rel="icon"' in client.get(reverse("account_login")).content.decode()
