"""Bulk work on students and sessions: email a filtered set through the outbox, export CSV."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import OutboundEmail
from accounts.tests.factories import StudentFactory
from scheduling.models import Session, SessionStatus
from scheduling.tests.helpers import bookable_mentor, give_credits

pytestmark = pytest.mark.django_db
STUDENTS = reverse("admin:mentorship_studentaccount_changelist")


def _action(ids, **extra):
    return {"action": "email_students", "_selected_action": [str(i) for i in ids], "select_across": "0", **extra}


def test_a_manager_previews_then_emails_the_chosen_students_once(client, manager):
    chosen = [StudentFactory(full_name=f"Chosen {i}") for i in range(3)]
    other = StudentFactory(full_name="Not chosen")
    client.force_login(manager)
    ids = [s.pk for s in chosen]

    page = client.post(STUDENTS, _action(ids))
    assert page.status_code == 200
    text = page.content.decode()
    assert "3 students" in text and "Chosen 0" in text and "Not chosen" not in text
    assert 'name="_send"' not in text  # nothing can be sent before a preview

    message = {"subject": "Office hours on Friday", "message": "Drop in any time between 2 and 4."}
    page = client.post(STUDENTS, _action(ids, _preview="1", **message))
    text = page.content.decode()
    assert "Hello Chosen," in text and "Drop in any time" in text and "Maya Manager, your success manager" in text
    assert OutboundEmail.objects.filter(kind="manager_message").count() == 0
    token = page.context["token"]

    sent = client.post(STUDENTS, _action(ids, _send="1", token=token, **message))
    assert sent.status_code == 302
    emails = OutboundEmail.objects.filter(kind="manager_message")
    assert sorted(emails.values_list("to_email", flat=True)) == sorted(s.email for s in chosen)
    assert {e.subject for e in emails} == {"Office hours on Friday"}
    assert other.email not in emails.values_list("to_email", flat=True)

    client.post(STUDENTS, _action(ids, _send="1", token=token, **message))  # a double submit
    assert OutboundEmail.objects.filter(kind="manager_message").count() == 3


def test_a_message_without_a_subject_is_refused_with_a_clear_error(client, manager):
    student = StudentFactory()
    client.force_login(manager)
    page = client.post(STUDENTS, _action([student.pk], _send="1", token="t", subject="", message="Hi"))
    assert page.status_code == 200 and "A subject is required." in page.content.decode()
    assert not OutboundEmail.objects.filter(kind="manager_message").exists()


def test_all_students_matching_a_filter_can_be_emailed(client, manager, mentor):
    service = bookable_mentor(mentor)
    busy = StudentFactory(full_name="Busy")
    give_credits(busy, 4)
    starts = (timezone.now() + timedelta(days=3)).replace(microsecond=0)
    Session.objects.create(student=busy, mentor=mentor, service=service, starts_at=starts,
                           ends_at=starts + timedelta(hours=1), created_at=timezone.now())
    idle = [StudentFactory(full_name=f"Idle {i}") for i in range(4)]
    client.force_login(manager)
    url = STUDENTS + "?at_risk=no_upcoming"
    page = client.post(url, {**_action([idle[0].pk]), "select_across": "1"})
    assert page.context["count"] == 4
    page = client.post(url, {**_action([idle[0].pk]), "select_across": "1", "_send": "1", "token": "abc",
                             "subject": "We miss you", "message": "Book your next session."})
    assert sorted(OutboundEmail.objects.filter(kind="manager_message").values_list("to_email", flat=True)) == sorted(
        s.email for s in idle)


def test_students_export_as_csv_with_plan_mentor_and_risk(client, manager):
    student = StudentFactory(full_name="Csv Student", timezone="Asia/Kolkata")
    give_credits(student, 4)
    client.force_login(manager)
    response = client.post(STUDENTS, {"action": "export_csv", "_selected_action": [str(student.pk)],
                                      "select_across": "0"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:6] == ["id", "name", "email", "time zone", "current mentor", "plan"]
    assert rows[1][1:4] == ["Csv Student", student.email, "Asia/Kolkata"] and rows[1][6] == "4"
    assert "No upcoming session booked." in rows[1][7]


def test_sessions_export_as_csv_in_utc_and_the_students_zone(client, manager, mentor, student):
    service = bookable_mentor(mentor)
    starts = (timezone.now() - timedelta(days=2)).replace(microsecond=0, second=0, minute=0)
    session = Session.objects.create(student=student, mentor=mentor, service=service, starts_at=starts,
                                     ends_at=starts + timedelta(hours=1), status=SessionStatus.FORFEITED,
                                     forfeit_waived_at=timezone.now(), created_at=starts - timedelta(days=1))
    client.force_login(manager)
    response = client.post(reverse("admin:scheduling_session_changelist"),
                           {"action": "export_csv", "_selected_action": [str(session.pk)], "select_across": "0"})
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[1][1] == starts.isoformat() and "(America/New_York)" in rows[1][3]
    assert rows[1][9] == "Forfeit waived — credit returned"


def test_students_and_mentors_cannot_run_bulk_actions(client, student, mentor):
    target = StudentFactory()
    for user in (student, mentor):
        client.force_login(user)
        response = client.post(STUDENTS, _action([target.pk], _send="1", token="x", subject="s", message="m"))
        assert response.status_code == 302 and "/login" in response["Location"]
    assert not OutboundEmail.objects.filter(kind="manager_message").exists()
