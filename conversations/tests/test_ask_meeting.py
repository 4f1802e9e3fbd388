""""Send a message and request a meeting": the flash request and the thread's
first message are made together, or neither is."""

import html
import uuid
from datetime import UTC, datetime

import pytest
from django.urls import reverse
from django.utils.html import strip_tags

from accounts.models import OutboundEmail
from accounts.tests.factories import MentorFactory
from conversations.models import Membership, Message, Thread
from scheduling.models import FlashRequest, Session
from scheduling.tests.helpers import bookable_mentor, give_credits

pytestmark = pytest.mark.django_db
NOW = datetime(2027, 3, 10, 12, 0, tzinfo=UTC)


@pytest.fixture
def now(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


@pytest.fixture
def other_mentor():
    return MentorFactory(full_name="Grace Mentor", timezone="Europe/London")


@pytest.fixture
def service(other_mentor):
    return bookable_mentor(other_mentor, hours=range(9, 17))


def ask(client, mentor, service, *, key=None, **overrides):
    data = {"service": service.pk, "start_local": "2027-03-12T10:00", "topic": "Moving into data",
            "message": "Hello! See https://example.com/cv — could we meet?", "submit_key": str(key or uuid.uuid4())}
    return client.post(reverse("conversations:ask", args=[mentor.pk]), {**data, **overrides})


def test_the_request_and_its_first_message_arrive_together_with_the_actions(client, now, student, other_mentor,
                                                                             service):
    give_credits(student, 2, now=NOW)
    client.force_login(student)
    page = client.get(reverse("portal:mentor-detail", args=[other_mentor.pk])).content.decode()
    assert "Send a message and request a meeting" in page and reverse("conversations:ask", args=[other_mentor.pk]) in page
    assert client.get(reverse("conversations:ask", args=[other_mentor.pk])).status_code == 200

    response = ask(client, other_mentor, service)
    thread = Thread.objects.get()
    message = Message.objects.get()
    request = FlashRequest.objects.get()
    assert response.status_code == 302 and response.url.startswith(reverse("conversations:thread", args=[thread.pk]))
    assert (thread.student, thread.mentor) == (student, other_mentor)
    assert message.flash_request == request and request.topic == "Moving into data"
    # 10:00 in New York is 15:00 in London (both on winter time until the 14th).
    assert request.proposed_starts_at == datetime(2027, 3, 12, 15, 0, tzinfo=UTC)
    assert OutboundEmail.objects.filter(kind="flash_requested", recipient=other_mentor).count() == 1
    assert Membership.objects.get(thread=thread, user=other_mentor).unread_count == 1

    client.force_login(other_mentor)
    inbox = html.unescape(client.get(reverse("conversations:inbox")).content.decode())
    assert "Sam Student" in inbox and "could we meet?" in inbox
    page = html.unescape(client.get(reverse("conversations:thread", args=[thread.pk])).content.decode())
    assert "Meeting requested" in page and "Topic: Moving into data" in page
    assert reverse("scheduling:flash-accept", args=[request.pk]) in page and "Accept and book" in page

    # Accepting from the thread books the session and comes back to the thread.
    response = client.post(reverse("scheduling:flash-accept", args=[request.pk]),
                           {"next": reverse("conversations:thread", args=[thread.pk])})
    assert response.status_code == 302 and response.url == reverse("conversations:thread", args=[thread.pk])
    request.refresh_from_db()
    assert request.status == FlashRequest.Status.ACCEPTED and Session.objects.get() == request.session
    page = strip_tags(html.unescape(client.get(reverse("conversations:thread", args=[thread.pk])).content.decode()))
    assert "Meeting accepted" in page and "Booked:" in page and "Accept and book" not in page


def test_a_refused_request_sends_no_message_either(client, now, student, other_mentor, service):
    # No credits: the flash request is refused, so the message is not sent alone.
    client.force_login(student)
    response = ask(client, other_mentor, service)
    assert response.status_code == 409 and "Nothing was sent." in response.content.decode()
    assert not FlashRequest.objects.exists() and not Thread.objects.exists() and not Message.objects.exists()
    assert not OutboundEmail.objects.exists()


def test_a_double_submit_makes_one_request_and_one_message(client, now, student, other_mentor, service):
    give_credits(student, 2, now=NOW)
    client.force_login(student)
    key = uuid.uuid4()
    first, second = ask(client, other_mentor, service, key=key), ask(client, other_mentor, service, key=key)
    assert first.status_code == second.status_code == 302 and first.url == second.url
    assert FlashRequest.objects.count() == Message.objects.count() == Thread.objects.count() == 1


def test_a_message_is_required_and_bad_input_is_explained(client, now, student, other_mentor, service):
    give_credits(student, 2, now=NOW)
    client.force_login(student)
    response = ask(client, other_mentor, service, message="")
    assert response.status_code == 400 and "Write a message to go with the request." in response.content.decode()
    response = ask(client, other_mentor, service, start_local="2027-03-10T06:00")
    assert response.status_code == 409 and "That time has already passed" in html.unescape(response.content.decode())
    assert not FlashRequest.objects.exists() and not Message.objects.exists()


def test_mentors_and_strangers_cannot_use_it(client, mentor, other_mentor, service):
    client.force_login(mentor)
    assert client.get(reverse("conversations:ask", args=[other_mentor.pk])).status_code == 403
    client.logout()
    assert client.post(reverse("conversations:ask", args=[other_mentor.pk])).status_code == 302  # to the login
    assert not FlashRequest.objects.exists()
