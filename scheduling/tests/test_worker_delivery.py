"""End to end through Redis and a real Celery worker process: the invite lands in the mailbox."""

from datetime import timedelta

import pytest
from django.utils import timezone
from icalendar import Calendar

from accounts import outbox
from accounts.models import OutboundEmail
from accounts.tasks import deliver_email, outbox_sweep
from accounts.tests.factories import MentorFactory, StudentFactory
from config.celery import app as celery_app
from scheduling import services
from scheduling.tests.helpers import bookable_mentor, give_credits

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def invite(message):
    for part in message.walk():
        if part.get_content_type() == "text/calendar":
            cal = Calendar.from_ical(part.get_payload(decode=True))
            return cal, next(iter(cal.walk("VEVENT")))
    return None


def to(address, subject_start):
    return lambda m: m["To"] == address and m["Subject"].startswith(subject_start)


@pytest.fixture
def booking_parts():
    mentor = MentorFactory(timezone="Europe/London")
    service = bookable_mentor(mentor, hours=range(0, 24))
    student = StudentFactory(timezone="America/New_York")
    give_credits(student, 3)
    now = timezone.now()
    start = (now + timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    return mentor, service, student, now, start


def test_book_reschedule_cancel_each_put_the_right_invite_in_the_mailbox(celery_worker, booking_parts):
    mentor, service, student, now, start = booking_parts
    session = services.booking_create(student=student, mentor=mentor, service=service, starts_at=start,
                                      actor=student, now=now)
    (booked,) = celery_worker.wait_for_mail(to(student.email, "Booked:"))
    cal, event = invite(booked)
    assert cal["METHOD"] == "REQUEST" and event["SEQUENCE"] == 0
    uid = str(event["UID"])

    services.session_reschedule(session=session, new_starts_at=start + timedelta(days=1), actor=student,
                                now=timezone.now())
    (moved,) = celery_worker.wait_for_mail(to(student.email, "Moved:"))
    cal, event = invite(moved)
    assert str(event["UID"]) == uid and event["SEQUENCE"] == 1 and cal["METHOD"] == "REQUEST"

    services.session_cancel(session=session, actor=mentor, now=timezone.now())
    (cancelled,) = celery_worker.wait_for_mail(to(student.email, "Cancelled:"))
    cal, event = invite(cancelled)
    assert cal["METHOD"] == "CANCEL" and str(event["UID"]) == uid
    celery_worker.wait_for_mail(to(mentor.email, "Cancelled:"))


def test_a_redelivered_task_sends_nothing_twice(celery_worker, booking_parts):
    mentor, service, student, now, start = booking_parts
    services.booking_create(student=student, mentor=mentor, service=service, starts_at=start, actor=student, now=now)
    celery_worker.wait_for_mail(to(student.email, "Booked:"))
    email = OutboundEmail.objects.get(kind="session_booked", to_email=student.email)
    for _ in range(3):
        deliver_email.delay(email.pk)
    outbox_sweep.delay()
    celery_worker.wait_for_mail(to(mentor.email, "Booked:"))
    import time

    time.sleep(2)  # let the duplicates be processed
    assert len([m for m in celery_worker.messages() if to(student.email, "Booked:")(m)]) == 1


def test_with_the_broker_down_the_booking_stands_and_the_email_goes_once_it_is_back(celery_worker, booking_parts):
    mentor, service, student, now, start = booking_parts
    real_url = celery_app.conf.broker_url

    def use_broker(url):
        celery_app.conf.broker_url = url
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    use_broker("redis://127.0.0.1:1/0")  # nothing listens there: connection refused
    try:
        session = services.booking_create(student=student, mentor=mentor, service=service, starts_at=start,
                                          actor=student, now=now)
    finally:
        use_broker(real_url)
    assert session.pk and session.status == "scheduled"
    assert OutboundEmail.objects.filter(kind="session_booked", status="pending").count() == 2
    assert celery_worker.messages() == []

    outbox_sweep.delay()  # what beat does every minute
    outbox_sweep.delay()  # and a second beat, by mistake
    celery_worker.wait_for_mail(to(student.email, "Booked:"))
    celery_worker.wait_for_mail(to(mentor.email, "Booked:"))
    import time

    time.sleep(2)
    assert len(celery_worker.messages()) == 2
    assert outbox.sweep() == 0
