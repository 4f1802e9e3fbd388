"""Success managers' session actions, through the admin's own URLs."""

import html
from datetime import timedelta

import pytest
from django.urls import reverse

from accounts.models import OutboundEmail
from accounts.tests.factories import StudentFactory
from credits.models import LedgerEntry
from scheduling import services
from scheduling.models import SessionStatus
from scheduling.tests.helpers import at, balance, bookable_mentor, give_credits

pytestmark = pytest.mark.django_db
NOW = at("2027-01-10 12:00")
SLOT = at("2027-01-12 15:00")


@pytest.fixture
def session(mentor):
    student = StudentFactory()
    give_credits(student, 2, now=NOW)
    service = bookable_mentor(mentor, hours=range(0, 24))
    return services.booking_create(student=student, mentor=mentor, service=service, starts_at=SLOT, actor=student,
                                   now=NOW)


def action_url(session, action):
    return reverse("admin:scheduling_session_action", args=[session.pk, action])


def test_a_manager_waives_a_forfeit_with_a_reason_through_the_admin(client, manager, mentor, session, time_machine):
    time_machine.move_to(SLOT + timedelta(hours=2), tick=False)
    services.attendance_mark(session=session, actor=mentor, attended=False, now=SLOT + timedelta(hours=2))
    client.force_login(manager)
    change = html.unescape(client.get(reverse("admin:scheduling_session_change", args=[session.pk])).content.decode())
    assert "Waive forfeit" in change

    response = client.post(action_url(session, "waive"), {"reason": ""})
    assert "A reason is required." in response.content.decode()
    assert balance(session.student) == 1

    response = client.post(action_url(session, "waive"), {"reason": "Documented power cut"})
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.forfeit_waived_at is not None and balance(session.student) == 2
    refund = LedgerEntry.objects.get(session_id=session.pk, kind="refund")
    assert refund.actor == manager and "Documented power cut" in refund.note
    told = OutboundEmail.objects.get(kind="session_credit_returned", to_email=session.student.email)
    assert "waived the forfeit" in told.body_text

    # Again: refused with a message, nothing twice.
    response = client.post(action_url(session, "waive"), {"reason": "again"})
    assert "already waived" in html.unescape(response.content.decode())
    assert LedgerEntry.objects.filter(session_id=session.pk, kind="refund").count() == 1


def test_a_manager_cancels_on_a_students_behalf_with_a_refund(client, manager, mentor, session, time_machine):
    time_machine.move_to(NOW, tick=False)
    client.force_login(manager)
    client.post(action_url(session, "cancel"), {"reason": "Student is ill"})
    session.refresh_from_db()
    assert session.status == SessionStatus.CANCELLED and balance(session.student) == 2
    assert "cancelled by your success manager: Student is ill" == session.status_note


def test_students_and_mentors_cannot_use_the_admin_actions(client, mentor, session):
    client.force_login(mentor)
    response = client.post(action_url(session, "cancel"), {"reason": "x"}, follow=True)
    assert response.status_code == 403
    session.refresh_from_db()
    assert session.status == SessionStatus.SCHEDULED


def test_unmarked_sessions_are_listed_for_managers(client, manager, session, time_machine):
    time_machine.move_to(SLOT + timedelta(hours=26), tick=False)
    client.force_login(manager)
    response = client.get(reverse("admin:scheduling_session_changelist"), {"unmarked": "yes"})
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == 1


def test_a_manager_records_a_mentor_no_show_with_a_refund(client, manager, session, time_machine):
    time_machine.move_to(SLOT + timedelta(hours=3), tick=False)
    client.force_login(manager)
    client.post(action_url(session, "mentor-no-show"), {"reason": "Mentor confirmed they missed it"})
    session.refresh_from_db()
    assert session.status == SessionStatus.MENTOR_NO_SHOW and balance(session.student) == 2
    assert OutboundEmail.objects.filter(kind="session_credit_returned", to_email=session.student.email).exists()


def test_a_managers_action_shows_on_the_sessions_history_page(client, manager, session, time_machine):
    time_machine.move_to(NOW, tick=False)
    client.force_login(manager)
    client.post(action_url(session, "cancel"), {"reason": "Family emergency"})
    history = client.get(reverse("admin:scheduling_session_history", args=[session.pk]))
    page = html.unescape(history.content.decode())
    assert "Family emergency" in page and manager.get_full_name() in page


def test_managers_filter_sessions_by_mentor(client, manager, session, mentor):
    client.force_login(manager)
    response = client.get(reverse("admin:scheduling_session_changelist"), {"mentor__id__exact": mentor.pk})
    assert response.status_code == 200 and len(response.context["cl"].result_list) == 1
