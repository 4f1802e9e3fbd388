"""Group sessions in Chromium: book a seat, see it, leave in time; a full session's waitlist."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import OutboundEmail
from accounts.services import calendar_token_regenerate
from accounts.tests.factories import PASSWORD, MentorFactory, StudentFactory
from scheduling import services
from scheduling.group_models import GroupSeat, SeatStatus, WaitStatus
from scheduling.tests.group_helpers import give_group_credits, group_balance, schedule

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, user):
    page.goto("/accounts/login/")
    page.fill("#id_login", user.email)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url("**/overview/")


def _three_days_ahead():
    return (timezone.now() + timedelta(days=3)).replace(minute=0, second=0, microsecond=0)


def test_a_student_books_a_seat_sees_it_on_the_overview_and_feed_and_leaves_in_time(page):
    mentor = MentorFactory(full_name="Ada Mentor", timezone="Europe/London")
    group = schedule(mentor, _three_days_ahead(), now=timezone.now(), seats=5, title="Interview practice")
    student = StudentFactory(full_name="Sam Student", timezone="America/New_York")
    give_group_credits(student, 2)
    token = calendar_token_regenerate(user=student)

    log_in(page, student)
    page.get_by_role("link", name="Group sessions", exact=True).click()
    row = page.get_by_test_id("group-row").filter(has_text="Interview practice")
    assert "5 of 5 seats left" in row.inner_text()
    row.get_by_role("link", name="Interview practice").click()
    consequence = page.get_by_test_id("book-consequence").inner_text()
    assert "one group credit" in consequence and "Free cancellation until" in consequence
    page.get_by_role("button", name="Book a seat").click()
    assert "Seat booked!" in page.content()
    assert group_balance(student) == 1

    page.goto("/overview/")
    assert "Interview practice" in page.get_by_test_id("overview-group-seat").inner_text()
    assert "1 group session left in your pack" in page.get_by_test_id("group-credits-headline").inner_text()
    feed = page.request.get(f"/calendar/{token}.ics").text()
    assert f"UID:group-{group.calendar_uid}@" in feed and "STATUS:CONFIRMED" in feed

    page.goto(f"/groups/{group.pk}/")
    page.get_by_role("link", name="Leave this session").click()
    assert "your group credit comes back" in page.get_by_test_id("refund-note").inner_text()
    page.get_by_role("button", name="Cancel my seat").click()
    assert "Your group credit is back" in page.content()
    assert group_balance(student) == 2
    feed = page.request.get(f"/calendar/{token}.ics").text()
    assert f"UID:group-{group.calendar_uid}@" in feed and "STATUS:CANCELLED" in feed


def test_a_full_session_offers_the_waitlist_and_a_cancellation_promotes_the_first_in_line(page):
    mentor = MentorFactory(full_name="Ravi Mentor", timezone="Asia/Kolkata")
    now = timezone.now()
    group = schedule(mentor, _three_days_ahead(), now=now, seats=2, title="System design Q&A")
    holders = [StudentFactory(timezone="UTC") for _ in range(2)]
    for holder in holders:
        give_group_credits(holder, 1)
        services.group_seat_book(group=group, student=holder, actor=holder, now=now)
    student = StudentFactory(full_name="Sam Student", timezone="America/New_York")
    give_group_credits(student, 1)

    log_in(page, student)
    page.goto(f"/groups/{group.pk}/")
    assert "This session is full" in page.get_by_test_id("full").inner_text()
    page.get_by_role("button", name="Join the waitlist").click()
    assert "number 1 on the waitlist" in page.get_by_test_id("my-wait").inner_text()
    assert group_balance(student) == 1

    # One of the holders leaves, more than 24 hours ahead: the seat goes to Sam outright.
    seat = GroupSeat.objects.get(student=holders[0])
    services.group_seat_cancel(seat=seat, actor=holders[0], now=timezone.now())

    page.reload()
    assert "You have a seat" in page.get_by_test_id("my-seat").inner_text()
    assert group_balance(student) == 0
    assert group.waitlist.get(student=student).status == WaitStatus.PROMOTED
    assert GroupSeat.objects.get(student=student, status=SeatStatus.BOOKED).via_waitlist
    email = OutboundEmail.objects.get(kind="group_seat_booked", recipient=student)
    assert email.subject.startswith("You got a seat") and email.ics_method == "REQUEST"


def _serious(page):
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(page).response["violations"]
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in violations
            if v["impact"] in ("serious", "critical")]


def test_group_pages_are_accessible_and_fit_a_390px_phone(page):
    from mentorship.models import Skill

    mentor = MentorFactory(full_name="Ada Mentor", timezone="Europe/London")
    now = timezone.now()
    group = schedule(mentor, _three_days_ahead(), now=now, seats=3, title="Interview practice")
    group.skills.add(Skill.objects.create(name="Python"))
    student = StudentFactory(full_name="Sam Student", timezone="America/New_York")
    give_group_credits(student, 2)
    services.group_seat_book(group=group, student=student, actor=student, now=now)
    page.set_viewport_size({"width": 390, "height": 844})

    log_in(page, student)
    for path in ["/overview/", "/groups/", f"/groups/{group.pk}/", f"/groups/{group.pk}/leave/"]:
        page.goto(path)
        assert _serious(page) == [], path
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path

    page.context.clear_cookies()
    log_in_mentor = page.goto("/accounts/login/")
    assert log_in_mentor.ok
    page.fill("#id_login", mentor.email)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url("**/agenda/")
    for path in ["/groups/", "/groups/new/", f"/groups/{group.pk}/", f"/groups/{group.pk}/cancel/"]:
        page.goto(path)
        assert _serious(page) == [], path
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path
