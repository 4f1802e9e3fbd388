"""Calendar locks block bookings of the same people, and nothing else."""

import threading

import pytest
from django.db import OperationalError, connection, transaction
from django.test.signals import template_rendered
from django.test.utils import CaptureQueriesContext

from accounts.models import OutboundEmail
from accounts.tests.factories import MentorFactory, StudentFactory
from config.prepared import as_written
from mentorship.models import MentorProfile
from scheduling import services
from scheduling.errors import SchedulingError
from scheduling.models import Session
from scheduling.tests.helpers import at, bookable_mentor, give_credits

NOW = at("2027-01-10 12:00")
SLOT = at("2027-01-12 15:00")


def in_other_connection(fn, *, timeout_ms=1000):
    """Run fn on a fresh connection that gives up waiting for any lock after `timeout_ms`."""
    outcome = {}

    def worker():
        try:
            with connection.cursor() as cursor:
                cursor.execute(f"SET lock_timeout = '{timeout_ms}ms'")
                cursor.execute(f"SET statement_timeout = '{timeout_ms * 3}ms'")
            outcome["result"] = fn()
        except Exception as exc:  # asserted on below
            outcome["error"] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join(30)
    return outcome


@pytest.mark.django_db(transaction=True)
def test_a_profile_edit_is_not_blocked_by_an_open_booking_transaction():
    mentor = MentorFactory(timezone="UTC", full_name="Ada Lovelace")
    service = bookable_mentor(mentor, hours=range(9, 17))
    student = StudentFactory()
    give_credits(student, 2, now=NOW)

    with transaction.atomic():
        services.booking_create(student=student, mentor=mentor, service=service, starts_at=SLOT, actor=student,
                                now=NOW)
        # The booking's transaction is still open and holds both calendars.

        def edit_profile():
            from accounts.models import User

            user = User.objects.get(pk=mentor.pk)
            user.full_name = "Ada King"
            user.save()
            profile = MentorProfile.objects.get(user_id=mentor.pk)
            profile.headline = "Analytical engines"
            profile.save()
            other = User.objects.get(pk=student.pk)
            other.timezone = "Europe/London"
            other.save()
            return True

        assert in_other_connection(edit_profile) == {"result": True}

        # The calendars really are held: a second booking with this mentor waits and gives up.
        other_student = StudentFactory()
        give_credits(other_student, 1, now=NOW)
        waited = in_other_connection(lambda: services.booking_create(
            student=other_student, mentor=mentor, service=service, starts_at=SLOT + 2 * (SLOT - SLOT.replace(hour=14)),
            actor=other_student, now=NOW), timeout_ms=300)
        assert isinstance(waited.get("error"), OperationalError), waited

    mentor.refresh_from_db()
    assert mentor.full_name == "Ada King" and Session.objects.filter(mentor=mentor).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_booking_holds_its_locks_for_at_most_twelve_statements_and_renders_nothing_meanwhile():
    mentor = MentorFactory(timezone="UTC")
    service = bookable_mentor(mentor, hours=range(9, 17))
    student = StudentFactory()
    give_credits(student, 2, now=NOW, max_upcoming=3)
    rendered = []

    def note(sender, template, **kwargs):
        rendered.append((template.name, connection.in_atomic_block))

    template_rendered.connect(note)
    try:
        with CaptureQueriesContext(connection) as ctx:
            session = services.booking_create(student=student, mentor=mentor, service=service, starts_at=SLOT,
                                              actor=student, now=NOW, booking_key=__import__("uuid").uuid4())
    finally:
        template_rendered.disconnect(note)

    statements = [as_written(q["sql"]) for q in ctx.captured_queries]
    first_lock = next(i for i, sql in enumerate(statements) if "pg_advisory_xact_lock" in sql)
    under_locks = statements[first_lock:statements.index(next(s for s in statements[first_lock:]
                                                              if s.startswith("COMMIT") or "outboundemail" in s)) + 1]
    assert len(under_locks) <= 12, "\n".join(under_locks)
    assert not any("SAVEPOINT" in sql for sql in under_locks)
    # Every email was rendered, and only after the commit.
    assert rendered and not any(in_atomic for _, in_atomic in rendered)
    emails = OutboundEmail.objects.filter(topic=f"session:{session.pk}")
    assert emails.count() == 2 and all(e.payload is None and e.subject and e.ics for e in emails)


@pytest.mark.django_db(transaction=True)
def test_a_lost_race_lets_go_of_the_locks_after_two_statements_without_reading_credits_or_pauses():
    mentor = MentorFactory(timezone="UTC")
    service = bookable_mentor(mentor, hours=range(9, 17))
    first, second = StudentFactory(), StudentFactory()
    for student in (first, second):
        give_credits(student, 2, now=NOW)
    services.booking_create(student=first, mentor=mentor, service=service, starts_at=SLOT, actor=first, now=NOW)
    with CaptureQueriesContext(connection) as ctx, pytest.raises(SchedulingError):
        services.booking_create(student=second, mentor=mentor, service=service, starts_at=SLOT, actor=second,
                                now=NOW)
    statements = [as_written(q["sql"]) for q in ctx.captured_queries]
    first_lock = next(i for i, sql in enumerate(statements) if "pg_advisory_xact_lock" in sql)
    under_locks = statements[first_lock:next(i for i, sql in enumerate(statements) if sql.startswith("ROLLBACK"))]
    # The locks, then the locked account with the clash found in the same statement; then the rollback.
    assert len(under_locks) == 2, "\n".join(under_locks)
    assert not any("credits_enrolment" in sql or "pauserequest" in sql for sql in under_locks)


@pytest.mark.django_db(transaction=True)
def test_an_email_whose_process_died_before_rendering_is_rendered_at_delivery(mailoutbox):
    from accounts import outbox
    from accounts.emails import send_templated_email

    mentor = MentorFactory(timezone="UTC")
    service = bookable_mentor(mentor, hours=range(9, 17))
    student = StudentFactory()
    give_credits(student, 1, now=NOW)
    session = services.booking_create(student=student, mentor=mentor, service=service, starts_at=SLOT,
                                      actor=student, now=NOW)
    with transaction.atomic():
        (email,) = send_templated_email(
            name="session_booked", to=student, context={"session": session, "session_path": "/s/"},
            ics=("REQUEST", "scheduling.calendar.invite", {"session": session, "now": NOW}),
            dedupe_key="crash-test", after_commit=True,
        )
        connection.run_on_commit.clear()  # the process "dies" right after the commit
    email.refresh_from_db()
    assert email.payload is not None and email.subject == ""
    OutboundEmail.objects.filter(pk=email.pk).update(next_attempt_at=NOW)
    assert outbox.deliver(email.pk, now=at("2030-01-01 00:00"))
    assert mailoutbox[-1].subject and "BEGIN:VCALENDAR" in str(mailoutbox[-1].message())


def test_calendar_keys_are_stable_and_apart_from_other_ids():
    from accounts.locks import CALENDAR_LOCK_NAMESPACE, calendar_key

    assert calendar_key(7) == calendar_key(7) != calendar_key(8)
    assert calendar_key(7) >> 32 == CALENDAR_LOCK_NAMESPACE


