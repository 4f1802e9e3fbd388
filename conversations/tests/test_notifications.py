"""A new message is emailed only when it waits unread for 10 minutes, at most
once an hour per thread, through the outbox; opt-out in Settings."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from accounts.models import OutboundEmail
from conversations import notifications, services
from conversations.models import Membership
from conversations.tests.conftest import send

pytestmark = pytest.mark.django_db
T0 = datetime(2027, 3, 10, 12, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


def emails_to(user):
    return list(OutboundEmail.objects.filter(recipient=user, kind="conversation_unread").order_by("created_at"))


def sweep_every_minute(start, end):
    """Beat wakes the sweep every minute; returns how many threads it claimed in total."""
    claimed, at = 0, start
    while at <= end:
        claimed += notifications.unread_sweep(now=at)
        at += MINUTE
    return claimed


def test_five_quick_messages_produce_one_email(thread, student, mentor, time_machine):
    time_machine.move_to(T0, tick=False)
    for n in range(5):
        send(thread, student, f"Quick thought {n + 1} https://example.com/{n}", now=T0 + n * 10 * timedelta(seconds=1))
    assert sweep_every_minute(T0, T0 + 9 * MINUTE) == 0  # not yet: the mentor may still read it
    assert sweep_every_minute(T0 + 10 * MINUTE, T0 + 70 * MINUTE) == 1
    (email,) = emails_to(mentor)
    assert email.subject == "5 new messages from Sam Student"
    assert "Quick thought 3" in email.body_text and "Quick thought 5" in email.body_text
    assert "…and 2 more." in email.body_text
    assert f"/accounts/login/?next={reverse('conversations:thread', args=[thread.pk])}" in email.body_text
    assert '<a href="https://example.com/4"' not in email.body_html  # user text is never HTML
    assert not emails_to(student)


def test_a_thread_read_within_ten_minutes_produces_none(thread, student, mentor, client, time_machine):
    time_machine.move_to(T0, tick=False)
    send(thread, student, "Are you free tomorrow?", now=T0)
    time_machine.move_to(T0 + 9 * MINUTE, tick=False)
    client.force_login(mentor)
    assert client.get(reverse("conversations:thread", args=[thread.pk])).status_code == 200
    assert sweep_every_minute(T0, T0 + 3 * 60 * MINUTE) == 0
    assert not OutboundEmail.objects.filter(kind="conversation_unread").exists()


def test_at_most_one_email_per_thread_per_hour_and_only_for_new_messages(thread, student, mentor):
    send(thread, student, "First", now=T0)
    assert notifications.unread_sweep(now=T0 + 10 * MINUTE) == 1
    send(thread, student, "Second", now=T0 + 20 * MINUTE)
    # Still unread 10 minutes later, but the hour since the last email has not passed.
    assert sweep_every_minute(T0 + 30 * MINUTE, T0 + 69 * MINUTE) == 0
    assert notifications.unread_sweep(now=T0 + 70 * MINUTE) == 1
    emails = emails_to(mentor)
    assert [e.subject for e in emails] == ["New message from Sam Student", "2 new messages from Sam Student"]
    # Nothing new since: no reminder of the same messages, ever.
    assert sweep_every_minute(T0 + 131 * MINUTE, T0 + 140 * MINUTE) == 0


def test_each_thread_and_each_recipient_is_counted_on_its_own(thread, student, mentor, stranger):
    from mentorship.models import MentorAssignment

    MentorAssignment.objects.create(student=stranger, mentor=mentor, started_at=T0 - MINUTE, ended_at=T0)
    other = services.thread_open(user=mentor, other=stranger, now=T0)
    send(thread, student, "From Sam", now=T0)
    send(other, stranger, "From Stan", now=T0)
    assert notifications.unread_sweep(now=T0 + 11 * MINUTE) == 2
    assert sorted(e.subject for e in emails_to(mentor)) == ["New message from Sam Student",
                                                            "New message from Stan Stranger"]
    # Replying in one thread reads that one only.
    send(thread, mentor, "To Sam", now=T0 + 80 * MINUTE)
    send(other, stranger, "Stan again", now=T0 + 80 * MINUTE)
    assert notifications.unread_sweep(now=T0 + 90 * MINUTE) == 2
    assert [e.subject for e in emails_to(student)] == ["New message from Ada Mentor"]
    assert len(emails_to(mentor)) == 3


def test_opting_out_in_settings_stops_the_emails(thread, student, mentor, client):
    client.force_login(mentor)
    page = client.get(reverse("portal:settings-notifications"))
    assert "“New message” emails" in page.content.decode()
    response = client.post(reverse("portal:settings-notifications"), {
        "remind_last_chance": "on", "remind_starting_soon": "on", "remind_attendance": "on"})
    assert response.status_code == 302
    mentor.refresh_from_db()
    assert mentor.email_new_messages is False
    send(thread, student, "Hello?", now=T0)
    assert notifications.unread_sweep(now=T0 + 11 * MINUTE) == 0
    assert not OutboundEmail.objects.filter(kind="conversation_unread").exists()
    # Opting back in later sends what is still waiting.
    mentor.email_new_messages = True
    mentor.save()
    assert notifications.unread_sweep(now=T0 + 12 * MINUTE) == 1


def test_a_second_sweep_at_the_same_moment_claims_nothing(thread, student, mentor):
    send(thread, student, "Hi", now=T0)
    assert notifications.unread_sweep(now=T0 + 10 * MINUTE) == 1
    assert notifications.unread_sweep(now=T0 + 10 * MINUTE) == 0
    membership = Membership.objects.get(thread=thread, user=mentor)
    assert membership.notified_at == T0 + 10 * MINUTE and len(emails_to(mentor)) == 1
