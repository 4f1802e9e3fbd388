"""Journeys in Chromium: writing to one's mentor from a session page, the
mentor's unread badge and reply, blocking, and a message with a meeting request."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.tests.factories import PASSWORD, MentorFactory, StudentFactory
from conversations.models import Message, Thread
from mentorship.models import MentorAssignment
from scheduling import services as scheduling_services
from scheduling.models import FlashRequest, SessionStatus
from scheduling.tests.helpers import bookable_mentor, give_credits

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, user, home):
    page.goto("/accounts/login/")
    page.fill("#id_login", user.email)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(f"**/{home}/")


def log_out(page):
    page.context.clear_cookies()


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_student_writes_from_the_session_page_mentor_replies_then_blocks(page):
    mentor = MentorFactory(full_name="Ada Mentor", timezone="Europe/London")
    student = StudentFactory(full_name="Sam Student", timezone="America/New_York")
    MentorAssignment.objects.create(student=student, mentor=mentor, started_at=timezone.now(), reason="Match")
    service = bookable_mentor(mentor, hours=range(24))
    give_credits(student, 2)
    now = timezone.now()
    session = scheduling_services.booking_create(
        student=student, mentor=mentor, service=service, actor=student, now=now,
        starts_at=(now + timedelta(days=2)).replace(minute=0, second=0, microsecond=0))

    page.set_viewport_size({"width": 390, "height": 800})
    log_in(page, student, "overview")
    page.goto(f"/sessions/{session.pk}/")
    page.get_by_test_id("message-link").click()
    assert "About the session" in page.get_by_test_id("composer-about").inner_text()
    page.get_by_label("Your message").fill("Hi Ada, can we look at my tests? https://example.com/repo")
    page.get_by_role("button", name="Send").click()
    page.wait_for_url("**/inbox/*/**")
    assert "can we look at my tests?" in page.get_by_test_id("message-body").last.inner_text()
    assert page.get_by_role("link", name="https://example.com/repo").count() == 1
    assert fits(page)

    log_out(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, mentor, "agenda")
    assert page.get_by_test_id("inbox-unread").inner_text().startswith("1")
    page.get_by_role("link", name="Inbox").click()
    page.get_by_role("link", name="Sam Student").click()
    assert "About the session" in page.get_by_test_id("message-about").inner_text()
    assert page.get_by_test_id("inbox-unread").count() == 0  # reading cleared the badge
    page.get_by_label("Your message").fill("Sure, push the branch and I'll read it tonight.")
    page.get_by_role("button", name="Send").click()
    page.wait_for_url("**/inbox/*/**")

    log_out(page)
    log_in(page, student, "overview")
    assert page.get_by_test_id("inbox-unread").inner_text().startswith("1")
    page.goto("/inbox/")
    page.get_by_role("link", name="Ada Mentor").click()
    assert "push the branch" in page.get_by_test_id("message-body").last.inner_text()

    log_out(page)
    log_in(page, mentor, "agenda")
    page.goto(f"/inbox/{Thread.objects.get().pk}/")
    page.get_by_text("Block this conversation").click()
    page.get_by_label("Why?").fill("Testing the block")
    page.get_by_role("button", name="Block").click()
    assert "Blocked." in page.locator(".alert-success").inner_text()

    log_out(page)
    log_in(page, student, "overview")
    page.goto(f"/inbox/{Thread.objects.get().pk}/")
    assert "no new messages can be sent" in page.get_by_test_id("blocked-notice").inner_text()
    assert page.get_by_label("Your message").count() == 0
    assert Message.objects.count() == 2
    assert session.status == SessionStatus.SCHEDULED


def test_a_message_with_a_meeting_request_reaches_the_mentors_inbox_with_its_actions(page):
    mentor = MentorFactory(full_name="Grace Mentor", timezone="Europe/London")
    bookable_mentor(mentor, hours=range(24))
    student = StudentFactory(full_name="Lucas Student", timezone="America/New_York")
    give_credits(student, 2)
    day = (timezone.now() + timedelta(days=3)).astimezone(student.tzinfo)

    log_in(page, student, "overview")
    page.goto(f"/mentors/{mentor.pk}/")
    page.get_by_role("link", name="Send a message and request a meeting").click()
    page.get_by_label("Date and time").fill(f"{day:%Y-%m-%d}T11:00")
    page.get_by_label("Topic").fill("Switching careers")
    page.get_by_label("Your message").fill("Hello Grace, I'd love your view on moving into data.")
    page.get_by_role("button", name="Send message and request").click()
    page.wait_for_url("**/inbox/*/**")
    assert "Sent." in page.locator(".alert-success").inner_text()
    assert "Meeting requested" in page.get_by_test_id("flash-event").inner_text()

    log_out(page)
    log_in(page, mentor, "agenda")
    page.goto("/inbox/")
    row = page.get_by_test_id("inbox-row")
    assert "moving into data" in row.inner_text()
    row.get_by_role("link", name="Lucas Student").click()
    event = page.get_by_test_id("flash-event")
    assert "Topic: Switching careers" in event.inner_text()
    assert event.get_by_text("Suggest another time…").count() == 1
    event.get_by_role("button", name="Accept and book").click()
    page.wait_for_url("**/inbox/*/")
    assert "Accepted." in page.locator(".alert-success").inner_text()
    assert "Meeting accepted" in page.get_by_test_id("thread").inner_text()
    assert FlashRequest.objects.get().status == FlashRequest.Status.ACCEPTED
