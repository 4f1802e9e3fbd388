"""Sweeps never wait behind mail: with a slow mail server and a backlog of a
thousand emails on the mail queue, a reminder still goes out on time."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import OutboundEmail
from accounts.tasks import outbox_sweep
from accounts.tests.factories import MentorFactory, StudentFactory
from scheduling import services
from scheduling.tasks import reminders_sweep
from scheduling.tests.helpers import bookable_mentor, give_credits

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
BACKLOG = 1000
SECONDS_PER_EMAIL = 0.2  # 4 mail threads: the backlog alone takes about 50 s to drain


@pytest.fixture
def celery_worker_env():
    return {"EMAIL_BACKEND": "accounts.tests.mail_backends.SlowFileBackend", "SLOW_MAIL_SECONDS": str(SECONDS_PER_EMAIL)}


def _session_starting_within_the_hour():
    mentor = MentorFactory(timezone="UTC")
    service = bookable_mentor(mentor, hours=range(24))
    student = StudentFactory(timezone="UTC")
    booked_at = timezone.now() - timedelta(days=2)
    give_credits(student, 2, now=booked_at)
    soon = timezone.now() + timedelta(minutes=60)
    starts_at = soon.replace(minute=0 if soon.minute < 30 else 30, second=0, microsecond=0)  # a 30-minute slot
    return services.booking_create(student=student, mentor=mentor, service=service, starts_at=starts_at,
                                   actor=student, now=booked_at)


def test_a_reminder_goes_out_within_a_minute_while_a_thousand_emails_drain_slowly(celery_worker):
    session = _session_starting_within_the_hour()
    bulk = StudentFactory(email="everyone@example.com")
    OutboundEmail.objects.bulk_create(
        OutboundEmail(recipient=bulk, to_email=bulk.email, kind="credits_reset", subject=f"Your credits {n}",
                      body_text="Reset.")
        for n in range(BACKLOG)
    )
    outbox_sweep.delay()  # the per-minute sweep hands the backlog to the mail queue, one task per row
    celery_worker.wait_for_mail(lambda m: m["Subject"].startswith("Your credits"), timeout=30)

    due = timezone.now()  # the reminder has been due since the hour before the start began
    assert session.starts_at - timedelta(hours=1) <= due
    reminders_sweep.delay()  # what beat does every minute
    (reminder,) = celery_worker.wait_for_mail(
        lambda m: m["To"] == session.student.email and m["Subject"].startswith("Starting soon"), timeout=60,
    )
    drained = sum(1 for m in celery_worker.messages() if m["Subject"].startswith("Your credits"))
    print(f"reminder out after {(timezone.now() - due).total_seconds():.1f} s; {drained} of {BACKLOG} drained")
    assert timezone.now() - due < timedelta(minutes=1)
    assert drained < BACKLOG, "the backlog was already gone: this proved nothing"
    assert OutboundEmail.objects.filter(kind="credits_reset", status=OutboundEmail.Status.PENDING).exists()
    # The workers stop with the fixture; the rest of the backlog stays pending in the outbox.
