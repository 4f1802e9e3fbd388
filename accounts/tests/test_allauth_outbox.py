"""allauth's emails go through the outbox: with the mail server down, signing up
and asking for a password reset answer normally, and the messages go out when
it is back, each retry carrying the same Message-ID."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts import outbox
from accounts.models import OutboundEmail
from accounts.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
S = OutboundEmail.Status
ATTEMPTED: list[str] = []


class DroppedConnectionBackend:
    """A mail server that hangs up mid-send, after the message may have left."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        ATTEMPTED.extend(m.message()["Message-ID"] for m in messages)
        raise ConnectionResetError("Connection reset by peer")


def test_signup_and_password_reset_answer_normally_while_mail_is_down_and_go_out_later(
    client, settings, student, mailoutbox, django_capture_on_commit_callbacks,
):
    ATTEMPTED.clear()
    settings.EMAIL_BACKEND = "accounts.tests.test_allauth_outbox.DroppedConnectionBackend"
    with django_capture_on_commit_callbacks(execute=True):
        signup = client.post(reverse("account_signup"), {
            "email": "new@example.com", "full_name": "New Person", "timezone": "UTC",
            "password1": PASSWORD, "password2": PASSWORD,
        })
    assert signup.status_code == 302
    client.logout()
    with django_capture_on_commit_callbacks(execute=True):
        reset = client.post(reverse("account_reset_password"), {"email": student.email})
    assert reset.status_code == 302

    rows = {row.kind: row for row in OutboundEmail.objects.all()}
    assert set(rows) == {"account_email_confirmation_signup", "account_password_reset_key"}
    assert all(r.status == S.PENDING and r.attempts == 1 and "reset by peer" in r.last_error for r in rows.values())
    assert rows["account_password_reset_key"].recipient == student
    assert mailoutbox == []

    # The server is back; once the backoff is over, the sweep sends both.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with time_machine.travel(timezone.now() + timedelta(minutes=3)):
        assert outbox.sweep() == 2
    assert sorted(m.to[0] for m in mailoutbox) == sorted(["new@example.com", student.email])
    reset_mail = next(m for m in mailoutbox if m.to == [student.email])
    assert "/accounts/password/reset/key/" in reset_mail.body
    # The retry is recognisably the same message as the attempt that dropped.
    sent_ids = sorted(m.extra_headers["Message-ID"] for m in mailoutbox)
    assert sent_ids == sorted(ATTEMPTED)
    assert sent_ids == sorted(f"<outbox-{row.pk}@127.0.0.1>" for row in rows.values())
    assert all(row.status == S.SENT for row in OutboundEmail.objects.all())


def test_every_outbox_message_has_a_message_id_made_from_its_row():
    email = OutboundEmail(pk=42, to_email="a@example.com", kind="x", subject="s", body_text="b")
    assert outbox._message(email).message()["Message-ID"] == "<outbox-42@127.0.0.1>"
