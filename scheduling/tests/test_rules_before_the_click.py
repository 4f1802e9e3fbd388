"""Issue 11's rules, as services and selectors decide them, with frozen time:
the one wording of the 24-hour rule (at the boundary and across a DST change),
the booking allowance shared by booking and flash requests, date overrides in
slot search, time off over booked sessions, mentor-proposed reschedules, and a
session's life (no-show after 10 minutes, feedback asked once)."""

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest

from accounts.models import OutboundEmail
from accounts.tests.factories import MentorFactory, StudentFactory
from credits.models import AllowanceKind, LedgerEntry
from mentorship.services import date_override_save
from scheduling import flash, services
from scheduling.allowance import booking_outlook
from scheduling.errors import (
    BookingNotAllowed,
    IllegalTransition,
    NotYourSession,
    SchedulingError,
)
from scheduling.flash import FlashError
from scheduling.models import RescheduleProposal, Session, SessionEvent, SessionStatus
from scheduling.selectors import free_slot_starts, slots_by_day, student_sessions
from scheduling.tests.helpers import HOUR, at, balance, bookable_mentor, give_credits
from scheduling.wording import cancellation_terms, phase

pytestmark = pytest.mark.django_db
SECOND = timedelta(seconds=1)
LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")

# --- the one wording of the 24-hour rule ---------------------------------------------


def test_exactly_24_hours_before_is_still_free_and_names_the_deadline():
    start = at("2027-01-12 15:00")
    terms = cancellation_terms(start, now=start - timedelta(hours=24), tz=LONDON)
    assert terms.is_free and terms.short == ""
    assert terms.text == ("Free cancellation until Mon 11 Jan, 15:00 your time. "
                          "After that, cancelling or missing it forfeits the credit.")


def test_one_second_inside_24_hours_never_shows_a_deadline_in_the_past():
    start = at("2027-01-12 15:00")
    terms = cancellation_terms(start, now=start - timedelta(hours=24) + SECOND, tz=LONDON)
    assert terms.is_late
    assert "until" not in terms.text and "Mon 11 Jan" not in terms.text
    assert terms.text == ("Starts in 23 h, so there is no free cancellation: "
                          "cancelling or missing it forfeits the credit.")
    assert terms.short == "starts in 23 h — can't be cancelled for free"


def test_a_slot_three_hours_ahead_says_it_starts_in_3_h():
    start = at("2027-01-12 15:00")
    assert cancellation_terms(start, now=start - 3 * HOUR, tz=LONDON).short == (
        "starts in 3 h — can't be cancelled for free")
    assert cancellation_terms(start, now=start - timedelta(minutes=45), tz=LONDON).short.startswith("starts in 45 min")


def test_after_the_start_there_is_no_cancellation_wording_at_all():
    start = at("2027-01-12 15:00")
    terms = cancellation_terms(start, now=start, tz=LONDON)
    assert terms.kind == "started" and terms.text == "" and terms.short == ""


def test_across_the_spring_forward_the_deadline_is_24_real_hours_not_one_wall_clock_day():
    # New York springs forward on Sunday 14 March 2027 at 02:00. For a session
    # on Monday 15 March at 10:00 EDT (14:00 UTC), free cancellation ends 24
    # real hours earlier: 14:00 UTC on Sunday, which New York's clock (already
    # on EDT) reads as 10:00. One second later the wording says how soon it starts.
    start = at("2027-03-15 14:00")  # Mon 10:00 EDT
    free = cancellation_terms(start, now=at("2027-03-14 14:00"), tz=NEW_YORK)
    assert free.is_free and "until Sun 14 Mar, 10:00 your time" in free.text
    late = cancellation_terms(start, now=at("2027-03-14 14:00") + SECOND, tz=NEW_YORK)
    assert late.is_late and "Starts in 23 h" in late.text
    # The same instant read in London (still on GMT) shows London's clock.
    assert "until Sun 14 Mar, 14:00" in cancellation_terms(start, now=at("2027-03-13 12:00"), tz=LONDON).text


def test_the_slot_picker_marks_only_slots_inside_24_hours(student_with_mentor):
    student, mentor, service = student_with_mentor
    now = at("2027-01-11 09:00")
    starts = free_slot_starts(mentor=mentor, duration=service.duration, now=now, student=student)
    days = slots_by_day(starts=starts, duration=service.duration, viewer=student, now=now)
    slots = [slot for day in days.values() for slot in day]
    late = [s for s in slots if s.late_note]
    assert late and all(s.starts_at - now < timedelta(hours=24) for s in late)
    assert all(s.starts_at - now >= timedelta(hours=24) for s in slots if not s.late_note)
    assert late[0].late_note == "starts in 2 h — can't be cancelled for free"


@pytest.fixture
def student_with_mentor():
    mentor = MentorFactory(full_name="Ada Mentor", timezone="Europe/London")
    service = bookable_mentor(mentor, hours=range(9, 17))
    student = StudentFactory(full_name="Sam Student", timezone="Europe/London")
    give_credits(student, 4, now=at("2027-01-01 00:00"))
    return student, mentor, service


# --- one allowance, before the click and at every booking --------------------------


def test_a_capped_student_is_told_before_choosing_and_booking_refuses_with_the_same_words(student_with_mentor):
    _, mentor, service = student_with_mentor
    student = StudentFactory()
    now = at("2027-01-10 12:00")
    give_credits(student, 4, kind=AllowanceKind.MONTHLY, max_upcoming=1, now=now)
    services.booking_create(student=student, mentor=mentor, service=service, starts_at=at("2027-01-12 10:00"),
                            actor=student, now=now)
    outlook = booking_outlook(student, now=now)
    assert not outlook.can_book and outlook.kind == "cap"
    assert outlook.reason == "Your plan lets you hold 1 upcoming session at a time, and you have it booked."
    assert "cancel one" in outlook.advice
    with pytest.raises(BookingNotAllowed) as refused:
        services.booking_create(student=student, mentor=mentor, service=service, starts_at=at("2027-01-13 10:00"),
                                actor=student, now=now)
    assert refused.value.message == outlook.message


def test_a_plan_without_one_to_one_sessions_is_explained_up_front():
    student = StudentFactory()
    give_credits(student, 0, kind=AllowanceKind.MONTHLY, now=at("2027-01-10 12:00"))
    outlook = booking_outlook(student, now=at("2027-01-10 12:00"))
    assert not outlook.can_book and outlook.kind == "no_credits"
    assert "doesn't include one-to-one sessions" in outlook.reason
    assert outlook.action_label == "Your credits"


def test_a_weekly_series_says_how_many_weeks_fit_the_cap_and_the_credits():
    student = StudentFactory()
    give_credits(student, 3, max_upcoming=2, now=at("2027-01-10 12:00"))
    outlook = booking_outlook(student, now=at("2027-01-10 12:00"))
    assert outlook.room == 2
    assert outlook.weeks_note(4) == ("Up to 2 weeks fit: you have 3 credits left and your plan holds 2 upcoming "
                                     "at a time and you have 0.")
    assert outlook.weeks_note(2) == ""


# --- flash requests check the same allowance when asked, countered and accepted -----


@pytest.fixture
def capped_flash():
    mentor = MentorFactory(full_name="Ada Mentor", timezone="Europe/London")
    service = bookable_mentor(mentor, hours=range(9, 17))
    student = StudentFactory(full_name="Sam Student", timezone="Europe/London")
    now = at("2027-03-10 12:00")
    give_credits(student, 4, max_upcoming=1, now=now)
    return student, mentor, service, now


def test_a_flash_request_is_refused_when_asked_if_the_cap_is_reached(capped_flash):
    student, mentor, service, now = capped_flash
    services.booking_create(student=student, mentor=mentor, service=service, starts_at=at("2027-03-11 10:00"),
                            actor=student, now=now)
    with pytest.raises(FlashError) as refused:
        flash.flash_request_create(student=student, mentor=mentor, service=service, starts_at=at("2027-03-12 19:00"),
                                   topic="API review", message="", now=now)
    assert refused.value.message == booking_outlook(student, now=now).message


def test_a_counter_and_an_accept_are_refused_once_the_cap_is_reached_and_nothing_is_booked(capped_flash):
    student, mentor, service, now = capped_flash
    asked = flash.flash_request_create(student=student, mentor=mentor, service=service,
                                       starts_at=at("2027-03-12 19:00"), topic="API review", message="", now=now)
    # Meanwhile the student books their one allowed upcoming session.
    services.booking_create(student=student, mentor=mentor, service=service, starts_at=at("2027-03-11 10:00"),
                            actor=student, now=now)
    with pytest.raises(FlashError, match="already holds as many upcoming sessions as their plan allows"):
        flash.flash_counter(request=asked, mentor=mentor, starts_at=at("2027-03-12 18:00"), note="", now=now)
    with pytest.raises(FlashError, match="already holds as many upcoming sessions as their plan allows"):
        flash.flash_accept(request=asked, mentor=mentor, now=now)
    asked.refresh_from_db()
    assert asked.status == "pending" and Session.objects.filter(student=student).count() == 1


# --- date overrides in slot search -----------------------------------------------------


def test_a_date_override_adds_hours_on_that_date_only_and_keeps_the_single_query(django_assert_num_queries):
    mentor = MentorFactory(timezone="America/New_York")
    service = bookable_mentor(mentor, hours=range(9, 12))
    now = at("2027-03-10 12:00")
    # Sunday 14 March is the spring-forward day: 18:00–20:00 New York is 22:00–00:00 UTC (EDT).
    date_override_save(user=mentor, day=date(2027, 3, 14), hours="0" * 18 + "11" + "0" * 4, note="", now=now)
    with django_assert_num_queries(1):
        starts = free_slot_starts(mentor=mentor, duration=service.duration, now=now)
    local = [s.astimezone(NEW_YORK) for s in starts]
    on_the_day = [t.strftime("%H:%M") for t in local if t.date() == date(2027, 3, 14)]
    assert on_the_day == ["18:00", "18:30", "19:00"]
    assert at("2027-03-14 22:00") in starts
    # Other dates keep the weekly grid, and evenings stay closed there.
    assert all(9 <= t.hour < 12 for t in local if t.date() != date(2027, 3, 14))


def test_a_date_override_with_no_hours_closes_that_date():
    mentor = MentorFactory(timezone="Europe/London")
    service = bookable_mentor(mentor, hours=range(9, 17))
    now = at("2027-03-10 12:00")
    date_override_save(user=mentor, day=date(2027, 3, 15), hours="0" * 24, note="Dentist", now=now)
    starts = free_slot_starts(mentor=mentor, duration=service.duration, now=now)
    assert not [s for s in starts if s.date() == date(2027, 3, 15)]
    assert [s for s in starts if s.date() == date(2027, 3, 16)]


# --- time off over booked sessions ---------------------------------------------------------


@pytest.fixture
def booked():
    mentor = MentorFactory(full_name="Ada Mentor", timezone="Europe/London")
    service = bookable_mentor(mentor, hours=range(9, 17))
    student = StudentFactory(full_name="Sam Student", timezone="Europe/London")
    now = at("2027-01-10 12:00")
    give_credits(student, 4, now=now)
    first = services.booking_create(student=student, mentor=mentor, service=service,
                                    starts_at=at("2027-01-14 10:00"), actor=student, now=now)
    second = services.booking_create(student=student, mentor=mentor, service=service,
                                     starts_at=at("2027-01-15 10:00"), actor=student, now=now)
    return student, mentor, service, now, first, second


def test_time_off_over_booked_sessions_saves_nothing_until_each_one_is_decided(booked):
    _, mentor, _, now, first, second = booked
    with pytest.raises(services.TimeOffDecisionsNeeded) as asked:
        services.time_off_add_with_sessions(mentor=mentor, starts_on=date(2027, 1, 14), ends_on=date(2027, 1, 15),
                                            reason="Holiday", decisions={first.pk: "keep"}, cancel_reason="",
                                            now=now)
    assert [s.pk for s in asked.value.sessions] == [second.pk]
    assert not mentor.time_off.exists()


def test_time_off_keeps_and_cancels_as_chosen_and_the_student_gets_the_credit_and_the_reason(booked):
    student, mentor, _, now, first, second = booked
    outcome = services.time_off_add_with_sessions(
        mentor=mentor, starts_on=date(2027, 1, 14), ends_on=date(2027, 1, 15), reason="Holiday",
        decisions={first.pk: "keep", second.pk: "cancel"}, cancel_reason="Family emergency", now=now)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == SessionStatus.SCHEDULED and second.status == SessionStatus.CANCELLED
    assert [s.pk for s in outcome.kept] == [first.pk] and mentor.time_off.count() == 1
    assert balance(student) == 3  # one credit back
    email = OutboundEmail.objects.filter(kind="session_cancelled", recipient=student).get()
    assert "Family emergency" in email.body_text


def test_cancelling_inside_time_off_needs_a_reason_for_the_students(booked):
    _, mentor, _, now, first, _ = booked
    with pytest.raises(SchedulingError, match="Give the students a reason"):
        services.time_off_add_with_sessions(mentor=mentor, starts_on=date(2027, 1, 14), ends_on=date(2027, 1, 14),
                                            reason="", decisions={first.pk: "cancel"}, cancel_reason=" ", now=now)
    assert not mentor.time_off.exists()


# --- another time, agreed by both ---------------------------------------------------------


def test_a_mentor_proposal_accepted_by_the_student_moves_the_session_and_keeps_the_credit(
        booked, django_capture_on_commit_callbacks):
    student, mentor, _, now, first, _ = booked
    proposal = services.proposal_create(session=first, actor=mentor, starts_at=at("2027-01-14 14:00"),
                                        note="A meeting moved", now=now)
    assert OutboundEmail.objects.filter(kind="session_proposal", recipient=student).exists()
    with pytest.raises(NotYourSession):
        services.proposal_accept(proposal=proposal, actor=mentor, now=now)
    with django_capture_on_commit_callbacks(execute=True):  # the invite is rendered after commit
        session = services.proposal_accept(proposal=proposal, actor=student, now=now + HOUR)
    session.refresh_from_db()
    assert session.starts_at == at("2027-01-14 14:00") and session.calendar_sequence == 1
    assert balance(student) == 2 and LedgerEntry.objects.filter(kind="consume", session_id=session.pk).count() == 1
    assert RescheduleProposal.objects.get().status == "accepted"
    invite = OutboundEmail.objects.filter(kind="session_rescheduled", recipient=student).get()
    assert "SEQUENCE:1" in invite.ics


def test_a_declined_proposal_leaves_the_session_where_it_was(booked):
    student, mentor, _, now, first, _ = booked
    proposal = services.proposal_create(session=first, actor=mentor, starts_at=at("2027-01-14 14:00"), now=now)
    services.proposal_decline(proposal=proposal, actor=student, note="Can't then", now=now)
    first.refresh_from_db()
    assert first.starts_at == at("2027-01-14 10:00")
    assert OutboundEmail.objects.filter(kind="session_proposal_declined", recipient=mentor).exists()


def test_a_proposal_expires_when_the_session_starts(booked):
    student, mentor, _, now, first, _ = booked
    proposal = services.proposal_create(session=first, actor=mentor, starts_at=at("2027-01-15 14:00"), now=now)
    with pytest.raises(services.ProposalError, match="expired"):
        services.proposal_accept(proposal=proposal, actor=student, now=first.starts_at)
    first.refresh_from_db()
    assert first.starts_at == at("2027-01-14 10:00")


def test_a_proposal_must_be_within_the_mentors_hours(booked):
    _, mentor, _, now, first, _ = booked
    with pytest.raises(SchedulingError, match="isn't available"):
        services.proposal_create(session=first, actor=mentor, starts_at=at("2027-01-14 20:00"), now=now)


def test_inside_24_hours_the_student_asks_and_only_the_mentor_agrees_and_nothing_is_forfeited(booked):
    student, mentor, _, _, first, _ = booked
    late = first.starts_at - 5 * HOUR
    with pytest.raises(services.ProposalError, match="use Reschedule"):
        services.proposal_create(session=first, actor=student, starts_at=at("2027-01-16 10:00"),
                                 now=first.starts_at - timedelta(hours=30))
    asked = services.proposal_create(session=first, actor=student, starts_at=at("2027-01-16 10:00"), now=late)
    with pytest.raises(NotYourSession, match="Only the mentor"):
        services.proposal_accept(proposal=asked, actor=student, now=late)
    services.proposal_accept(proposal=asked, actor=mentor, now=late + HOUR)
    first.refresh_from_db()
    assert first.status == SessionStatus.SCHEDULED and first.starts_at == at("2027-01-16 10:00")
    assert balance(student) == 2 and not LedgerEntry.objects.filter(kind="forfeit").exists()


# --- a session's life ------------------------------------------------------------------------


def test_no_show_only_from_10_minutes_after_the_start_completed_from_the_start(booked):
    _, mentor, _, _, first, second = booked
    with pytest.raises(IllegalTransition, match="10 minutes after the start"):
        services.attendance_mark(session=first, actor=mentor, attended=False,
                                 now=first.starts_at + timedelta(minutes=10) - SECOND)
    services.attendance_mark(session=first, actor=mentor, attended=False, now=first.starts_at + timedelta(minutes=10))
    services.attendance_mark(session=second, actor=mentor, attended=True, now=second.starts_at)
    second.refresh_from_db()
    assert second.status == SessionStatus.COMPLETED


def test_phases_in_progress_from_10_minutes_before_then_waiting_for_attendance_then_feedback(booked):
    student, mentor, _, _, first, _ = booked
    assert phase(first, first.starts_at - timedelta(minutes=10) - SECOND) == "upcoming"
    assert phase(first, first.starts_at - timedelta(minutes=10)) == "in_progress"
    assert phase(first, first.ends_at - SECOND) == "in_progress"
    assert phase(first, first.ends_at) == "awaiting_attendance"
    services.attendance_mark(session=first, actor=mentor, attended=True, now=first.ends_at)
    first = Session.objects.get(pk=first.pk)
    assert phase(first, first.ends_at) == "awaiting_feedback"
    overview = student_sessions(student, now=first.ends_at + HOUR)
    assert [s.pk for s in overview["to_rate"]] == [first.pk]
    services.feedback_leave(session=first, actor=student, rating=5, comment="", now=first.ends_at + HOUR)
    assert student_sessions(student, now=first.ends_at + 2 * HOUR)["to_rate"] == []


def test_the_feedback_email_goes_once(booked):
    student, mentor, _, _, first, _ = booked
    services.attendance_mark(session=first, actor=mentor, attended=True, now=first.ends_at)
    with pytest.raises(IllegalTransition):
        services.attendance_mark(session=first, actor=mentor, attended=True, now=first.ends_at)
    assert OutboundEmail.objects.filter(kind="session_feedback_request", recipient=student).count() == 1


def test_an_in_progress_session_is_not_listed_as_upcoming(booked):
    student, _, _, _, first, second = booked
    overview = student_sessions(student, now=first.starts_at - timedelta(minutes=5))
    assert [s.pk for s in overview["in_progress"]] == [first.pk]
    assert [s.pk for s in overview["upcoming"]] == [second.pk]
    assert SessionEvent.objects.filter(session=first).count() == 1


def test_the_last_chance_email_words_the_deadline_through_the_one_function(booked):
    from scheduling import reminders

    student, _, _, _, first, _ = booked
    sweep_at = first.starts_at - timedelta(hours=25)
    reminders.sweep(now=sweep_at)
    email = OutboundEmail.objects.get(kind="session_last_chance", recipient=student)
    expected = cancellation_terms(first.starts_at, now=sweep_at, tz=LONDON).text
    assert expected.startswith("Free cancellation until Wed 13 Jan, 10:00 your time.") and expected in email.body_text
