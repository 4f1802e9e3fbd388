"""Reminders go once each, only for the real time, and only to those who want them."""

import threading
from datetime import timedelta

import pytest
from django.db import connection

from accounts.models import OutboundEmail
from accounts.tests.factories import MentorFactory, StudentFactory
from scheduling import reminders, services
from scheduling.tests.helpers import at, bookable_mentor, give_credits

START = at("2027-01-20 15:00")
BOOKED = at("2027-01-10 12:00")
MIN = timedelta(minutes=1)


def make_session():
    mentor = MentorFactory(timezone="America/New_York")
    service = bookable_mentor(mentor, hours=range(0, 24))
    student = StudentFactory(timezone="Europe/London")
    give_credits(student, 3, now=BOOKED)
    return services.booking_create(student=student, mentor=mentor, service=service, starts_at=START, actor=student,
                                   now=BOOKED)


@pytest.fixture
def session(db):
    return make_session()


def sent(kind, session=None):
    rows = OutboundEmail.objects.filter(kind=kind)
    if session is not None:
        rows = rows.filter(topic=f"session:{session.pk}")
    return sorted(rows.values_list("to_email", flat=True))


@pytest.mark.django_db
def test_each_reminder_is_queued_once_at_its_time(session):
    student, mentor = session.student.email, session.mentor.email
    reminders.sweep(now=START - timedelta(hours=25) - MIN)
    assert sent("session_last_chance") == []
    reminders.sweep(now=START - timedelta(hours=25))
    reminders.sweep(now=START - timedelta(hours=24, minutes=30))  # run again: nothing twice
    assert sent("session_last_chance") == [student]

    reminders.sweep(now=START - timedelta(hours=1) - MIN)
    assert sent("session_starting_soon") == []
    reminders.sweep(now=START - timedelta(minutes=59))
    reminders.sweep(now=START - timedelta(minutes=30))
    assert sent("session_starting_soon") == sorted([student, mentor])

    reminders.sweep(now=session.ends_at + MIN)
    reminders.sweep(now=session.ends_at + timedelta(hours=3))
    assert sent("session_mark_attendance") == [mentor]


@pytest.mark.django_db
def test_the_starting_soon_email_carries_the_video_link(session):
    reminders.sweep(now=START - timedelta(minutes=50))
    email = OutboundEmail.objects.get(kind="session_starting_soon", to_email=session.student.email)
    assert "https://meet.example.com/ada" in email.body_text


@pytest.mark.django_db
def test_a_cancelled_session_gets_no_reminders(session):
    services.session_cancel(session=session, actor=session.mentor, now=BOOKED)
    for minutes in (25 * 60, 60, -120):
        reminders.sweep(now=START - timedelta(minutes=minutes))
    assert sent("session_last_chance") == sent("session_starting_soon") == sent("session_mark_attendance") == []


@pytest.mark.django_db
def test_a_rescheduled_session_gets_reminders_for_its_new_time_only(session):
    reminders.sweep(now=START - timedelta(hours=25))  # last chance queued for the old time
    services.session_reschedule(session=session, new_starts_at=START + timedelta(days=2), actor=session.student,
                                now=START - timedelta(hours=24, minutes=55))
    old = OutboundEmail.objects.get(kind="session_last_chance")
    assert old.status in (OutboundEmail.Status.SENT, OutboundEmail.Status.CANCELLED)
    reminders.sweep(now=START - timedelta(minutes=50))  # the old "starting soon" time
    assert sent("session_starting_soon") == []
    new_start = START + timedelta(days=2)
    reminders.sweep(now=new_start - timedelta(hours=25))
    reminders.sweep(now=new_start - timedelta(minutes=50))
    assert OutboundEmail.objects.filter(kind="session_last_chance").count() == 2
    assert len(sent("session_starting_soon")) == 2


@pytest.mark.django_db
def test_opting_out_stops_optional_reminders_only(session, django_capture_on_commit_callbacks):
    student = session.student
    student.remind_last_chance = student.remind_starting_soon = False
    student.save()
    reminders.sweep(now=START - timedelta(hours=25))
    reminders.sweep(now=START - timedelta(minutes=50))
    assert sent("session_last_chance") == []
    assert sent("session_starting_soon") == [session.mentor.email]
    services.session_cancel(session=session, actor=session.mentor, now=START - timedelta(minutes=40))
    assert student.email in sent("session_cancelled")  # transactional: always


@pytest.mark.django_db(transaction=True)
def test_concurrent_sweeps_queue_each_reminder_once():
    sessions = [make_session() for _ in range(3)]
    barrier = threading.Barrier(6)

    def sweep():
        barrier.wait()
        try:
            reminders.sweep(now=START - timedelta(minutes=30))
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(6)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert OutboundEmail.objects.filter(kind="session_starting_soon").count() == 2 * len(sessions)
