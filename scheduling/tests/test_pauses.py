"""Pause requests: asked in Settings, decided in the admin, applied by the sweep."""

import html
from datetime import date, timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from accounts.models import OutboundEmail
from accounts.tests.factories import ManagerFactory, MentorFactory, StudentFactory
from credits.models import AllowanceKind, Enrolment, EnrolmentStatus, LedgerEntry
from credits.services import credits_reset_due
from scheduling import services
from scheduling.errors import BookingNotAllowed
from scheduling.models import PauseRequest, SessionStatus
from scheduling.selectors import free_slot_starts
from scheduling.tests.helpers import at, balance, bookable_mentor, give_credits

pytestmark = pytest.mark.django_db
NOW = at("2026-12-10 12:00")


@pytest.fixture
def student():
    s = StudentFactory(timezone="Europe/London")
    give_credits(s, 4, kind=AllowanceKind.MONTHLY, now=NOW)
    return s


@pytest.fixture
def mentor():
    return MentorFactory(timezone="Europe/London")


@pytest.fixture
def service(mentor):
    return bookable_mentor(mentor, hours=range(9, 17))


def text(response):
    return html.unescape(response.content.decode())


def test_a_student_asks_for_a_pause_in_settings_and_managers_hear_of_it(client, student, time_machine):
    ManagerFactory(email="maya@example.com")
    time_machine.move_to(NOW, tick=False)
    client.force_login(student)
    response = client.post(reverse("scheduling:pause-requests"),
                           {"starts_on": "2027-01-01", "ends_on": "2027-01-31", "reason": "Exams"}, follow=True)
    assert "Sent. Your success manager will get back to you" in text(response)
    pause = PauseRequest.objects.get()
    assert (pause.status, pause.starts_on, pause.ends_on) == ("pending", date(2027, 1, 1), date(2027, 1, 31))
    assert OutboundEmail.objects.filter(kind="pause_requested", to_email="maya@example.com").exists()
    assert "Waiting for your success manager" in text(client.get(reverse("scheduling:pause-requests")))


@pytest.mark.parametrize("start, end, message", [
    ("2026-12-01", "2026-12-20", "can't start in the past"),
    ("2027-01-10", "2027-01-01", "on or after the first day"),
    ("2027-01-01", "2027-09-01", "at most six months"),
    ("tomorrow", "2027-01-01", "Enter the first day as a date"),
])
def test_bad_pause_requests_are_explained_and_nothing_is_saved(client, student, time_machine, start, end, message):
    time_machine.move_to(NOW, tick=False)
    client.force_login(student)
    response = client.post(reverse("scheduling:pause-requests"), {"starts_on": start, "ends_on": end, "reason": "x"})
    assert response.status_code == 400 and message in text(response)
    assert not PauseRequest.objects.exists()


def _book(student, mentor, service, start):
    return services.booking_create(student=student, mentor=mentor, service=service, starts_at=start, actor=student,
                                   now=NOW)


def test_approving_cancels_sessions_inside_with_refunds_after_the_manager_confirms(client, student, mentor, service,
                                                                                  time_machine):
    inside = _book(student, mentor, service, at("2027-01-05 10:00"))
    outside = _book(student, mentor, service, at("2026-12-20 10:00"))
    pause = services.pause_request_create(student=student, starts_on=date(2027, 1, 1), ends_on=date(2027, 1, 31),
                                        reason="Exams", now=NOW)
    manager = ManagerFactory()
    time_machine.move_to(NOW, tick=False)
    client.force_login(manager)
    url = reverse("admin:scheduling_pauserequest_decide", args=[pause.pk])
    page = text(client.get(url))
    assert "Tue 5 Jan 2027, 10:00" in page

    response = client.post(url, {"decision": "approve", "note": "Good luck with the exams"})
    assert "1 session is booked inside the pause" in text(response)
    assert PauseRequest.objects.get().status == "pending"

    client.post(url, {"decision": "approve", "note": "Good luck with the exams", "cancel_sessions": "on"})
    pause.refresh_from_db()
    inside.refresh_from_db()
    outside.refresh_from_db()
    assert pause.status == "approved" and pause.decided_by == manager
    assert inside.status == SessionStatus.CANCELLED and outside.status == SessionStatus.SCHEDULED
    assert LedgerEntry.objects.filter(session_id=inside.pk, kind="refund").exists()
    assert balance(student) == 3
    decided = OutboundEmail.objects.get(kind="pause_decided", to_email=student.email)
    assert "approved" in decided.subject and "Tue 5 Jan" in decided.body_text and ", 10:00 (Europe/London)" in decided.body_text
    history = LogEntry.objects.get(object_id=str(pause.pk))
    assert history.user == manager and "Good luck with the exams" in history.change_message


def test_an_approved_pause_blocks_booking_inside_it(student, mentor, service):
    pause = services.pause_request_create(student=student, starts_on=date(2027, 1, 1), ends_on=date(2027, 1, 31),
                                        reason="Travel", now=NOW)
    services.pause_approve(request=pause, actor=ManagerFactory(), note="ok", cancel_sessions=False, now=NOW)
    with pytest.raises(BookingNotAllowed) as err:
        _book(student, mentor, service, at("2027-01-05 10:00"))
    assert "on a pause from 1 Jan to 31 Jan" in err.value.message
    starts = free_slot_starts(mentor=mentor, duration=service.duration, now=NOW, student=student)
    assert not any(date(2027, 1, 1) <= s.date() <= date(2027, 1, 31) for s in starts)
    assert any(s.date() == date(2026, 12, 30) for s in starts)


def test_a_fully_paused_month_gets_no_grant_and_the_next_month_does(student):
    pause = services.pause_request_create(student=student, starts_on=date(2027, 1, 1), ends_on=date(2027, 1, 31),
                                        reason="Travel", now=NOW)
    services.pause_approve(request=pause, actor=ManagerFactory(), note="ok", cancel_sessions=False, now=NOW)
    enrolment = Enrolment.objects.get(student=student)
    assert enrolment.status == EnrolmentStatus.ACTIVE  # not yet: the pause starts on 1 Jan

    jan_1 = at("2027-01-01 00:00")  # London midnight = UTC in winter
    services.apply_due(now=jan_1)
    credits_reset_due(now=jan_1 + timedelta(minutes=5))
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.PAUSED

    feb_1 = at("2027-02-01 00:00")
    services.apply_due(now=feb_1)
    credits_reset_due(now=feb_1 + timedelta(minutes=5))
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.ACTIVE
    periods = sorted(str(p) for p in LedgerEntry.objects.filter(account__student=student, kind="grant")
                     .values_list("period", flat=True))
    assert periods == ["2026-12-01", "2027-02-01"]
    assert balance(student) == 4


def test_declining_leaves_everything_as_it_was(client, student, mentor, service, time_machine):
    session = _book(student, mentor, service, at("2027-01-05 10:00"))
    pause = services.pause_request_create(student=student, starts_on=date(2027, 1, 1), ends_on=date(2027, 1, 31),
                                        reason="Travel", now=NOW)
    time_machine.move_to(NOW, tick=False)
    client.force_login(ManagerFactory())
    client.post(reverse("admin:scheduling_pauserequest_decide", args=[pause.pk]),
                {"decision": "decline", "note": "Exams are not a reason to miss mentoring"})
    pause.refresh_from_db()
    session.refresh_from_db()
    assert pause.status == "declined" and session.status == SessionStatus.SCHEDULED
    services.apply_due(now=at("2027-01-02 00:00"))
    assert Enrolment.objects.get(student=student).status == EnrolmentStatus.ACTIVE
    assert balance(student) == 3
    assert "declined" in OutboundEmail.objects.get(kind="pause_decided").subject


def test_a_decision_needs_a_note_and_only_managers_decide(client, student, mentor, time_machine):
    pause = services.pause_request_create(student=student, starts_on=date(2027, 1, 1), ends_on=date(2027, 1, 3),
                                        reason="x", now=NOW)
    time_machine.move_to(NOW, tick=False)
    client.force_login(ManagerFactory())
    url = reverse("admin:scheduling_pauserequest_decide", args=[pause.pk])
    assert "A note for the student is required." in text(client.post(url, {"decision": "approve", "note": ""}))
    client.force_login(mentor)
    assert client.post(url, {"decision": "approve", "note": "sure"}, follow=True).status_code == 403
    pause.refresh_from_db()
    assert pause.status == "pending"


def test_a_student_withdraws_a_pending_request_but_not_someone_elses(client, student, time_machine):
    pause = services.pause_request_create(student=student, starts_on=date(2027, 1, 1), ends_on=date(2027, 1, 3),
                                        reason="x", now=NOW)
    time_machine.move_to(NOW, tick=False)
    other = StudentFactory()
    client.force_login(other)
    assert client.post(reverse("scheduling:pause-withdraw", args=[pause.pk])).status_code == 404
    client.force_login(student)
    assert client.get(reverse("scheduling:pause-withdraw", args=[pause.pk])).status_code == 405
    client.post(reverse("scheduling:pause-withdraw", args=[pause.pk]))
    pause.refresh_from_db()
    assert pause.status == "withdrawn"
