"""Invites and feeds parse back and carry what RFC 5545 requires."""

from datetime import timedelta

import pytest
from django.urls import reverse
from icalendar import Calendar

from accounts.models import OutboundEmail
from accounts.services import calendar_token_regenerate
from accounts.tests.factories import MentorFactory, StudentFactory
from scheduling import services
from scheduling.tests.helpers import at, bookable_mentor, give_credits

pytestmark = pytest.mark.django_db
NOW = at("2027-03-10 12:00")


@pytest.fixture
def booked(django_capture_on_commit_callbacks):
    mentor = MentorFactory(timezone="America/New_York")
    service = bookable_mentor(mentor, hours=range(0, 24))
    student = StudentFactory(timezone="Asia/Kolkata")
    give_credits(student, 3, now=NOW)
    with django_capture_on_commit_callbacks(execute=True):
        session = services.booking_create(student=student, mentor=mentor, service=service,
                                           starts_at=at("2027-03-15 14:00"), actor=student, now=NOW)
    return session


def parse(text):
    cal = Calendar.from_ical(text)
    event = next(c for c in cal.walk("VEVENT"))
    return cal, event


def invite_of(kind, session, email):
    row = OutboundEmail.objects.get(kind=kind, topic=f"session:{session.pk}", to_email=email)
    return parse(row.ics), row


def test_the_booking_invite_has_every_required_property(booked, mailoutbox):
    cal, event = invite_of("session_booked", booked, booked.student.email)[0]
    assert cal["VERSION"] == "2.0" and cal["PRODID"] and cal["METHOD"] == "REQUEST"
    for prop in ("UID", "DTSTAMP", "DTSTART", "DTEND", "ORGANIZER", "SEQUENCE", "SUMMARY"):
        assert prop in event, prop
    assert event.decoded("DTSTART") == at("2027-03-15 14:00")
    assert event["ORGANIZER"] == f"mailto:{booked.mentor.email}"
    assert {str(a) for a in event["ATTENDEE"]} == {f"mailto:{booked.student.email}", f"mailto:{booked.mentor.email}"}
    assert "https://meet.example.com/ada" in str(event["DESCRIPTION"])
    assert event["SEQUENCE"] == 0
    # The email that went out carries it as text/calendar.
    sent = next(m for m in mailoutbox if m.to == [booked.student.email])
    assert any("text/calendar; method=REQUEST" in mime for _, mime in sent.alternatives)


def test_a_reschedule_keeps_the_uid_and_raises_the_sequence(booked, django_capture_on_commit_callbacks):
    (_, first), _ = invite_of("session_booked", booked, booked.student.email)
    with django_capture_on_commit_callbacks(execute=True):
        services.session_reschedule(session=booked, new_starts_at=at("2027-03-16 14:00"), actor=booked.student, now=NOW)
    (_, moved), _ = invite_of("session_rescheduled", booked, booked.student.email)
    assert moved["UID"] == first["UID"] and moved["SEQUENCE"] == 1
    assert moved.decoded("DTSTART") == at("2027-03-16 14:00")


def test_a_cancellation_sends_method_cancel_with_the_same_uid(booked, django_capture_on_commit_callbacks):
    (_, first), _ = invite_of("session_booked", booked, booked.student.email)
    with django_capture_on_commit_callbacks(execute=True):
        services.session_cancel(session=booked, actor=booked.mentor, now=NOW)
    (cal, cancel), _ = invite_of("session_cancelled", booked, booked.student.email)
    assert cal["METHOD"] == "CANCEL" and cancel["UID"] == first["UID"] and cancel["STATUS"] == "CANCELLED"


def test_emails_link_to_the_session_and_show_the_recipients_own_time(booked):
    student_mail = OutboundEmail.objects.get(kind="session_booked", to_email=booked.student.email)
    mentor_mail = OutboundEmail.objects.get(kind="session_booked", to_email=booked.mentor.email)
    path = reverse("scheduling:session-detail", args=[booked.pk])
    assert path in student_mail.body_text and path in mentor_mail.body_html
    assert "Mon 15 Mar" in student_mail.body_text and ", 19:30–20:30 (Asia/Kolkata)" in student_mail.body_text
    assert "Mon 15 Mar" in mentor_mail.body_text  # New York, after the DST change
    assert ", 10:00–11:00 (America/New_York)" in mentor_mail.body_text


def test_the_feed_needs_the_right_token(client, booked):
    assert client.get("/calendar/nope.ics").status_code == 404
    token = calendar_token_regenerate(user=booked.student)
    assert client.get(reverse("scheduling:calendar-feed", args=[token])).status_code == 200
    new_token = calendar_token_regenerate(user=booked.student)
    assert client.get(reverse("scheduling:calendar-feed", args=[token])).status_code == 404
    assert client.get(reverse("scheduling:calendar-feed", args=[new_token])).status_code == 200


def test_the_feed_parses_and_its_instants_are_right_across_a_dst_change(client, booked, time_machine):
    time_machine.move_to(NOW, tick=False)
    # A second session after... the European change (28 Mar); the first was after the US change (14 Mar).
    give_credits(StudentFactory(), 1, now=NOW)
    services.booking_create(student=booked.student, mentor=booked.mentor, service=booked.service,
                            starts_at=at("2027-03-29 14:00"), actor=booked.student, now=NOW)
    services.session_cancel(session=booked, actor=booked.mentor, now=NOW)
    token = calendar_token_regenerate(user=booked.mentor)
    response = client.get(reverse("scheduling:calendar-feed", args=[token]))
    assert response["Content-Type"].startswith("text/calendar")
    events = Calendar.from_ical(response.content).walk("VEVENT")
    by_start = {e.decoded("DTSTART"): e for e in events}
    assert set(by_start) == {at("2027-03-15 14:00"), at("2027-03-29 14:00")}
    assert by_start[at("2027-03-15 14:00")]["STATUS"] == "CANCELLED"  # recently cancelled
    assert by_start[at("2027-03-29 14:00")]["STATUS"] == "CONFIRMED"
    assert all(e.decoded("DTSTART").utcoffset() == timedelta(0) for e in events)


def test_settings_regenerate_and_revoke_the_feed_by_post_only(client, booked):
    client.force_login(booked.student)
    assert client.get(reverse("portal:calendar-regenerate")).status_code == 405
    client.post(reverse("portal:calendar-regenerate"))
    booked.student.refresh_from_db()
    token = booked.student.calendar_token
    assert token and token in client.get(reverse("portal:settings-notifications")).content.decode()
    client.post(reverse("portal:calendar-revoke"))
    assert client.get(reverse("scheduling:calendar-feed", args=[token])).status_code == 404
