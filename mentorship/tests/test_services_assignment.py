"""Pairing a student with a mentor: history, capacity, emails, and two managers at once."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import IntegrityError, connection, transaction

from mentorship import services
from mentorship.models import MentorAssignment

from .factories import make_mentor, make_student

NOW = datetime(2027, 1, 11, 12, tzinfo=UTC)


@pytest.mark.django_db
def test_first_pairing_emails_the_student_and_the_mentor(manager, django_capture_on_commit_callbacks, mailoutbox):
    student, mentor = make_student(), make_mentor(full_name="Ada Mentor")
    with django_capture_on_commit_callbacks(execute=True):
        assignment = services.assignment_change(student=student, mentor=mentor, reason="Good fit", actor=manager, now=NOW)
    assert assignment.is_current and assignment.assigned_by == manager and assignment.started_at == NOW
    assert sorted(m.to[0] for m in mailoutbox) == sorted([student.email, mentor.email])
    to_student = next(m for m in mailoutbox if m.to == [student.email])
    assert "Meet your mentor, Ada Mentor" in to_student.subject
    assert "Good fit" in to_student.body


@pytest.mark.django_db
def test_reassigning_ends_the_old_pairing_keeps_history_and_emails_all_three(
    manager, django_capture_on_commit_callbacks, mailoutbox
):
    student, old, new = make_student(), make_mentor(full_name="Old Mentor"), make_mentor(full_name="New Mentor")
    first = services.assignment_change(student=student, mentor=old, reason="Start", actor=manager, now=NOW)
    later = NOW + timedelta(days=30)
    with django_capture_on_commit_callbacks(execute=True):
        second = services.assignment_change(student=student, mentor=new, reason="Time zones fit better",
                                            actor=manager, now=later)
    first.refresh_from_db()
    assert first.ended_at == later and second.ended_at is None
    assert MentorAssignment.objects.filter(student=student).count() == 2
    assert MentorAssignment.objects.current().get(student=student).mentor == new
    recipients = {m.to[0]: m for m in mailoutbox}
    assert set(recipients) == {student.email, old.email, new.email}
    assert "Your new mentor is New Mentor" in recipients[student.email].subject
    assert "has a new mentor" in recipients[old.email].subject
    assert "New student" in recipients[new.email].subject
    assert "Time zones fit better" in recipients[old.email].body


@pytest.mark.django_db
def test_capacity_is_respected_unless_overridden(manager, mailoutbox):
    mentor = make_mentor(capacity=1, full_name="Full Mentor")
    services.assignment_change(student=make_student(), mentor=mentor, reason="r", actor=manager, now=NOW)
    student = make_student()
    with pytest.raises(services.CapacityError, match=r"full \(1 of 1 students\)"):
        services.assignment_change(student=student, mentor=mentor, reason="r", actor=manager, now=NOW)
    assert not MentorAssignment.objects.filter(student=student).exists()
    services.assignment_change(student=student, mentor=mentor, reason="r", actor=manager, now=NOW,
                               override_capacity=True)
    assert MentorAssignment.objects.current().filter(mentor=mentor).count() == 2


@pytest.mark.django_db
def test_a_mentor_not_accepting_needs_an_override(manager):
    mentor = make_mentor(accepting=False)
    with pytest.raises(services.CapacityError, match="not accepting new students"):
        services.assignment_change(student=make_student(), mentor=mentor, reason="r", actor=manager, now=NOW)


@pytest.mark.django_db
def test_rules_refuse_nonsense_with_a_message(manager):
    student, mentor = make_student(), make_mentor()
    with pytest.raises(services.MentorshipError, match="reason"):
        services.assignment_change(student=student, mentor=mentor, reason="  ", actor=manager, now=NOW)
    with pytest.raises(services.MentorshipError, match="not an active mentor"):
        services.assignment_change(student=student, mentor=make_student(), reason="r", actor=manager, now=NOW)
    with pytest.raises(services.MentorshipError, match="not a student"):
        services.assignment_change(student=mentor, mentor=make_mentor(), reason="r", actor=manager, now=NOW)
    services.assignment_change(student=student, mentor=mentor, reason="r", actor=manager, now=NOW)
    with pytest.raises(services.MentorshipError, match="already"):
        services.assignment_change(student=student, mentor=mentor, reason="r", actor=manager, now=NOW)


@pytest.mark.django_db
def test_the_database_refuses_two_current_mentors():
    student, a, b = make_student(), make_mentor(), make_mentor()
    MentorAssignment.objects.create(student=student, mentor=a, started_at=NOW, reason="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        MentorAssignment.objects.create(student=student, mentor=b, started_at=NOW, reason="x")


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_reassignments_leave_exactly_one_current_assignment(manager):
    student = make_student()
    mentors = [make_mentor(full_name=f"Mentor {i}") for i in range(4)]
    barrier = threading.Barrier(len(mentors))
    errors = []

    def reassign(mentor):
        try:
            barrier.wait(timeout=10)
            services.assignment_change(student=student, mentor=mentor, reason="race", actor=manager, now=NOW)
        except Exception as exc:  # collected and checked below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=reassign, args=(m,)) for m in mentors]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    # The lock serialises them: each one ends the previous pairing and starts its own.
    assert errors == []
    assert MentorAssignment.objects.current().filter(student=student).count() == 1
    assert MentorAssignment.objects.filter(student=student).count() == len(mentors)
    assert MentorAssignment.objects.filter(student=student, ended_at__isnull=False).count() == len(mentors) - 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_pairings_never_overfill_a_mentor(manager):
    mentor = make_mentor(capacity=1)
    students = [make_student() for _ in range(4)]
    barrier = threading.Barrier(len(students))
    outcomes = []

    def pair(student):
        try:
            barrier.wait(timeout=10)
            services.assignment_change(student=student, mentor=mentor, reason="race", actor=manager, now=NOW)
            outcomes.append("ok")
        except services.CapacityError:
            outcomes.append("full")
        finally:
            connection.close()

    threads = [threading.Thread(target=pair, args=(s,)) for s in students]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["full", "full", "full", "ok"]
    assert MentorAssignment.objects.current().filter(mentor=mentor).count() == 1
