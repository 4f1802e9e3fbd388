"""A student books, cancels in time, books again inside 24 hours and forfeits — in Chromium."""

from datetime import date, timedelta

import pytest

from accounts.tests.factories import PASSWORD, MentorFactory, StudentFactory
from scheduling.models import Session, SessionStatus
from scheduling.tests.helpers import balance, bookable_mentor, give_credits

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, user):
    page.goto("/accounts/login/")
    page.fill("#id_login", user.email)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url("**/overview/")


def test_book_cancel_in_time_then_book_inside_24_hours_and_forfeit(page):
    mentor = MentorFactory(full_name="Ada Mentor", timezone="Europe/London")
    service = bookable_mentor(mentor, hours=range(0, 24))
    student = StudentFactory(full_name="Sam Student", timezone="America/New_York")
    give_credits(student, 4)

    log_in(page, student)
    # A week whose Monday is days away: comfortably outside the 24-hour window.
    page.goto(f"/book/{mentor.pk}/{service.pk}/?week={(date.today() + timedelta(days=9)).isoformat()}")
    page.locator('.slot-days a[data-within-24h="false"]').first.click()
    assert "your time. After that, cancelling or missing it forfeits the credit." in page.get_by_test_id(
        "confirm-deadline").inner_text()
    page.get_by_role("button", name="Book").click()
    page.wait_for_url("**/sessions/*/")
    assert "Booked!" in page.content()
    assert page.get_by_test_id("deadline").inner_text().startswith("Free cancellation until")
    assert balance(student) == 3

    page.get_by_role("link", name="Cancel session").click()
    assert "your credit comes back" in page.get_by_test_id("refund-note").inner_text()
    page.get_by_role("button", name="Cancel session").click()
    page.wait_for_url("**/sessions/*/")
    assert "Your credit is back" in page.content()
    assert balance(student) == 4

    # Book again, this time the earliest slot: a few hours away, inside 24 h.
    page.goto(f"/book/{mentor.pk}/{service.pk}/")
    page.locator(".slot-days a").first.click()
    page.get_by_role("button", name="Book").click()
    page.wait_for_url("**/sessions/*/")
    assert balance(student) == 3
    page.get_by_role("link", name="Cancel session").click()
    warning = page.get_by_test_id("forfeit-warning").inner_text()
    assert "This session will be forfeited and the credit will not come back." in warning
    page.get_by_role("button", name="Cancel and forfeit").click()
    page.wait_for_url("**/sessions/*/")
    assert "forfeited" in page.content()
    assert balance(student) == 3
    assert sorted(Session.objects.values_list("status", flat=True)) == [SessionStatus.CANCELLED,
                                                                        SessionStatus.FORFEITED]
