"""The time-zone picker in a real Chromium: the browser's zone first, a search that narrows the list,
and the navigation saying where you are."""

import pytest

from accounts.tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_zone_picker_offers_the_browser_zone_first_and_finds_a_zone_by_country(student, page):
    student.timezone = "Europe/London"
    student.save(update_fields=["timezone"])
    page.goto("/accounts/login/")
    page.fill("#id_login", student.email)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url("**/overview/")
    page.goto("/settings/")
    # The navigation marks where you are.
    assert page.get_by_role("link", name="Settings", exact=True).get_attribute("aria-current") == "page"
    assert page.locator('nav[aria-label="Settings sections"] [aria-current="page"]').inner_text() == "Profile & time zone"

    picker = page.locator("#id_timezone")
    # The browser runs in New York: that zone comes first; the saved choice stays selected.
    assert picker.locator("option").first.inner_text().startswith("America/New York")
    assert "this device's zone" in picker.locator("option").first.inner_text()
    assert picker.input_value() == "Europe/London"

    search = page.get_by_label("Search time zones")
    search.fill("japan")  # by country
    assert picker.locator("option").all_inner_texts() == ["Asia/Tokyo · Japan"]
    search.fill("kolkata")  # by city
    assert picker.locator("option").all_inner_texts() == ["Asia/Kolkata · India"]
    assert picker.input_value() == "Asia/Kolkata"
    assert page.get_by_text("1 zone matches.").is_visible()
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/settings/")
    assert page.get_by_test_id("user-timezone").inner_text() == "Asia/Kolkata"
