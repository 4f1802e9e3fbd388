"""The managers' cockpit in Chromium at 1280 x 800: lists fit, times name the student's zone, the dashboard
draws under the Content-Security-Policy, and axe finds nothing serious."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.core.management import call_command

from accounts.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The columns a manager needs on each list, by their header text.
KEY_COLUMNS = {
    "/admin/scheduling/session/": ["When (student's zone)", "Student", "Mentor", "Service", "Status"],
    "/admin/mentorship/studentaccount/": ["Full name", "Email", "Current mentor", "Plan", "At risk"],
    "/admin/credits/ledgerentry/": ["When (student's zone)", "Student", "Kind", "Amount", "Balance after", "By",
                                    "Note"],
}


def serious_violations(page, blocked=None) -> list[str]:
    # Anything the Content-Security-Policy refused, before axe itself adds styles while it measures.
    assert blocked == [] or blocked is None, blocked
    results = Axe().run(page)
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])}× e.g. {v['nodes'][0]['target']})"
            for v in results.response["violations"] if v["impact"] in ("serious", "critical")]


def test_the_cockpit_fits_1280_names_zones_and_passes_axe(page):
    call_command("seed_demo")
    manager = User.objects.get(email="manager@example.com")
    sam = User.objects.get(email="sam@example.com")
    blocked = []

    def on_console(msg):
        if "Content Security Policy" in msg.text:
            blocked.append((page.url, msg.text[:200]))

    page.on("console", on_console)
    page.set_viewport_size({"width": 1280, "height": 800})

    page.goto("/accounts/login/?next=/admin/")
    page.fill("#id_login", manager.email)
    page.fill("#id_password", settings.DEMO_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url("**/admin/")

    # The dashboard: charts are images that actually drew, each with its table and CSV link.
    assert page.get_by_role("heading", name="Programme dashboard — the last 12 weeks").is_visible()
    for chart in ("sessions", "risk", "credits", "mentors"):
        image = page.locator(f"#chart-{chart} img")
        image.scroll_into_view_if_needed()
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
        assert page.locator(f"#chart-{chart} table tbody tr").count() >= 1
        assert page.locator(f"#chart-{chart} a[download]").count() == 1
    page.screenshot(path="/tmp/cockpit-dashboard.png", full_page=True)
    assert serious_violations(page, blocked) == []

    for url, columns in KEY_COLUMNS.items():
        blocked.clear()
        page.goto(url)
        # Neither the page nor the list's own scroller scrolls sideways, and every key column is in view.
        assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth"), url
        assert page.evaluate("(el => el.scrollWidth <= el.clientWidth)(document.querySelector('#changelist .results'))"), url
        right = page.evaluate("document.querySelector('#changelist .results').getBoundingClientRect().right")
        for column in columns:
            header = page.locator("#result_list thead th", has_text=column).first
            box = header.bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= min(right, 1280) + 1, (
                url, column, box)
        page.screenshot(path=f"/tmp/cockpit-{url.strip('/').replace('/', '-')}.png")
        assert serious_violations(page, blocked) == [], url

    # Sessions: upcoming first. The first row is in the future, the rows after the upcoming ones go back in time.
    page.goto("/admin/scheduling/session/")
    stamps = page.locator("#result_list tbody td.field-when time, #result_list tbody th.field-when time")
    instants = [stamps.nth(i).get_attribute("datetime") for i in range(stamps.count())]
    upcoming = [t for t in instants if t > page.evaluate("new Date().toISOString()")]
    assert instants[:len(upcoming)] == sorted(upcoming)
    assert instants[len(upcoming):] == sorted(instants[len(upcoming):], reverse=True)

    # The student page: every session time in Sam's zone, named, with UTC on hover.
    blocked.clear()
    page.goto(f"/admin/mentorship/studentaccount/{sam.pk}/change/")
    times = page.locator("#panel-sessions time")
    assert times.count() > 0
    for i in range(times.count()):
        assert times.nth(i).inner_text().endswith("(America/New_York)")
        assert times.nth(i).get_attribute("title").endswith("UTC")
    assert page.locator("input[type=submit][value='Save']").count() == 0
    assert serious_violations(page, blocked) == []

    # Reassign: choosing a mentor answers, for each upcoming session, whether they can take it (the page's
    # own script, allowed by the CSP) — no round trip to "check availability".
    blocked.clear()
    page.goto(f"/admin/mentorship/studentaccount/{sam.pk}/reassign/")
    cells = page.get_by_test_id("availability")
    assert cells.count() > 0 and cells.first.inner_text() == "Choose a mentor above"
    page.locator('input[name="mentor"]').first.check()
    for i in range(cells.count()):
        answer = cells.nth(i).inner_text()
        assert answer == "Yes" or answer.startswith("No: "), answer
    assert serious_violations(page, blocked) == []
