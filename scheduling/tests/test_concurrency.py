"""Races on real PostgreSQL connections: one slot, one credit, one outcome."""

import threading
from datetime import timedelta

import pytest
from django.db import connection

from accounts.tests.factories import MentorFactory, StudentFactory
from credits.models import LedgerEntry
from scheduling import services
from scheduling.errors import SchedulingError
from scheduling.models import Session, SessionStatus
from scheduling.tests.helpers import at, balance, bookable_mentor, give_credits

pytestmark = pytest.mark.django_db(transaction=True)
NOW = at("2027-01-10 12:00")
SLOT = at("2027-01-12 15:00")


def run_together(functions):
    """Start every function at the same moment, each on its own connection."""
    barrier = threading.Barrier(len(functions))
    outcomes = [None] * len(functions)

    def worker(index, fn):
        try:
            barrier.wait()
            outcomes[index] = fn()
        except Exception as exc:  # collected and asserted on below
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, fn)) for i, fn in enumerate(functions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return outcomes


def test_thirty_students_racing_for_one_slot_make_exactly_one_session_and_one_consume():
    mentor = MentorFactory(timezone="UTC")
    service = bookable_mentor(mentor, hours=range(9, 17))
    students = [StudentFactory() for _ in range(30)]
    for s in students:
        give_credits(s, 1, now=NOW)

    outcomes = run_together([
        (lambda s=s: services.booking_create(student=s, mentor=mentor, service=service, starts_at=SLOT, actor=s,
                                             now=NOW))
        for s in students
    ])

    booked = [o for o in outcomes if isinstance(o, Session)]
    refused = [o for o in outcomes if isinstance(o, SchedulingError)]
    assert len(booked) == 1 and len(refused) == 29, outcomes
    assert all(o.message == "That time was just taken." for o in refused)
    assert Session.objects.filter(mentor=mentor).count() == 1
    assert LedgerEntry.objects.filter(kind="consume").count() == 1
    assert sorted(balance(s) for s in students) == [0] + [1] * 29


def test_one_student_racing_two_bookings_at_the_same_time_gets_one():
    student = StudentFactory()
    give_credits(student, 5, now=NOW)
    mentors = [MentorFactory(timezone="UTC") for _ in range(2)]
    svc = [bookable_mentor(m, hours=range(9, 17)) for m in mentors]
    outcomes = run_together([
        (lambda m=m, s=s: services.booking_create(student=student, mentor=m, service=s, starts_at=SLOT,
                                                  actor=student, now=NOW))
        for m, s in zip(mentors, svc, strict=True)
    ])
    assert sum(isinstance(o, Session) for o in outcomes) == 1, outcomes
    assert balance(student) == 4


def test_a_cancel_racing_an_attendance_mark_ends_in_one_state_with_at_most_one_refund():
    mentor = MentorFactory(timezone="UTC")
    service = bookable_mentor(mentor, hours=range(0, 24))
    student = StudentFactory()
    give_credits(student, 1, now=NOW)
    session = services.booking_create(student=student, mentor=mentor, service=service, starts_at=SLOT, actor=student,
                                      now=NOW)
    after_start = SLOT + timedelta(minutes=15)  # a no-show can be recorded from 10 minutes after the start
    outcomes = run_together([
        lambda: services.session_cancel(session=session, actor=mentor, now=after_start),
        lambda: services.attendance_mark(session=session, actor=mentor, attended=False, now=after_start),
        lambda: services.session_cancel(session=session, actor=mentor, now=after_start),
    ])
    assert sum(isinstance(o, Session) for o in outcomes) == 1, outcomes
    session.refresh_from_db()
    refunds = LedgerEntry.objects.filter(session_id=session.pk, kind="refund").count()
    if session.status == SessionStatus.CANCELLED:
        assert refunds == 1 and balance(student) == 1
    else:
        assert session.status == SessionStatus.FORFEITED and refunds == 0 and balance(student) == 0


def test_two_flash_requests_accepted_at_once_for_the_last_credit_book_exactly_one():
    from scheduling import flash
    from scheduling.flash import FlashError

    student = StudentFactory()
    give_credits(student, 1, now=NOW)
    mentors = [MentorFactory(timezone="UTC") for _ in range(2)]
    svc = [bookable_mentor(m, hours=range(9, 17)) for m in mentors]
    requests = [
        flash.flash_request_create(student=student, mentor=m, service=s, starts_at=SLOT + timedelta(hours=i * 2),
                                   topic="Last credit", message="", now=NOW)
        for i, (m, s) in enumerate(zip(mentors, svc, strict=True))
    ]
    outcomes = run_together([
        (lambda r=r, m=m: flash.flash_accept(request=r, mentor=m, now=NOW))
        for r, m in zip(requests, mentors, strict=True)
    ])
    accepted = [o for o in outcomes if not isinstance(o, Exception)]
    refused = [o for o in outcomes if isinstance(o, FlashError)]
    assert len(accepted) == 1 and len(refused) == 1, outcomes
    assert "has no session credits available" in refused[0].message
    assert Session.objects.filter(student=student).count() == 1
    assert LedgerEntry.objects.filter(kind="consume").count() == 1 and balance(student) == 0
