"""A student and a success manager use credits through a real browser."""

import pytest
from django.core import mail
from django.utils import timezone

from accounts.tests.factories import PASSWORD, ManagerFactory, StudentFactory
from credits import services
from credits.models import CreditAccount
from credits.tests.factories import MonthlyPlanFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, email):
    page.goto("/accounts/login/")
    page.fill("#id_login", email)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign In").click()


def test_a_student_sees_the_card_reads_the_history_and_asks_for_more(page, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    manager = ManagerFactory(email="maya@example.com")
    student = StudentFactory(email="bea@example.com", full_name="Bea Browser", timezone="America/New_York")
    services.enrolment_start(student=student, plan=MonthlyPlanFactory(name="Monthly 4", sessions=4), actor=manager,
                             now=timezone.now())
    services.credits_consume(student=student, session_id=1, actor=student, now=timezone.now())

    log_in(page, student.email)
    page.wait_for_url("**/overview/")
    card = page.get_by_test_id("credits-card")
    assert "3 of 4 sessions left this month" in card.inner_text()
    assert "Resets on 1 " in card.inner_text()

    page.get_by_role("link", name="Credits", exact=True).click()
    page.wait_for_url("**/credits/")
    history = page.get_by_test_id("credit-history")
    assert history.locator("tr[data-kind=consume]").count() == 1
    assert history.locator("tr[data-kind=grant]").count() == 1

    page.fill("#id_message", "Interview next week")
    page.get_by_role("button", name="Ask for more sessions").click()
    page.wait_for_url("**/credits/")
    assert "your success manager has your request" in page.locator(".messages").inner_text()
    assert page.get_by_test_id("request-pending").is_visible()
    assert [m.to for m in mail.outbox] == [["maya@example.com"]]


def test_a_success_manager_tops_up_with_a_reason(page):
    manager = ManagerFactory(email="maya@example.com")
    student = StudentFactory(email="bea@example.com", full_name="Bea Browser")
    services.enrolment_start(student=student, plan=MonthlyPlanFactory(sessions=2), actor=manager, now=timezone.now())
    account = CreditAccount.objects.get(student=student)

    log_in(page, manager.email)
    page.goto(f"/admin/credits/creditaccount/{account.pk}/change/")
    page.get_by_role("link", name="Grant, top up or adjust credits").click()
    page.get_by_label("Top-up — add credits (e.g. a purchased pack)").check()
    page.fill("#id_amount", "-3")
    page.fill("#id_reason", "bought more")
    page.get_by_role("button", name="Save credit change").click()
    assert "enter a positive number" in page.content()
    page.fill("#id_amount", "3")
    page.fill("#id_reason", "bought 3 more")
    page.get_by_role("button", name="Save credit change").click()
    page.wait_for_url(f"**/admin/credits/creditaccount/{account.pk}/change/")
    assert "the balance is now 5" in page.content()
    account.refresh_from_db()
    assert account.balance == 5
