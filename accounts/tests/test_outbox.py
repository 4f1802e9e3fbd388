"""The outbox delivers each email at most once, retries failures, and records what failed."""

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone

from accounts import outbox
from accounts.emails import send_templated_email
from accounts.models import OutboundEmail
from accounts.tests.factories import StudentFactory

S = OutboundEmail.Status


def queue(user, key="k1"):
    # Any template will do; the password-reset-free "session" ones need context,
    # so use a tiny test template from the emails folder.
    return send_templated_email(name="_test", to=user, context={"word": "hello"}, dedupe_key=key)


@pytest.fixture(autouse=True)
def test_template(settings, tmp_path):
    folder = tmp_path / "emails" / "_test"
    folder.mkdir(parents=True)
    (folder / "subject.txt").write_text("Hello {{ recipient.get_short_name }}")
    (folder / "body.txt").write_text("Say {{ word }}")
    (folder / "body.html").write_text("<p>Say {{ word }}</p>")
    # Assigning (not mutating) makes Django rebuild its template engines.
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]


@pytest.mark.django_db
def test_a_queued_email_is_sent_after_commit(django_capture_on_commit_callbacks, mailoutbox):
    user = StudentFactory(full_name="Olga Smith")
    with django_capture_on_commit_callbacks(execute=True):
        (email,) = queue(user)
    assert [m.subject for m in mailoutbox] == ["Hello Olga"]
    email.refresh_from_db()
    assert email.status == S.SENT and email.attempts == 1


@pytest.mark.django_db
def test_the_same_dedupe_key_queues_once():
    user = StudentFactory()
    queue(user, "same")
    queue(user, "same")
    assert OutboundEmail.objects.count() == 1


@pytest.mark.django_db
def test_a_rolled_back_change_sends_nothing(mailoutbox):
    user = StudentFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        queue(user)
        raise RuntimeError("the change failed")
    assert not OutboundEmail.objects.exists() and mailoutbox == []


@pytest.mark.django_db
def test_a_duplicate_delivery_sends_once(mailoutbox):
    (email,) = queue(StudentFactory())
    assert outbox.deliver(email.pk) is True
    assert outbox.deliver(email.pk) is False
    assert outbox.sweep() == 0
    assert len(mailoutbox) == 1


@pytest.mark.django_db
def test_failures_back_off_then_stay_failed_and_visible(settings, mailoutbox):
    settings.EMAIL_BACKEND = "accounts.tests.test_outbox.BrokenBackend"
    (email,) = queue(StudentFactory())
    now = timezone.now()
    for attempt in range(1, outbox.MAX_ATTEMPTS + 1):
        assert outbox.deliver(email.pk, now=now) is False
        email.refresh_from_db()
        assert email.attempts == attempt and "SMTP down" in email.last_error
        assert outbox.deliver(email.pk, now=now) is False  # not due yet: backing off
        now = email.next_attempt_at
    assert email.status == S.FAILED
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert outbox.sweep(now=now + timedelta(days=1)) == 0  # failed stays failed until a person retries
    assert outbox.retry_now([email.pk], now=now) == 1
    assert outbox.deliver(email.pk, now=now) is True and len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_worker_that_died_mid_send_is_never_resent_but_flagged(mailoutbox):
    (email,) = queue(StudentFactory())
    claimed_at = timezone.now()
    assert outbox.claim(email.pk, now=claimed_at)  # ...and then the worker was killed
    assert outbox.sweep(now=claimed_at + timedelta(minutes=5)) == 0
    assert outbox.sweep(now=claimed_at + timedelta(minutes=11)) == 0
    email.refresh_from_db()
    assert email.status == S.FAILED and "stopped while sending" in email.last_error
    assert mailoutbox == []


@pytest.mark.django_db
def test_cancelled_pending_messages_never_go(mailoutbox):
    user = StudentFactory()
    email = send_templated_email(name="_test", to=user, context={}, topic="session:1")[0]
    assert outbox.cancel_pending(topic="session:1", kinds=["_test"]) == 1
    assert outbox.deliver(email.pk) is False and mailoutbox == []


@pytest.mark.django_db(transaction=True)
def test_concurrent_deliveries_of_one_row_send_once(mailoutbox):
    user = StudentFactory()
    # Written directly: queue() outside a transaction would deliver at once.
    email = OutboundEmail.objects.create(recipient=user, to_email=user.email, kind="_test", subject="Hi",
                                         body_text="Hi")
    barrier = threading.Barrier(8)
    results = []

    def worker():
        barrier.wait()
        results.append(outbox.deliver(email.pk))
        connection.close()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert results.count(True) == 1 and len(mailoutbox) == 1


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("SMTP down")
