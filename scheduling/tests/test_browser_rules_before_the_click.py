"""Issue 11 in Chromium: every rule met before the click, as a student or a mentor would."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.tests.factories import PASSWORD, MentorFactory, StudentFactory
from credits.models import AllowanceKind
from mentorship.models import MentorAssignment
from scheduling import services
from scheduling.models import Session, SessionStatus
from scheduling.tests.helpers import balance, bookable_mentor, give_credits

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, user, home="**/overview/"):
    page.goto("/accounts/login/")
    page.fill("#id_login", user.email)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(home)


def log_out(page):
    page.context.clear_cookies()


def _people(student_plan=None):
    mentor = MentorFactory(full_name="Ada Mentor", timezone="UTC")
    service = bookable_mentor(mentor, hours=range(0, 24))
    student = StudentFactory(full_name="Sam Student", timezone="UTC")
    if student_plan is None:
        give_credits(student, 4)
    else:
        give_credits(student, **student_plan)
    MentorAssignment.objects.create(student=student, mentor=mentor, started_at=timezone.now(), reason="demo")
    return student, mentor, service


def test_a_slot_3_hours_ahead_warns_on_the_picker_and_the_confirm_page_never_shows_a_past_deadline(page):
    student, mentor, service = _people()
    log_in(page, student)
    page.goto(f"/book/{mentor.pk}/{service.pk}/")
    # The top of the hour between 3 and 4 hours from now.
    soon = (timezone.now() + timedelta(hours=4)).replace(minute=0, second=0, microsecond=0)
    slot = page.locator(f'a[data-start="{soon.isoformat()}"]')
    assert "can't be cancelled for free" in slot.get_attribute("title")
    assert "can't be cancelled for free" in page.get_by_test_id("late-note").first.inner_text()
    slot.click()
    deadline = page.get_by_test_id("confirm-deadline").inner_text()
    assert deadline.startswith("Starts in 3 h") or deadline.startswith("Starts in 2 h")  # 2 h only at an hour's turn
    assert "until" not in deadline
    assert "forfeits the credit" in page.get_by_test_id("late-warning").inner_text()
    page.get_by_role("button", name="Book — no free cancellation").click()
    page.wait_for_url("**/sessions/*/")
    assert page.get_by_test_id("deadline").inner_text().startswith("Starts in")
    assert "Free cancellation until" not in page.content()
    assert page.get_by_test_id("add-to-calendar").is_visible()
    assert balance(student) == 3


def test_a_capped_student_sees_the_reason_on_the_overview_and_the_slot_page_and_no_active_book(page):
    student, mentor, service = _people({"sessions": 4, "kind": AllowanceKind.MONTHLY, "max_upcoming": 1})
    services.booking_create(student=student, mentor=mentor, service=service,
                            starts_at=(timezone.now() + timedelta(days=3)).replace(minute=0, second=0, microsecond=0),
                            actor=student, now=timezone.now())
    log_in(page, student)
    reason = "Your plan lets you hold 1 upcoming session at a time, and you have it booked."
    assert reason in page.get_by_test_id("booking-blocked").inner_text()
    assert page.get_by_role("link", name="Book a session").count() == 0
    page.goto(f"/book/{mentor.pk}/{service.pk}/")
    assert reason in page.get_by_test_id("booking-blocked").inner_text()
    assert page.locator("a[data-start]").count() == 0
    later = (timezone.now() + timedelta(days=4)).replace(minute=0, second=0, microsecond=0)
    page.goto(f"/book/{mentor.pk}/{service.pk}/confirm/?start={later.isoformat().replace('+', '%2B')}")
    assert reason in page.get_by_test_id("booking-blocked").inner_text()
    assert page.get_by_role("button", name="Book").count() == 0


def test_time_off_over_a_booked_session_asks_and_does_what_was_chosen(page):
    student, mentor, service = _people()
    starts = (timezone.now() + timedelta(days=3)).replace(hour=10, minute=0, second=0, microsecond=0)
    kept = services.booking_create(student=student, mentor=mentor, service=service, starts_at=starts,
                                   actor=student, now=timezone.now())
    cancelled = services.booking_create(student=student, mentor=mentor, service=service,
                                        starts_at=starts + timedelta(hours=3), actor=student, now=timezone.now())
    log_in(page, mentor, home="**/agenda/")
    page.goto("/settings/time-off/")
    day = starts.date().isoformat()
    page.fill("#id_starts_on", day)
    page.fill("#id_ends_on", day)
    page.get_by_role("button", name="Add time off").click()
    assert page.get_by_test_id("inside-session").count() == 2
    assert "Nothing is saved until you choose" in page.get_by_test_id("sessions-inside").inner_text()
    assert not mentor.time_off.exists()
    page.check(f"#keep-{kept.pk}")
    page.check(f"#cancel-{cancelled.pk}")
    page.fill("#id_cancel_reason", "A family matter")
    page.get_by_role("button", name="Save time off and apply my choices").click()
    page.wait_for_url("**/settings/time-off/")
    assert "Cancelled 1 session" in page.content() and "Kept 1 session" in page.content()
    assert Session.objects.get(pk=kept.pk).status == SessionStatus.SCHEDULED
    assert Session.objects.get(pk=cancelled.pk).status == SessionStatus.CANCELLED
    assert balance(student) == 3


def test_an_override_adds_bookable_slots_on_that_date_only(page):
    mentor = MentorFactory(full_name="Ada Mentor", timezone="UTC")
    service = bookable_mentor(mentor, hours=range(9, 11))
    student = StudentFactory(full_name="Sam Student", timezone="UTC")
    give_credits(student, 4)
    day = (timezone.now() + timedelta(days=5)).date()
    log_in(page, mentor, home="**/agenda/")
    page.goto("/settings/availability/")
    form = page.get_by_test_id("override-form")
    form.locator("#id_date").fill(day.isoformat())
    form.locator("#id_from_hour").select_option("18")
    form.locator("#id_until_hour").select_option("20")
    form.get_by_role("button", name="Save hours for this date").click()
    assert "18:00–20:00" in page.get_by_test_id("date-overrides").inner_text()
    log_out(page)
    log_in(page, student)
    page.goto(f"/book/{mentor.pk}/{service.pk}/?week={day.isoformat()}")  # the slot picker shows a week
    evening = [a.get_attribute("data-start") for a in page.locator("a[data-start]").all()
               if "T18:" in a.get_attribute("data-start") or "T19:" in a.get_attribute("data-start")]
    assert evening and all(start.startswith(day.isoformat()) for start in evening)
    # The override replaces that date's weekly hours: no 09:00 on that date.
    assert page.locator(f'a[data-start="{day.isoformat()}T09:00:00+00:00"]').count() == 0


def test_a_mentors_proposal_accepted_by_the_student_moves_the_session_with_the_credit_kept(page):
    student, mentor, service = _people()
    starts = (timezone.now() + timedelta(days=3)).replace(hour=10, minute=0, second=0, microsecond=0)
    session = services.booking_create(student=student, mentor=mentor, service=service, starts_at=starts,
                                      actor=student, now=timezone.now())
    log_in(page, mentor, home="**/agenda/")
    page.goto(f"/sessions/{session.pk}/")
    page.get_by_role("link", name="Propose a new time").click()
    new_start = starts + timedelta(hours=4)
    page.locator(f'a[data-start="{new_start.isoformat()}"]').click()
    page.fill("#id_note", "A clash came up")
    page.get_by_role("button", name="Send the proposal").click()
    page.wait_for_url(f"**/sessions/{session.pk}/")
    assert page.get_by_test_id("my-proposal").is_visible()
    log_out(page)
    log_in(page, student)
    assert "Ada Mentor proposes moving your session" in page.get_by_test_id("proposal").inner_text()
    page.get_by_role("button", name="Accept the new time").click()
    page.wait_for_url(f"**/sessions/{session.pk}/")
    assert "the session moved to the new time" in page.content()
    session.refresh_from_db()
    assert session.starts_at == new_start and session.calendar_sequence == 1
    assert balance(student) == 3
