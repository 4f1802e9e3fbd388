"""A student paints their week by dragging in a real Chromium, saves, reloads, sees the same hours."""

import time

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


def test_a_week_of_hours_is_set_and_saved_with_the_keyboard_alone_in_under_40_key_presses(student, page):
    log_in(page, student)
    page.goto(reverse("mentorship:availability"))
    presses = []

    def press(key, times=1):
        for _ in range(times):
            page.keyboard.press(key)
            presses.append(key)

    def grid_has_focus():
        return page.evaluate("document.activeElement.getAttribute('role') === 'gridcell'")

    press("Tab")  # the skip link
    press("Enter")
    while not grid_has_focus():
        press("Tab")
        assert len(presses) < 20, "the grid is not reachable by Tab"
    # The whole grid is one Tab stop; Monday 00:00 holds it.
    assert page.locator('td[role="gridcell"][tabindex="0"]').count() == 1
    # Monday to Friday, 09:00-17:00: down to 09:00, Space, then stretch 8 hours down and 4 days right.
    press("ArrowDown", 9)
    press("Space")
    press("Shift+ArrowDown", 7)
    press("Shift+ArrowRight", 4)
    assert page.get_by_test_id("hours-selected").inner_text() == "40"
    # Stretching back shrinks the block (Friday goes), stretching again brings it back.
    press("Shift+ArrowLeft")
    assert page.get_by_test_id("hours-selected").inner_text() == "32"
    press("Shift+ArrowRight")
    assert page.get_by_test_id("hours-selected").inner_text() == "40"
    assert page.locator('td[aria-selected="true"]').count() == 40
    press("Tab")  # out of the grid, to Save
    with page.expect_navigation():
        press("Enter")
    page.get_by_text("Saved: 40 hours a week.").wait_for()
    assert len(presses) < 40, presses
    expected = sorted(weekgrid.cell_index(day, hour) for day in range(5) for hour in range(9, 17))
    assert saved_indices(student) == expected


def test_home_end_and_space_on_the_grid_toggle_single_hours(student, page):
    log_in(page, student)
    page.goto(reverse("mentorship:availability"))
    page.locator('td[role="gridcell"][tabindex="0"]').focus()
    page.keyboard.press("End")      # Sunday 00:00
    page.keyboard.press("Space")
    page.keyboard.press("Control+End")  # Sunday 23:00
    page.keyboard.press("Space")
    page.keyboard.press("Home")     # Monday 23:00
    page.keyboard.press("Space")
    page.keyboard.press("Space")    # and off again
    assert page.get_by_test_id("hours-selected").inner_text() == "2"
    assert page.get_by_text("Not saved yet.").is_visible()
    with page.expect_event("dialog") as leaving:
        page.close(run_before_unload=True)
    assert leaving.value.type == "beforeunload"
    leaving.value.dismiss()


def touch_drag(cdp, x, y, *, dx, dy, steps=10):
    """A real finger, through Chromium's input pipeline: down, moved in steps, up."""
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
    for step in range(1, steps + 1):
        time.sleep(0.02)  # a finger's pace (about a frame a move), so a busy renderer sees every move
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [
            {"x": x + dx * step / steps, "y": y + dy * step / steps}]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


def test_a_swipe_on_a_touch_screen_scrolls_the_grid_and_changes_nothing(student, page, live_server):
    context = page.context.browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True,
        timezone_id="America/New_York",
    )
    phone = context.new_page()
    phone.set_default_timeout(10_000)
    phone.goto(reverse("account_login"))
    phone.fill("input[name=login]", student.email)
    phone.fill("input[name=password]", PASSWORD)
    phone.click("button[type=submit]")
    phone.wait_for_url("**/overview/")
    phone.goto(reverse("mentorship:availability"))
    cell = phone.locator(f'td.grid-cell[data-index="{weekgrid.cell_index(2, 8)}"]')
    cell.scroll_into_view_if_needed()
    box = cell.bounding_box()
    before = phone.evaluate("window.scrollY")
    assert before > 300
    cdp = context.new_cdp_session(phone)
    # A finger on Wednesday 08:00 sweeps down and sideways across the grid.
    touch_drag(cdp, box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, dx=40, dy=300)
    assert phone.evaluate("window.scrollY") < before - 100  # the page scrolled
    assert phone.get_by_test_id("hours-selected").inner_text() == "0"
    assert phone.locator("input.grid-check:checked").count() == 0
    assert phone.locator("td.grid-cell.is-on").count() == 0

    # A tap changes one hour; with "Paint by swiping" on, a swipe paints instead of scrolling.
    cell = phone.locator(f'td.grid-cell[data-index="{weekgrid.cell_index(3, 12)}"]')
    cell.tap()
    assert phone.get_by_test_id("hours-selected").inner_text() == "1"
    phone.get_by_role("button", name="Paint by swiping").tap()
    assert phone.get_by_role("button", name="Paint by swiping").get_attribute("aria-pressed") == "true"
    phone.locator(f'td.grid-cell[data-index="{weekgrid.cell_index(3, 18)}"]').scroll_into_view_if_needed()
    # Settled: a touch during a fling would only stop it, and the cell must not move under the finger.
    # Wait until the page stops scrolling (on a loaded machine 500 ms is not always enough).
    phone.wait_for_function("""() => new Promise(done => {
        let last = window.scrollY;
        const check = () => { if (window.scrollY === last) { done(true); } else { last = window.scrollY; setTimeout(check, 250); } };
        setTimeout(check, 250);
    })""")
    first = phone.locator(f'td.grid-cell[data-index="{weekgrid.cell_index(3, 14)}"]').bounding_box()
    x, y = first["x"] + first["width"] / 2, first["y"] + first["height"] / 2
    dy = first["height"] * 3
    # The cells under the finger where it lands and where it lifts, read from the page itself, so a
    # late scroll on a loaded machine can't make the test expect the wrong hours.
    under = "([x, y]) => Number(document.elementFromPoint(x, y).closest('td.grid-cell').dataset.index)"
    start_cell = phone.evaluate(under, [x, y])
    # Two frames, so the compositor has the grid's new touch-action (paint mode) before the finger lands.
    phone.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
    touch_drag(cdp, x, y, dx=0, dy=dy)
    # Painting, not scrolling: had the page followed the finger, it would have painted at most the
    # first cell. The run painted starts under the finger and goes down Thursday's column; where it
    # ends depends on the row heights, so it is read back rather than assumed.
    painted = sorted(phone.eval_on_selector_all("input.grid-check:checked", "els => els.map(e => Number(e.value))"))
    tapped = weekgrid.cell_index(3, 12)
    swept = [cell for cell in painted if cell != tapped]
    assert tapped in painted
    assert len(swept) >= 3 and swept[0] == start_cell and swept == list(range(start_cell, start_cell + len(swept)))
    assert all(cell < weekgrid.cell_index(4, 0) for cell in swept)  # all on Thursday
    assert phone.get_by_test_id("hours-selected").inner_text() == str(len(painted))
    context.close()


def test_without_javascript_the_grid_is_a_form_of_checkboxes(student, page, live_server):
    context = page.context.browser.new_context(base_url=live_server.url, java_script_enabled=False)
    plain = context.new_page()
    plain.goto(reverse("account_login"))
    plain.fill("input[name=login]", student.email)
    plain.fill("input[name=password]", PASSWORD)
    plain.click("button[type=submit]")
    plain.wait_for_url("**/overview/")
    plain.goto(reverse("mentorship:availability"))
    assert plain.locator('[role="grid"]').count() == 0
    box = plain.locator(f'input.grid-check[value="{weekgrid.cell_index(1, 8)}"]')
    box.focus()
    plain.keyboard.press("Space")
    plain.get_by_test_id("save-grid").click()
    plain.wait_for_url("**/settings/availability/")
    context.close()
    assert saved_indices(student) == [weekgrid.cell_index(1, 8)]
