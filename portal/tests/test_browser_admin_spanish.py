"""A Spanish-speaking success manager in Chromium: the dashboard and the reassign page in Spanish, including
the words the reassign page's own script writes (from the JavaScript catalog)."""

import pytest
from django.conf import settings
from django.core.management import call_command

from accounts.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_spanish_manager_reads_the_dashboard_and_the_reassign_script_in_spanish(page):
    call_command("seed_demo")
    User.objects.filter(email="manager@example.com").update(language="es")
    sam = User.objects.get(email="sam@example.com")
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto("/accounts/login/?next=/admin/")
    page.fill("#id_login", "manager@example.com")
    page.fill("#id_password", settings.DEMO_PASSWORD)
    page.get_by_role("button", name="Sign In").click()  # the login page follows the (English) browser
    page.wait_for_url(lambda url: url.endswith("/admin/") and "login" not in url)

    assert page.locator("html").get_attribute("lang") == "es"
    assert page.get_by_role("heading", name="Panel del programa — las últimas 12 semanas").is_visible()

    page.goto(f"/admin/mentorship/studentaccount/{sam.pk}/reassign/")
    cells = page.get_by_test_id("availability")
    assert cells.count() > 0 and cells.first.inner_text() == "Elige un mentor arriba"
    page.locator('input[name="mentor"]').first.check()
    for i in range(cells.count()):
        answer = cells.nth(i).inner_text()
        assert answer == "Sí" or answer.startswith("No: "), answer
    assert errors == []
