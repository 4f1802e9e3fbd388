"""Group sessions: the calendar rule across 1-1 and group, seats and credits, the waitlist, attendance."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction

from accounts.models import OutboundEmail
from accounts.tests.factories import MentorFactory, StudentFactory
from credits.models import EntryKind, GroupAllowanceKind, LedgerEntry
from credits.resets import credits_reset_due
from scheduling import services
from scheduling.errors import BookingNotAllowed, SchedulingError, TooLate
from scheduling.group_models import GroupSession, GroupStatus, SeatStatus, WaitStatus
from scheduling.models import Session, SessionStatus
from scheduling.services import SessionFull
from scheduling.tests.group_helpers import give_group_credits, group_balance, schedule
from scheduling.tests.helpers import HOUR, at, balance, bookable_mentor, give_credits

pytestmark = pytest.mark.django_db
NOW = at("2027-01-10 12:00")
START = at("2027-01-14 15:00")  # four days ahead


@pytest.fixture
def ada():
    mentor = MentorFactory(full_name="Ada Mentor", timezone="UTC")
    bookable_mentor(mentor, hours=range(24))
    return mentor


def _student(seats=4, **kwargs):
    student = StudentFactory(timezone="UTC")
    give_group_credits(student, seats, now=NOW, **kwargs)
    return student


# --- one calendar per mentor: 1-1 and group sessions never overlap -----------------


def test_the_database_refuses_a_one_to_one_session_over_the_mentors_group_session(ada):
    schedule(ada, START, now=NOW)
    student = StudentFactory()
    service = ada.offered_services.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Session.objects.create(student=student, mentor=ada, service=service, starts_at=START + timedelta(minutes=30),
                               ends_at=START + timedelta(minutes=90), created_at=NOW)


def test_the_database_refuses_a_group_session_over_the_mentors_live_one_to_one(ada):
    student = StudentFactory()
    give_credits(student, 2, now=NOW)
    service = ada.offered_services.first()
    services.booking_create(student=student, mentor=ada, service=service, starts_at=START, actor=student, now=NOW)
    with pytest.raises(IntegrityError), transaction.atomic():
        GroupSession.objects.create(mentor=ada, title="Clash", starts_at=START + timedelta(minutes=30),
                                    ends_at=START + 2 * HOUR, seats=5, created_at=NOW)
    result = services.group_session_schedule(mentor=ada, title="Clash", starts_at=START, duration_minutes=60,
                                             seats=5, actor=ada, now=NOW)
    assert result.created == [] and result.skipped == [(START, "You already have a session at that time.")]


def test_back_to_back_and_cancelled_sessions_leave_the_time_free(ada):
    student = StudentFactory()
    give_credits(student, 2, now=NOW)
    service = ada.offered_services.first()
    one = services.booking_create(student=student, mentor=ada, service=service, starts_at=START, actor=student,
                                  now=NOW)
    services.session_cancel(session=one, actor=ada, now=NOW)
    assert schedule(ada, START, now=NOW).status == GroupStatus.SCHEDULED  # the cancelled 1-1 frees the hour
    services.booking_create(student=student, mentor=ada, service=service, starts_at=START + HOUR, actor=student,
                            now=NOW)  # [) ranges: back to back is fine
    assert Session.objects.filter(status=SessionStatus.SCHEDULED).count() == 1


def test_the_one_to_one_booking_service_refuses_a_time_the_mentor_teaches_a_group(ada):
    schedule(ada, START, now=NOW)
    student = StudentFactory()
    give_credits(student, 2, now=NOW)
    with pytest.raises(SchedulingError):
        services.booking_create(student=student, mentor=ada, service=ada.offered_services.first(), starts_at=START,
                                actor=student, now=NOW)
    assert balance(student) == 2


def test_a_weekly_group_keeps_the_mentors_wall_clock_and_skips_clashing_weeks(ada):
    student = StudentFactory()
    give_credits(student, 2, now=NOW)
    services.booking_create(student=student, mentor=ada, service=ada.offered_services.first(),
                            starts_at=START + timedelta(weeks=1), actor=student, now=NOW)
    result = schedule(ada, START, now=NOW, weeks=3)
    assert [g.starts_at for g in result.created] == [START, START + timedelta(weeks=2)]
    assert [s for s, _ in result.skipped] == [START + timedelta(weeks=1)]
    assert result.created[0].series_id == result.created[1].series_id


# --- seats and group credits ----------------------------------------------------------


def test_booking_a_seat_spends_a_group_credit_not_a_one_to_one_credit(ada):
    group = schedule(ada, START, now=NOW)
    student = _student(3, sessions=2)
    seat = services.group_seat_book(group=group, student=student, actor=student, now=NOW)
    assert (group_balance(student), balance(student)) == (2, 2)
    group.refresh_from_db()
    assert group.seats_taken == 1 and group.calendar_sequence == 1
    entry = LedgerEntry.objects.get(kind=EntryKind.GROUP_CONSUME)
    assert entry.group_seat_id == seat.pk and entry.amount == -1 and entry.balance_after == 2
    email = OutboundEmail.objects.get(kind="group_seat_booked", recipient=student)
    assert email.ics_method == "REQUEST" and f"group-{group.calendar_uid}" in email.ics
    # A double submit books once.
    assert services.group_seat_book(group=group, student=student, actor=student, now=NOW) == seat
    assert group_balance(student) == 2


def test_a_plan_without_group_sessions_cannot_book_a_seat(ada):
    group = schedule(ada, START, now=NOW)
    student = StudentFactory()
    give_credits(student, 4, now=NOW)
    with pytest.raises(BookingNotAllowed, match="doesn't include group sessions"):
        services.group_seat_book(group=group, student=student, actor=student, now=NOW)
    group.refresh_from_db()
    assert group.seats_taken == 0


def test_unlimited_group_allowance_records_a_zero_movement(ada):
    group = schedule(ada, START, now=NOW)
    student = _student(kind=GroupAllowanceKind.UNLIMITED)
    services.group_seat_book(group=group, student=student, actor=student, now=NOW)
    assert LedgerEntry.objects.get(kind=EntryKind.GROUP_CONSUME).amount == 0


def test_a_seat_cannot_overlap_the_students_own_one_to_one_session(ada):
    grace = MentorFactory(timezone="UTC")
    service = bookable_mentor(grace, hours=range(24))
    student = _student(2, sessions=2)
    services.booking_create(student=student, mentor=grace, service=service, starts_at=START + timedelta(minutes=30),
                            actor=student, now=NOW)
    group = schedule(ada, START, now=NOW)
    with pytest.raises(BookingNotAllowed, match="already have a session at that time"):
        services.group_seat_book(group=group, student=student, actor=student, now=NOW)
    group.refresh_from_db()
    assert group.seats_taken == 0 and group_balance(student) == 2


def test_leaving_at_least_24_hours_ahead_gives_the_group_credit_back(ada):
    group = schedule(ada, START, now=NOW)
    student = _student(2)
    seat = services.group_seat_book(group=group, student=student, actor=student, now=NOW)
    seat = services.group_seat_cancel(seat=seat, actor=student, now=START - timedelta(hours=24), expect_forfeit=False)
    assert seat.status == SeatStatus.CANCELLED and group_balance(student) == 2
    group.refresh_from_db()
    assert group.seats_taken == 0 and group.calendar_sequence == 2
    assert OutboundEmail.objects.get(kind="group_seat_left").ics_method == "CANCEL"


def test_leaving_later_than_24_hours_forfeits_the_seat(ada):
    group = schedule(ada, START, now=NOW)
    student = _student(2)
    seat = services.group_seat_book(group=group, student=student, actor=student, now=NOW)
    late = START - timedelta(hours=24) + timedelta(seconds=1)
    with pytest.raises(TooLate):
        services.group_seat_cancel(seat=seat, actor=student, now=late, expect_forfeit=False)
    seat = services.group_seat_cancel(seat=seat, actor=student, now=late, expect_forfeit=True)
    assert seat.status == SeatStatus.FORFEITED and group_balance(student) == 1
    assert LedgerEntry.objects.filter(kind=EntryKind.GROUP_FORFEIT, group_seat_id=seat.pk).count() == 1


def test_a_full_session_refuses_a_seat_and_offers_the_waitlist(ada):
    group = schedule(ada, START, now=NOW, seats=2)
    first, second, third = (_student() for _ in range(3))
    for s in (first, second):
        services.group_seat_book(group=group, student=s, actor=s, now=NOW)
    with pytest.raises(SessionFull):
        services.group_seat_book(group=group, student=third, actor=third, now=NOW)
    assert group_balance(third) == 4
    entry = services.waitlist_join(group=group, student=third, now=NOW)
    assert entry.status == WaitStatus.WAITING and group_balance(third) == 4
    services.waitlist_leave(entry=entry, student=third, now=NOW)
    entry.refresh_from_db()
    assert entry.status == WaitStatus.LEFT


# --- the waitlist --------------------------------------------------------------------------


def test_a_seat_freed_early_goes_to_the_first_waiting_student_who_still_has_an_allowance(ada):
    group = schedule(ada, START, now=NOW, seats=2)
    holders = [_student() for _ in range(2)]
    seats = [services.group_seat_book(group=group, student=s, actor=s, now=NOW) for s in holders]
    broke = _student(0)  # first in line, but no group credit left
    second = _student(1)
    third = _student(1)
    for s in (broke, second, third):
        services.waitlist_join(group=group, student=s, now=NOW)

    services.group_seat_cancel(seat=seats[0], actor=holders[0], now=NOW)

    group.refresh_from_db()
    assert group.seats_taken == 2
    assert group.seat_set.get(status=SeatStatus.BOOKED, student=second).via_waitlist
    assert group_balance(second) == 0 and group_balance(third) == 1
    assert group.waitlist.get(student=second).status == WaitStatus.PROMOTED
    assert set(group.waitlist.filter(status=WaitStatus.WAITING).values_list("student", flat=True)) == {broke.pk,
                                                                                                       third.pk}
    email = OutboundEmail.objects.get(kind="group_seat_booked", recipient=second)
    assert "You got a seat" in email.subject and email.ics_method == "REQUEST"


def test_a_seat_freed_within_24_hours_is_offered_and_the_first_to_accept_wins(ada):
    group = schedule(ada, START, now=NOW, seats=2)
    holders = [_student() for _ in range(2)]
    seats = [services.group_seat_book(group=group, student=s, actor=s, now=NOW) for s in holders]
    waiting = [_student() for _ in range(2)]
    entries = [services.waitlist_join(group=group, student=s, now=NOW) for s in waiting]
    stranger = _student()
    soon = START - timedelta(hours=5)

    services.group_seat_cancel(seat=seats[0], actor=holders[0], now=soon, expect_forfeit=True)

    assert OutboundEmail.objects.filter(kind="group_seat_offered").count() == 2
    with pytest.raises(SessionFull, match="offered to the waitlist"):
        services.group_seat_book(group=group, student=stranger, actor=stranger, now=soon)
    seat = services.waitlist_accept(entry=entries[1], student=waiting[1], now=soon)
    assert seat.via_waitlist
    with pytest.raises(SessionFull, match="just before you"):
        services.waitlist_accept(entry=entries[0], student=waiting[0], now=soon)
    entries[0].refresh_from_db()
    assert entries[0].status == WaitStatus.WAITING and group_balance(waiting[0]) == 4


# --- attendance and cancelling ----------------------------------------------------------------


def test_attendance_per_attendee_and_a_no_show_forfeits_that_seat(ada):
    group = schedule(ada, START, now=NOW, seats=3)
    came, missed = _student(), _student()
    seat_came = services.group_seat_book(group=group, student=came, actor=came, now=NOW)
    seat_missed = services.group_seat_book(group=group, student=missed, actor=missed, now=NOW)
    with pytest.raises(SchedulingError, match="once the session has started"):
        services.group_attendance_mark(seat=seat_came, actor=ada, attended=True, now=NOW)
    with pytest.raises(SchedulingError):
        services.group_attendance_mark(seat=seat_came, actor=came, attended=True, now=START)
    services.group_attendance_mark(seat=seat_came, actor=ada, attended=True, now=START + HOUR)
    services.group_attendance_mark(seat=seat_missed, actor=ada, attended=False, now=START + HOUR)
    assert LedgerEntry.objects.filter(kind=EntryKind.GROUP_FORFEIT, group_seat_id=seat_missed.pk).count() == 1
    assert (group_balance(came), group_balance(missed)) == (3, 3)
    group.refresh_from_db()
    assert group.status == GroupStatus.COMPLETED


def test_the_mentor_cancelling_refunds_every_seat_and_tells_everyone(ada):
    group = schedule(ada, START, now=NOW, seats=2)
    students = [_student() for _ in range(2)]
    for s in students:
        services.group_seat_book(group=group, student=s, actor=s, now=NOW)
    waiter = _student()
    services.waitlist_join(group=group, student=waiter, now=NOW)
    services.group_session_cancel(group=group, actor=ada, now=START - HOUR, reason="I'm ill")
    group.refresh_from_db()
    assert group.status == GroupStatus.CANCELLED and group.seats_taken == 0
    assert [group_balance(s) for s in students] == [4, 4]
    assert LedgerEntry.objects.filter(kind=EntryKind.GROUP_REFUND).count() == 2
    emails = OutboundEmail.objects.filter(kind="group_session_cancelled")
    assert {e.recipient_id for e in emails} == {students[0].pk, students[1].pk, waiter.pk, ada.pk}
    assert all(e.ics_method == "CANCEL" for e in emails if e.recipient_id in {s.pk for s in students})
    call_command("credits_audit")


def test_a_manager_cancels_with_a_reason_only(ada, manager):
    group = schedule(ada, START, now=NOW)
    with pytest.raises(SchedulingError, match="Give a reason"):
        services.group_session_cancel(group=group, actor=manager, now=NOW)
    services.group_session_cancel(group=group, actor=manager, now=NOW, reason="Mentor unavailable")
    group.refresh_from_db()
    assert group.cancel_reason == "Mentor unavailable"


# --- the monthly reset --------------------------------------------------------------------------


def test_the_monthly_reset_grants_group_seats_once_in_the_same_sweep_and_the_audit_stays_clean(ada):
    student = StudentFactory(timezone="UTC")
    give_group_credits(student, 3, kind=GroupAllowanceKind.MONTHLY, now=NOW)
    group = schedule(ada, START, now=NOW)
    services.group_seat_book(group=group, student=student, actor=student, now=NOW)
    assert group_balance(student) == 2
    first_of_feb = at("2027-02-01 00:30")

    credits_reset_due(now=first_of_feb)
    credits_reset_due(now=first_of_feb)  # a second beat, a rerun: nothing twice

    assert group_balance(student) == 3
    grants = LedgerEntry.objects.filter(kind=EntryKind.GROUP_GRANT, account__student=student)
    assert [g.period.isoformat() for g in grants.order_by("created_at", "id")] == ["2027-01-01", "2027-02-01"]
    expiry = LedgerEntry.objects.get(kind=EntryKind.GROUP_EXPIRE, account__student=student)
    assert expiry.amount == -2
    assert balance(student) == 0  # the 1-1 pack of 0 is untouched
    call_command("credits_audit")


def test_slot_search_leaves_out_the_mentors_group_sessions_and_the_students_seats(ada):
    from scheduling.selectors import free_slot_starts

    group = schedule(ada, START, now=NOW)
    student = _student(2)
    duration = timedelta(minutes=60)
    starts = free_slot_starts(mentor=ada, duration=duration, now=NOW, student=student)
    assert START not in starts and START + timedelta(minutes=30) not in starts and START + HOUR in starts
    grace = MentorFactory(timezone="UTC")
    bookable_mentor(grace, hours=range(24))
    assert START in free_slot_starts(mentor=grace, duration=duration, now=NOW, student=student)
    services.group_seat_book(group=group, student=student, actor=student, now=NOW)
    assert START not in free_slot_starts(mentor=grace, duration=duration, now=NOW, student=student)


def test_group_no_shows_count_towards_at_risk(ada):
    from accounts.models import User
    from scheduling.at_risk import annotate_risk, reasons_for

    student = _student(4)
    for n in range(2):
        group = schedule(ada, START + timedelta(days=n), now=NOW, title=f"Group {n}")
        seat = services.group_seat_book(group=group, student=student, actor=student, now=NOW)
        services.group_attendance_mark(seat=seat, actor=ada, attended=False, now=group.starts_at + HOUR)
    annotated = annotate_risk(User.objects.filter(pk=student.pk), now=START + timedelta(days=3)).get()
    assert annotated.risk_misses and annotated.risk_group_no_shows == 2
    assert "2 group no-shows" in reasons_for(annotated)[0]


def test_the_mentors_feed_lists_the_attendees_and_a_students_shows_one_event(ada):
    from scheduling.calendar import feed
    from scheduling.group_selectors import feed_groups

    group = schedule(ada, START, now=NOW)
    student, other = _student(3), _student(3)
    seat = services.group_seat_book(group=group, student=student, actor=student, now=NOW)
    services.group_seat_book(group=group, student=other, actor=other, now=NOW)
    services.group_seat_cancel(seat=seat, actor=student, now=NOW)
    services.group_seat_book(group=group, student=student, actor=student, now=NOW)  # back again
    mentor_feed = feed([], now=NOW, name="x", groups=feed_groups(ada, now=NOW)).decode().replace("\r\n ", "")
    assert student.email in mentor_feed and other.email in mentor_feed
    student_feed = feed([], now=NOW, name="x", groups=feed_groups(student, now=NOW)).decode()
    assert student_feed.count("BEGIN:VEVENT") == 1 and "STATUS:CONFIRMED" in student_feed
    group.refresh_from_db()
    assert f"SEQUENCE:{group.calendar_sequence}" in student_feed and group.calendar_sequence == 4


def test_the_sweep_gives_a_free_seat_to_a_waiting_student_who_has_credits_again(ada):
    group = schedule(ada, START, now=NOW, seats=2)
    holders = [_student() for _ in range(2)]
    seats = [services.group_seat_book(group=group, student=s, actor=s, now=NOW) for s in holders]
    broke = _student(0)
    services.waitlist_join(group=group, student=broke, now=NOW)
    services.group_seat_cancel(seat=seats[0], actor=holders[0], now=NOW)
    assert group.waitlist.get(student=broke).status == WaitStatus.WAITING  # no credit: skipped, still waiting
    from credits.services import credits_admin_change

    credits_admin_change(student=broke, kind=EntryKind.GROUP_TOPUP, amount=1, reason="Bought a seat", actor=None,
                         now=NOW)
    assert services.waitlist_sweep(now=NOW + HOUR) == 1
    assert services.waitlist_sweep(now=NOW + HOUR) == 0
    assert group.waitlist.get(student=broke).status == WaitStatus.PROMOTED and group_balance(broke) == 0


def test_a_spanish_student_who_leaves_late_reads_why_in_spanish(ada):
    """The seat's note is stored in English (the record); her email words it in her language."""
    group = schedule(ada, START, now=NOW)
    student = _student(2)
    student.language = "es"
    student.save(update_fields=["language"])
    seat = services.group_seat_book(group=group, student=student, actor=student, now=NOW)
    services.group_seat_cancel(seat=seat, actor=student, now=START - timedelta(hours=5), expect_forfeit=True)
    seat.refresh_from_db()
    assert seat.status_note.startswith("forfeited — left")
    email = OutboundEmail.objects.get(kind="group_seat_left", recipient=student)
    assert "before start" not in email.body_text and "5 h" in email.body_text, email.body_text
