"""Book Now: one transaction that takes the slot and spends one credit, or changes nothing."""

import uuid
from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction

from accounts.tests.factories import MentorFactory, StudentFactory
from credits.models import AllowanceKind, LedgerEntry
from scheduling import services
from scheduling.errors import BookingNotAllowed, SlotTaken, SlotUnavailable
from scheduling.models import Session, SessionEvent, SessionStatus
from scheduling.tests.helpers import HOUR, at, balance, bookable_mentor, give_credits, time_off

pytestmark = pytest.mark.django_db
NOW = at("2027-01-10 12:00")  # a Sunday
SLOT = at("2027-01-12 14:00")  # Tue 09:00 in New York


@pytest.fixture
def mentor():
    return MentorFactory(timezone="America/New_York")


@pytest.fixture
def service(mentor):
    return bookable_mentor(mentor, hours=range(9, 13))


@pytest.fixture
def student():
    s = StudentFactory(timezone="Europe/London")
    give_credits(s, 4, now=NOW)
    return s


def book(student, mentor, service, starts_at=SLOT, **kw):
    return services.booking_create(student=student, mentor=mentor, service=service, starts_at=starts_at,
                                   actor=student, now=NOW, **kw)


def test_booking_creates_the_session_and_spends_one_credit(student, mentor, service):
    session = book(student, mentor, service)
    assert (session.status, session.starts_at, session.ends_at) == (SessionStatus.SCHEDULED, SLOT, SLOT + HOUR)
    assert session.video_url == "https://meet.example.com/ada"
    assert balance(student) == 3
    consume = LedgerEntry.objects.get(session_id=session.pk, kind="consume")
    assert consume.amount == -1 and consume.balance_after == 3
    assert session.events.get().kind == SessionEvent.Kind.BOOKED


def test_no_credit_left_books_nothing_and_says_why(mentor, service):
    broke = StudentFactory()
    give_credits(broke, 0, now=NOW)
    with pytest.raises(BookingNotAllowed) as err:
        book(broke, mentor, service)
    assert err.value.message
    assert not Session.objects.exists()


def test_a_student_without_a_plan_cannot_book(mentor, service):
    with pytest.raises(BookingNotAllowed):
        book(StudentFactory(), mentor, service)
    assert not Session.objects.exists()


def test_a_taken_slot_says_so_with_the_nearest_free_times_and_spends_nothing(student, mentor, service):
    other = StudentFactory()
    give_credits(other, 2, now=NOW)
    book(other, mentor, service)
    with pytest.raises(SlotTaken) as err:
        book(student, mentor, service)
    assert err.value.message == "That time was just taken."
    assert err.value.nearest and SLOT not in err.value.nearest
    assert min(abs(t - SLOT) for t in err.value.nearest) <= timedelta(hours=1)
    assert balance(student) == 4


def test_a_time_outside_the_grid_is_refused(student, mentor, service):
    with pytest.raises(SlotUnavailable) as err:
        book(student, mentor, service, starts_at=at("2027-01-12 03:00"))
    assert "isn't available" in err.value.message
    assert balance(student) == 4


def test_a_double_submit_books_once(student, mentor, service):
    key = uuid.uuid4()
    first = book(student, mentor, service, booking_key=key)
    second = book(student, mentor, service, booking_key=key)
    assert first.pk == second.pk
    assert Session.objects.count() == 1 and balance(student) == 3


def test_the_plans_limit_on_upcoming_sessions_holds(mentor, service):
    limited = StudentFactory()
    give_credits(limited, 10, max_upcoming=2, now=NOW)
    book(limited, mentor, service, starts_at=at("2027-01-12 14:00"))
    book(limited, mentor, service, starts_at=at("2027-01-13 14:00"))
    with pytest.raises(BookingNotAllowed) as err:
        book(limited, mentor, service, starts_at=at("2027-01-14 14:00"))
    assert "2 upcoming sessions" in err.value.message
    assert balance(limited) == 8


def test_back_to_back_sessions_are_fine_but_overlaps_are_refused_by_the_database(student, mentor, service):
    first = book(student, mentor, service, starts_at=at("2027-01-12 14:00"))
    other = StudentFactory()
    give_credits(other, 2, now=NOW)
    adjacent = book(other, mentor, service, starts_at=at("2027-01-12 15:00"))
    assert adjacent.starts_at == first.ends_at
    # Bypassing every check, PostgreSQL still refuses an overlap.
    with pytest.raises(IntegrityError), transaction.atomic():
        Session.objects.create(student=StudentFactory(), mentor=mentor, service=service, created_at=NOW,
                               starts_at=at("2027-01-12 14:30"), ends_at=at("2027-01-12 15:30"))


def test_a_student_cannot_double_book_across_two_mentors(student, mentor, service):
    book(student, mentor, service)
    other_mentor = MentorFactory(timezone="America/New_York")
    other_service = bookable_mentor(other_mentor, hours=range(9, 13))
    with pytest.raises(SlotUnavailable) as err:
        book(student, other_mentor, other_service, starts_at=SLOT + timedelta(minutes=30))
    assert err.value.message == "You already have a session at that time."
    with pytest.raises(IntegrityError), transaction.atomic():
        Session.objects.create(student=student, mentor=other_mentor, service=other_service, created_at=NOW,
                               starts_at=SLOT, ends_at=SLOT + HOUR)
    assert balance(student) == 3


def test_a_mentor_who_does_not_offer_the_service_cannot_be_booked_for_it(student, mentor, service):
    service.mentors.remove(mentor)
    with pytest.raises(BookingNotAllowed):
        book(student, mentor, service)


def test_unlimited_plans_book_without_a_balance(mentor, service):
    free = StudentFactory()
    give_credits(free, 0, kind=AllowanceKind.UNLIMITED, now=NOW)
    session = book(free, mentor, service)
    assert LedgerEntry.objects.get(session_id=session.pk, kind="consume").amount == 0


def test_a_standing_weekly_session_books_each_week_and_lists_what_it_could_not(student, mentor, service):
    time_off(mentor, date(2027, 1, 26), date(2027, 1, 26))  # the third Tuesday
    result = services.booking_series_create(student=student, mentor=mentor, service=service, first_starts_at=SLOT,
                                            weeks=4, actor=student, now=NOW)
    assert [s.starts_at for s in result.booked] == [SLOT, SLOT + timedelta(weeks=1), SLOT + timedelta(weeks=3)]
    assert [(t, reason) for t, reason in result.skipped] == [
        (SLOT + timedelta(weeks=2), "That time isn't available with this mentor.")
    ]
    assert all(s.series_id == result.series.pk for s in result.booked)
    assert balance(student) == 1


def test_a_standing_weekly_session_stops_spending_when_the_credits_run_out(mentor, service):
    student = StudentFactory()
    give_credits(student, 2, now=NOW)
    result = services.booking_series_create(student=student, mentor=mentor, service=service, first_starts_at=SLOT,
                                            weeks=4, actor=student, now=NOW)
    assert len(result.booked) == 2 and len(result.skipped) == 2
    assert balance(student) == 0


def test_weekly_sessions_keep_the_students_local_time_across_a_dst_change(mentor):
    # Mentor available all day; London clocks go forward on Sun 28 Mar 2027.
    service = bookable_mentor(mentor, hours=range(0, 24))
    student = StudentFactory(timezone="Europe/London")
    give_credits(student, 4, now=at("2027-03-14 08:00"))
    first = at("2027-03-23 18:00")  # Tue 18:00 GMT
    result = services.booking_series_create(student=student, mentor=mentor, service=service, first_starts_at=first,
                                            weeks=2, actor=student, now=at("2027-03-14 08:00"))
    local = [s.starts_at.astimezone(student.tzinfo).strftime("%a %H:%M") for s in result.booked]
    assert local == ["Tue 18:00", "Tue 18:00"]
    assert result.booked[1].starts_at == at("2027-03-30 17:00")  # 18:00 BST
