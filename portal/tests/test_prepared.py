"""config/prepared.py: querysets compiled once and read together read what the ORM reads, or refuse."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.tests.factories import StudentFactory
from config.prepared import Prepared, execute_plain, read_together, when
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


def test_fetch_gives_what_the_queryset_gives_with_related_rows_and_annotations_without_compiling_again(mentor):
    service = bookable_mentor(mentor)
    now = timezone.now().replace(microsecond=0)
    students = [StudentFactory(), StudentFactory()]
    for i, student in enumerate(students):
        for hours in range(-1, 3 + i):
            starts = now + timedelta(hours=hours, minutes=30 * i)
            Session.objects.create(student=student, mentor=mentor, service=service,
                                   starts_at=starts, ends_at=starts + timedelta(minutes=30),
                                   status=SessionStatus.SCHEDULED, created_at=now)

    def build(student, now):
        return (Session.objects.filter(student_id=student).upcoming(now).select_related("mentor")
                .annotate(mentor_name=F("mentor__full_name")).order_by("starts_at")[:3])

    prepared = Prepared(build, student="int", now="datetime")
    for student in students:
        for moment in (now, now + timedelta(hours=1)):
            found = prepared.fetch({"student": student.pk, "now": moment})
            expected = list(build(student.pk, moment))
            assert [s.pk for s in found] == [s.pk for s in expected] and found
            assert [s.mentor_name for s in found] == [s.mentor_name for s in expected]
            with CaptureQueriesContext(connection) as captured:
                assert {s.mentor.email for s in found} == {mentor.email}  # read with the row, as select_related does
                prepared.fetch({"student": student.pk, "now": moment})
            assert len(captured) == 1


def test_a_list_of_ids_is_one_parameter_so_one_compiled_query_serves_any_length(mentor):
    from config.prepared import ids_in

    service = bookable_mentor(mentor)
    now = timezone.now().replace(microsecond=0)
    student = StudentFactory()
    sessions = [Session.objects.create(student=student, mentor=mentor, service=service,
                                       starts_at=now + timedelta(hours=h), ends_at=now + timedelta(hours=h, minutes=30),
                                       status=SessionStatus.SCHEDULED, created_at=now) for h in range(4)]
    prepared = Prepared(lambda ids: Session.objects.filter(pk__in=ids_in(ids)).order_by("pk"), ids="ints")
    for chosen in ([], sessions[:1], sessions[1:], sessions):
        assert prepared.fetch({"ids": [s.pk for s in chosen]}) == chosen


def _upcoming(student, now):
    return Session.objects.filter(student_id=student).upcoming(now).select_related("mentor").order_by("starts_at")


def _sessions_for(mentor, student, now, hours):
    service = bookable_mentor(mentor)
    for h in hours:
        Session.objects.create(student=student, mentor=mentor, service=service, starts_at=now + timedelta(hours=h),
                               ends_at=now + timedelta(hours=h, minutes=30), status=SessionStatus.SCHEDULED,
                               created_at=now)


@pytest.mark.django_db(transaction=True)
def test_a_prepared_read_runs_as_a_server_side_statement_planned_once_per_connection(mentor, settings):
    """PostgreSQL plans such a statement once per connection (PREPARE, not counted as one of the page's queries);
    a new connection prepares it again; the rows are the ORM's."""
    settings.DATABASE_PREPARED_STATEMENTS = True
    now = timezone.now().replace(microsecond=0)
    student = StudentFactory()
    _sessions_for(mentor, student, now, range(1, 4))
    prepared = Prepared(_upcoming, student="int", now="datetime")
    for _ in range(2):  # the second time round, on a new connection
        for _ in range(2):
            with CaptureQueriesContext(connection) as captured:
                found = prepared.fetch({"student": student.pk, "now": now})
            assert [q["sql"].split("(")[0] for q in captured] == [captured[0]["sql"].split("(")[0]]
            assert captured[0]["sql"].startswith("EXECUTE ")
            assert found == list(_upcoming(student.pk, now)) and len(found) == 3
            assert {s.mentor for s in found} == {mentor}
        connection.close()


def test_without_server_side_statements_the_compiled_sql_runs_as_it_is(mentor, settings):
    """DATABASE_PREPARED_STATEMENTS=false (behind pgbouncer in transaction mode): no statement outlives its
    transaction."""
    settings.DATABASE_PREPARED_STATEMENTS = False
    now = timezone.now().replace(microsecond=0)
    student = StudentFactory()
    _sessions_for(mentor, student, now, range(1, 3))
    prepared = Prepared(_upcoming, student="int", now="datetime")
    with CaptureQueriesContext(connection) as captured:
        found = prepared.fetch({"student": student.pk, "now": now})
    assert captured[0]["sql"].startswith("SELECT ") and found == list(_upcoming(student.pk, now))


def test_an_id_past_bigint_finds_nothing_rather_than_failing(mentor, settings):
    settings.DATABASE_PREPARED_STATEMENTS = True
    now = timezone.now()
    prepared = Prepared(_upcoming, student="int", now="datetime")
    assert prepared.fetch({"student": 10**30, "now": now}) == []
    assert prepared.fetch({"student": -(10**30), "now": now}) == []


# A hand-written statement: a percent sign, a date, a list and a constant among its parameters.
_PLAIN = ("SELECT id, starts_at, starts_at::date AS day, 'a%%b' AS text FROM scheduling_session"
          " WHERE student_id = %s AND starts_at > %s AND starts_at::date >= %s AND status = ANY(%s)"
          " AND id <> %s ORDER BY starts_at")


def _plain_rows(params):
    with connection.cursor() as cursor:
        execute_plain(cursor, _PLAIN, params)
        return cursor.fetchall()


@pytest.mark.django_db(transaction=True)
def test_a_plain_statement_runs_as_a_server_side_statement_planned_once_per_connection(mentor, settings):
    settings.DATABASE_PREPARED_STATEMENTS = True
    now = timezone.now().replace(microsecond=0)
    student = StudentFactory()
    _sessions_for(mentor, student, now, range(1, 5))
    skipped = Session.objects.filter(student=student).order_by("starts_at").first()
    params = [student.pk, now, now.date(), [SessionStatus.SCHEDULED, SessionStatus.COMPLETED], skipped.pk]
    with connection.cursor() as cursor:
        cursor.execute(_PLAIN, params)  # as it is, planned each time
        expected = cursor.fetchall()
    assert len(expected) == 3 and expected[0][3] == "a%b"
    for _ in range(2):  # the second time round, on a new connection
        for _ in range(2):
            with CaptureQueriesContext(connection) as captured:
                assert _plain_rows(params) == expected
            assert len(captured) == 1 and captured[0]["sql"].startswith("EXECUTE ")
        connection.close()
    # Other arguments, the same statement.
    assert _plain_rows([student.pk, now + timedelta(hours=3), now.date(), [SessionStatus.SCHEDULED], -1]) == [
        row for row in expected if row[1] > now + timedelta(hours=3)]


def test_without_server_side_statements_a_plain_statement_runs_as_it_is(mentor, settings):
    settings.DATABASE_PREPARED_STATEMENTS = False
    now = timezone.now()
    with CaptureQueriesContext(connection) as captured:
        assert _plain_rows([mentor.pk, now, now.date(), [SessionStatus.SCHEDULED], -1]) == []
    assert captured[0]["sql"].startswith("SELECT ")


def test_a_plain_statement_with_an_id_past_bigint_finds_nothing_rather_than_failing(mentor, settings):
    settings.DATABASE_PREPARED_STATEMENTS = True
    now = timezone.now()
    assert _plain_rows([10**30, now, now.date(), [SessionStatus.SCHEDULED], -1]) == []
