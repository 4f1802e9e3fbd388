import re

import pytest
from django.core import mail

from accounts.tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_visitor_signs_up_confirms_the_email_and_logs_in(page, live_server, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    page.goto("/accounts/signup/")
    # The browser runs in New York: the zone is preselected from it.
    assert page.locator("#id_timezone").input_value() == "America/New_York"
    page.fill("#id_email", "browser.student@example.com")
    page.fill("#id_full_name", "Bea Browser")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.get_by_role("button", name="Sign Up").click()
    page.wait_for_url("**/accounts/confirm-email/")

    link = re.search(r"http://[^\s]+/accounts/confirm-email/[^\s]+/", mail.outbox[-1].body).group(0)
    page.goto(link)
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url("**/accounts/login/")

    page.fill("#id_login", "browser.student@example.com")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url("**/overview/")
    assert page.get_by_role("heading", name="Hello, Bea").is_visible()
    assert page.get_by_test_id("user-timezone").inner_text() == "America/New_York"
