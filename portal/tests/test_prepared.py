"""portal/prepared.py: querysets compiled once and read together read what the ORM reads, or refuse."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.tests.factories import StudentFactory
from portal.prepared import Prepared, read_together, when
from scheduling.models import Session, SessionStatus
from scheduling.tests.helpers import bookable_mentor

pytestmark = pytest.mark.django_db


def _sessions(student, now):
    return (Session.objects.filter(student_id=student).upcoming(now).order_by("starts_at")
            .values("id", "starts_at", mentor_name=F("mentor__full_name"))[:3])


def test_read_together_reads_what_the_orm_reads_for_each_set_of_arguments(mentor):
    service = bookable_mentor(mentor)
    now = timezone.now().replace(microsecond=0)
    students = [StudentFactory(), StudentFactory()]
    for i, student in enumerate(students):
        for hours in range(-2, 4 + i):
            starts = now + timedelta(hours=hours, minutes=30 * i)  # the two students' sessions never overlap
            Session.objects.create(student=student, mentor=mentor, service=service,
                                   starts_at=starts, ends_at=starts + timedelta(minutes=30),
                                   status=SessionStatus.SCHEDULED, created_at=now)
    parts = {"a": Prepared(_sessions, student="int", now="datetime"),
             "b": Prepared(lambda student, now: Session.objects.filter(student_id=student).values("id"),
                           student="int", now="datetime")}
    for student in students:
        for moment in (now, now + timedelta(hours=2)):
            with CaptureQueriesContext(connection) as captured:
                found = read_together(parts, {"student": student.pk, "now": moment})
            assert len(captured) == 1
            rows = sorted(found["a"], key=lambda r: r["starts_at"])
            assert [(r["id"], when(r["starts_at"]), r["mentor_name"]) for r in rows] == [
                (r["id"], r["starts_at"], r["mentor_name"]) for r in _sessions(student.pk, moment)]
            assert sorted(r["id"] for r in found["b"]) == sorted(
                Session.objects.filter(student=student).values_list("id", flat=True))


def test_a_query_whose_parameters_are_derived_from_its_arguments_is_refused():
    derived = Prepared(lambda student, now: Session.objects.filter(student_id=student,
                                                                   starts_at__gt=now - timedelta(days=1)).values("id"),
                       student="int", now="datetime")
    with pytest.raises(ValueError, match="derived"):
        derived.compiled()
    shaped = Prepared(lambda student, now: Session.objects.filter(pk__in=range(abs(student) % 3 + 1)).values("id"),
                      student="int", now="datetime")
    with pytest.raises(ValueError):
        shaped.compiled()
