"""Students at risk, on hand-built cases: each reason alone, several together, the healthy left out."""

import html
import itertools
from datetime import timedelta

import pytest
from django.urls import reverse

from accounts.tests.factories import StudentFactory
from credits.models import AllowanceKind
from mentorship import weekgrid
from mentorship.services import grid_save
from scheduling import services
from scheduling.at_risk import students_at_risk
from scheduling.tests.helpers import at, bookable_mentor, give_credits, set_grid

pytestmark = pytest.mark.django_db
NOW = at("2027-03-10 12:00")
DAY = timedelta(days=1)
_next_hour = itertools.count()  # each healthy student books their own hour with the one mentor


@pytest.fixture
def service(mentor):
    return bookable_mentor(mentor, hours=range(0, 24))


def book(student, mentor, service, starts_at, *, now):
    return services.booking_create(student=student, mentor=mentor, service=service, starts_at=starts_at,
                                   actor=student, now=now)


def healthy(name, mentor, service, *, credits=4):
    """Hours set, credits left, a session booked ahead, nothing missed."""
    student = StudentFactory(full_name=name)
    set_grid(student)
    give_credits(student, credits, now=NOW - 40 * DAY)
    book(student, mentor, service, NOW + 2 * DAY + next(_next_hour) * timedelta(hours=1), now=NOW)
    return student


def late_cancel(student, mentor, service, starts_at):
    session = book(student, mentor, service, starts_at, now=starts_at - 3 * DAY)
    return services.session_cancel(session=session, actor=student, now=starts_at - timedelta(hours=2))


def no_show(student, mentor, service, starts_at):
    session = book(student, mentor, service, starts_at, now=starts_at - 3 * DAY)
    return services.attendance_mark(session=session, actor=mentor, attended=False, now=starts_at + timedelta(hours=1))


def reasons(now=NOW) -> dict[str, list[str]]:
    return {row.student.full_name: row.reasons for row in students_at_risk(now=now)}


def test_a_healthy_student_is_not_listed(mentor, service):
    healthy("Hal Healthy", mentor, service)
    assert reasons() == {}


def test_two_misses_in_30_days_alone(mentor, service, manager):
    student = healthy("Mia Misses", mentor, service, credits=6)
    late_cancel(student, mentor, service, NOW - 10 * DAY)
    no_show(student, mentor, service, NOW - 5 * DAY)
    # Neither an old miss nor a waived forfeit counts.
    late_cancel(student, mentor, service, NOW - 40 * DAY)
    waived = no_show(student, mentor, service, NOW - 3 * DAY)
    services.forfeit_waive(session=waived, actor=manager, reason="Internet outage", now=NOW)
    assert reasons() == {"Mia Misses": [
        "Missed 2 sessions in the last 30 days (1 forfeited by a late cancellation, 1 no-show)."]}


def test_one_miss_is_not_enough(mentor, service):
    student = healthy("One Miss", mentor, service)
    no_show(student, mentor, service, NOW - 5 * DAY)
    assert reasons() == {}


def test_no_upcoming_session_alone(mentor, service):
    student = healthy("Nora Nothing", mentor, service)
    session = student.sessions_as_student.get()
    services.session_cancel(session=session, actor=student, now=NOW)
    assert reasons() == {"Nora Nothing": ["No upcoming session booked."]}


def test_no_credits_left_alone_but_unlimited_plans_never_run_out(mentor, service):
    zero = healthy("Zed Zero", mentor, service, credits=1)  # the one credit is spent on the upcoming session
    unlimited = StudentFactory(full_name="Una Unlimited")
    set_grid(unlimited)
    give_credits(unlimited, 0, kind=AllowanceKind.UNLIMITED, now=NOW - DAY)
    book(unlimited, mentor, service, NOW + 3 * DAY, now=NOW)
    assert reasons() == {"Zed Zero": [f"No credits left on “Plan {zero.pk} pack 1”."]}


def test_a_monthly_reset_already_due_is_not_counted_as_no_credits(mentor, service):
    student = StudentFactory(full_name="Reset Due")
    set_grid(student)
    give_credits(student, 1, kind=AllowanceKind.MONTHLY, now=NOW - 20 * DAY)  # February; resets on 1 March
    book(student, mentor, service, NOW + 2 * DAY, now=NOW - 20 * DAY + timedelta(hours=3))
    # 10 March: the hourly sweep hasn't granted March yet, but the next booking will.
    assert reasons() == {}


def test_no_availability_alone_with_no_grid_or_an_empty_one(mentor, service):
    empty = healthy("Eve Empty", mentor, service)
    grid_save(user=empty, cells=weekgrid.EMPTY, now=NOW)
    never = healthy("Ned Never", mentor, service)
    never.availability_grid.delete()
    assert reasons() == {"Eve Empty": ["No weekly availability set."], "Ned Never": ["No weekly availability set."]}


def test_several_reasons_together_and_most_reasons_first(mentor, service):
    healthy("Hal Healthy", mentor, service)
    StudentFactory(full_name="Ann Abandoned")  # no plan, no hours, nothing booked
    one = healthy("Bob Booked", mentor, service)
    one.availability_grid.delete()
    rows = students_at_risk(now=NOW)
    assert [(row.student.full_name, row.reasons) for row in rows] == [
        ("Ann Abandoned", ["No upcoming session booked.", "No plan, so no credits to book with.",
                           "No weekly availability set."]),
        ("Bob Booked", ["No weekly availability set."]),
    ]


def test_a_paused_student_is_not_flagged_for_having_nothing_booked(mentor, service, manager):
    from credits.services import enrolment_pause

    student = healthy("Pia Paused", mentor, service)
    services.session_cancel(session=student.sessions_as_student.get(), actor=student, now=NOW)
    enrolment_pause(enrolment=student.enrolments.get(), actor=manager, now=NOW)
    assert reasons() == {}


def test_the_list_is_one_query_however_many_students(mentor, service, django_assert_num_queries):
    StudentFactory(full_name="A")
    with django_assert_num_queries(1):
        assert len(students_at_risk(now=NOW)) == 1
    for i in range(15):
        StudentFactory(full_name=f"B{i}")
    healthy("Hal Healthy", mentor, service)
    with django_assert_num_queries(1):
        assert len(students_at_risk(now=NOW)) == 16


def test_the_admin_view_and_the_list_filter(client, manager, mentor, service, time_machine):
    time_machine.move_to(NOW, tick=False)
    healthy("Hal Healthy", mentor, service)
    lost = StudentFactory(full_name="Lou Lost")
    set_grid(lost)
    client.force_login(manager)

    listing = client.get(reverse("admin:mentorship_studentaccount_changelist"))
    assert reverse("admin:portal_students_at_risk") in listing.content.decode()
    response = client.get(reverse("admin:portal_students_at_risk"))
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert "Lou Lost" in page and "Hal Healthy" not in page
    assert "No plan, so no credits to book with." in page and "No upcoming session booked." in page
    assert reverse("admin:mentorship_studentaccount_change", args=[lost.pk]) in page

    def filtered(value):
        result = client.get(reverse("admin:mentorship_studentaccount_changelist"), {"at_risk": value})
        assert result.status_code == 200
        return [u.full_name for u in result.context["cl"].result_list]

    assert filtered("any") == ["Lou Lost"]
    assert filtered("no_credits") == ["Lou Lost"]
    assert filtered("no_hours") == []
    assert filtered("misses") == []


def test_students_and_mentors_cannot_open_the_at_risk_view(client, student, mentor):
    for person in (student, mentor):
        client.force_login(person)
        response = client.get(reverse("admin:portal_students_at_risk"))
        assert response.status_code == 302 and reverse("admin:login") in response["Location"]
