"""A student paints their week by dragging in a real Chromium, saves, reloads, sees the same hours."""

import pytest
from django.db import connection
from django.urls import reverse

from accounts.tests.factories import PASSWORD
from mentorship import weekgrid
from mentorship.models import AvailabilityGrid

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# `student` comes before `page` in each signature: the database fixture is then
# set up before the live server and torn down after it, so the server thread's
# connection is gone when the test database is dropped.


def saved_indices(user) -> list[int]:
    """Read the saved grid from the database.

    Inside Playwright's running event loop Django hands this thread a
    connection of its own (asgiref context), which the test-database teardown
    would not know about: close it here.
    """
    try:
        return weekgrid.selected_indices(AvailabilityGrid.objects.get(user=user).cells)
    finally:
        connection.close()


def log_in(page, user):
    page.goto(reverse("account_login"))
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/overview/")


def cell(page, index):
    return page.locator(f'td.grid-cell[data-index="{index}"]')


def drag(page, start_index, end_index):
    cell(page, end_index).scroll_into_view_if_needed()
    cell(page, start_index).scroll_into_view_if_needed()
    first, last = cell(page, start_index).bounding_box(), cell(page, end_index).bounding_box()
    page.mouse.move(first["x"] + first["width"] / 2, first["y"] + first["height"] / 2)
    page.mouse.down()
    page.mouse.move(last["x"] + last["width"] / 2, last["y"] + last["height"] / 2, steps=12)
    page.mouse.up()


def test_student_drags_across_the_grid_saves_reloads_and_sees_the_same_hours(student, page):
    log_in(page, student)
    page.goto(reverse("mentorship:availability"))
    # Monday 09:00 down to Monday 12:00 (one column, four rows).
    drag(page, weekgrid.cell_index(0, 9), weekgrid.cell_index(0, 12))
    # Then Wednesday 14:00 across to Friday 14:00 (one row, three columns).
    drag(page, weekgrid.cell_index(2, 14), weekgrid.cell_index(4, 14))
    assert page.get_by_test_id("hours-selected").inner_text() == "7"
    # Erase by dragging again over painted cells: Monday 11:00–12:00.
    drag(page, weekgrid.cell_index(0, 11), weekgrid.cell_index(0, 12))
    assert page.get_by_test_id("hours-selected").inner_text() == "5"
    page.get_by_test_id("save-grid").click()
    page.wait_for_url("**/settings/availability/")
    assert "Saved: 5 hours a week." in page.content()

    expected = [weekgrid.cell_index(0, 9), weekgrid.cell_index(0, 10), weekgrid.cell_index(2, 14),
                weekgrid.cell_index(3, 14), weekgrid.cell_index(4, 14)]
    page.reload()
    checked = page.eval_on_selector_all("input.grid-check:checked", "els => els.map(e => Number(e.value))")
    assert sorted(checked) == sorted(expected)
    assert page.locator("td.grid-cell.is-on").count() == 5
    assert page.get_by_test_id("hours-selected").inner_text() == "5"
    assert saved_indices(student) == sorted(expected)


def test_keyboard_space_toggles_a_focused_cell(student, page):
    log_in(page, student)
    page.goto(reverse("mentorship:availability"))
    box = page.locator(f'input.grid-check[value="{weekgrid.cell_index(1, 8)}"]')
    box.focus()
    page.keyboard.press("Space")
    assert page.get_by_test_id("hours-selected").inner_text() == "1"
    page.get_by_test_id("save-grid").click()
    page.wait_for_url("**/settings/availability/")
    assert saved_indices(student) == [weekgrid.cell_index(1, 8)]
