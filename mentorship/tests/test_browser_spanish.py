"""The grid's and the time-zone picker's script words in Spanish, in a real Chromium (gettext from the catalog)."""

import pytest
from django.urls import reverse

from accounts.tests.factories import PASSWORD
from mentorship import weekgrid

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, user):
    page.goto(reverse("account_login"))
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/overview/")


def test_a_spanish_speaker_paints_the_grid_and_searches_zones_in_spanish(student, page):
    # `student` before `page`: see test_browser_grid.
    student.language = "es"
    student.save(update_fields=["language"])
    log_in(page, student)
    page.goto(reverse("mentorship:availability"))
    words = page.locator("[data-grid-plural]")
    assert words.inner_text() == "horas a la semana seleccionadas."
    page.locator(f'td.grid-cell[data-index="{weekgrid.cell_index(0, 9)}"]').click()
    assert page.get_by_test_id("hours-selected").inner_text() == "1"
    assert words.inner_text() == "hora a la semana seleccionada."  # ngettext's singular, from the catalog
    page.locator(f'td.grid-cell[data-index="{weekgrid.cell_index(1, 9)}"]').click()
    assert words.inner_text() == "horas a la semana seleccionadas."
    assert page.get_by_text("Todavía sin guardar.").is_visible()

    page.goto(reverse("accounts:settings-profile"))
    picker = page.locator("#id_timezone")
    assert picker.locator("option").first.inner_text().endswith("— la zona de este dispositivo")
    search = page.get_by_label("Buscar zonas horarias")
    assert search.get_attribute("placeholder") == "Escribe una ciudad, región o país"
    search.fill("kolkata")
    assert page.get_by_text("1 zona coincide.").is_visible()
    search.fill("argentina")
    assert page.get_by_text("zonas coinciden.").is_visible()
