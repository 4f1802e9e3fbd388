"""Slot search: the mentor's wall-clock grid, minus what is taken, in the right instants."""

from datetime import date, timedelta

import pytest

from accounts.tests.factories import MentorFactory, StudentFactory
from scheduling.models import ServiceType, Session
from scheduling.selectors import free_slot_starts, slots_by_day
from scheduling.tests.helpers import at, bookable_mentor, set_grid, time_off

pytestmark = pytest.mark.django_db
HOUR = timedelta(hours=1)


@pytest.fixture
def ny_mentor():
    return MentorFactory(timezone="America/New_York")


def test_slots_follow_the_mentors_wall_clock_across_the_spring_dst_change(ny_mentor):
    # US clocks spring forward on Sun 14 Mar 2027. 09:00–11:00 New York every day.
    bookable_mentor(ny_mentor, hours=range(9, 11))
    starts = free_slot_starts(mentor=ny_mentor, duration=HOUR, now=at("2027-03-11 12:00"))
    by_day = {}
    for s in starts:
        by_day.setdefault(s.date(), []).append(s)
    # Before the change 09:00 EST is 14:00 UTC; after it 09:00 EDT is 13:00 UTC.
    assert by_day[date(2027, 3, 13)] == [at("2027-03-13 14:00"), at("2027-03-13 14:30"), at("2027-03-13 15:00")]
    assert by_day[date(2027, 3, 15)] == [at("2027-03-15 13:00"), at("2027-03-15 13:30"), at("2027-03-15 14:00")]


def test_slots_are_shown_in_the_students_zone_named_and_grouped_by_their_day(ny_mentor):
    bookable_mentor(ny_mentor, hours=range(9, 11))
    student = StudentFactory(timezone="Asia/Kolkata")
    set_grid(student, hours=range(18, 20))  # 18:00–20:00 in Kolkata
    starts = free_slot_starts(mentor=ny_mentor, duration=HOUR, now=at("2027-03-11 12:00"), student=student)
    days = slots_by_day(starts=starts, duration=HOUR, viewer=student, now=at("2027-03-11 12:00"))
    # Sat 13 Mar 09:00 EST = 19:30 IST; Mon 15 Mar 09:00 EDT = 18:30 IST.
    assert [s.local.strftime("%H:%M") for s in days[date(2027, 3, 13)]] == ["19:30", "20:00", "20:30"]
    assert [s.local.strftime("%H:%M") for s in days[date(2027, 3, 15)]] == ["18:30", "19:00", "19:30"]
    # Highlighted only where the whole hour sits inside the student's own 18–20.
    assert [s.in_your_hours for s in days[date(2027, 3, 15)]] == [True, True, False]
    assert not any(s.in_your_hours for s in days[date(2027, 3, 13)])


def test_time_off_removes_whole_local_days(ny_mentor):
    bookable_mentor(ny_mentor, hours=range(9, 11))
    time_off(ny_mentor, date(2027, 3, 15), date(2027, 3, 16))
    starts = free_slot_starts(mentor=ny_mentor, duration=HOUR, now=at("2027-03-11 12:00"))
    days = {s.astimezone(ny_mentor.tzinfo).date() for s in starts}
    assert date(2027, 3, 14) in days and date(2027, 3, 17) in days
    assert date(2027, 3, 15) not in days and date(2027, 3, 16) not in days


def test_live_sessions_and_the_buffer_are_not_offered(ny_mentor, settings):
    settings.BOOKING_BUFFER_MINUTES = 15
    service = bookable_mentor(ny_mentor, hours=range(9, 13))  # 09–13 NY = 14–18 UTC in winter
    other = StudentFactory()
    Session.objects.create(student=other, mentor=ny_mentor, service=service, starts_at=at("2027-01-12 15:00"),
                           ends_at=at("2027-01-12 16:00"), created_at=at("2027-01-01 00:00"))
    starts = [s for s in free_slot_starts(mentor=ny_mentor, duration=HOUR, now=at("2027-01-10 12:00"))
              if s.date() == date(2027, 1, 12)]
    # 14:00 would end at 15:00, inside the 15-minute rest before; 16:00 starts inside the rest after.
    assert starts == [at("2027-01-12 16:30"), at("2027-01-12 17:00")]


def test_a_cancelled_session_frees_its_time(ny_mentor):
    service = bookable_mentor(ny_mentor, hours=range(9, 10))
    Session.objects.create(student=StudentFactory(), mentor=ny_mentor, service=service, status="cancelled",
                           starts_at=at("2027-01-12 14:00"), ends_at=at("2027-01-12 15:00"),
                           created_at=at("2027-01-01 00:00"))
    starts = free_slot_starts(mentor=ny_mentor, duration=HOUR, now=at("2027-01-10 12:00"))
    assert at("2027-01-12 14:00") in starts


def test_the_students_own_sessions_elsewhere_are_not_offered(ny_mentor):
    bookable_mentor(ny_mentor, hours=range(9, 11))
    student = StudentFactory()
    elsewhere = MentorFactory()
    service = bookable_mentor(elsewhere)
    Session.objects.create(student=student, mentor=elsewhere, service=service, starts_at=at("2027-01-12 14:30"),
                           ends_at=at("2027-01-12 15:30"), created_at=at("2027-01-01 00:00"))
    starts = free_slot_starts(mentor=ny_mentor, duration=HOUR, now=at("2027-01-10 12:00"), student=student)
    assert [s for s in starts if s.date() == date(2027, 1, 12)] == []  # 14:00, 14:30, 15:00 all overlap


def test_notice_and_horizon_bound_the_window(ny_mentor, settings):
    settings.BOOKING_MIN_NOTICE_MINUTES = 120
    settings.BOOKING_HORIZON_DAYS = 28
    bookable_mentor(ny_mentor, hours=range(0, 24))
    now = at("2027-01-10 12:10")
    starts = free_slot_starts(mentor=ny_mentor, duration=HOUR, now=now)
    assert starts[0] == at("2027-01-10 14:30")  # first 30-minute step after now + 2 h
    assert starts[-1] + HOUR <= now + timedelta(days=28)
    assert all(s.minute in (0, 30) for s in starts)


@pytest.mark.parametrize("minutes, expected", [(30, ["14:00", "14:30"]), (45, ["14:00"]), (60, ["14:00"]), (90, [])])
def test_a_slot_is_offered_only_if_the_whole_duration_fits(ny_mentor, minutes, expected):
    service = ServiceType.objects.create(name=f"S{minutes}", duration_minutes=minutes)
    bookable_mentor(ny_mentor, service=service, hours=range(9, 10))  # one hour: 14:00–15:00 UTC in January
    starts = free_slot_starts(mentor=ny_mentor, duration=service.duration, now=at("2027-01-10 12:00"))
    assert [s.strftime("%H:%M") for s in starts if s.date() == date(2027, 1, 12)] == expected


def test_a_mentor_without_a_grid_has_no_slots(ny_mentor):
    assert free_slot_starts(mentor=ny_mentor, duration=HOUR, now=at("2027-01-10 12:00")) == []


def test_several_session_lists_come_back_from_one_query_each_in_its_own_order(ny_mentor, django_assert_num_queries):
    from scheduling.selectors import in_one_query

    service = bookable_mentor(ny_mentor)
    student = StudentFactory()
    made = [Session.objects.create(student=student, mentor=ny_mentor, service=service, status=status,
                                   starts_at=at("2027-03-01 10:00") + i * 2 * HOUR,
                                   ends_at=at("2027-03-01 11:00") + i * 2 * HOUR, created_at=at("2027-02-01 10:00"))
            for i, status in enumerate(["completed", "scheduled", "cancelled", "scheduled", "completed"])]
    base = Session.objects.filter(mentor=ny_mentor).select_related("student", "service")
    with django_assert_num_queries(1):
        lists = in_one_query({"scheduled": base.filter(status="scheduled").order_by("-starts_at")[:5],
                              "first_two": base.order_by("starts_at")[:2], "none": base.filter(status="forfeited")})
        assert [s.student.email for s in lists["scheduled"]] == [student.email] * 2  # related rows came along
    assert lists["scheduled"] == [made[3], made[1]]
    assert lists["first_two"] == made[:2]
    assert lists["none"] == []


def test_the_nearest_free_starts_are_the_closest_whatever_the_list():
    import random
    from datetime import UTC, datetime, timedelta

    from scheduling.selectors import nearest_starts

    rng = random.Random(7)
    base = datetime(2027, 3, 15, 9, tzinfo=UTC)
    for _ in range(300):
        starts = sorted({base + timedelta(minutes=30 * rng.randrange(0, 400)) for _ in range(rng.randrange(0, 40))})
        wanted = base + timedelta(minutes=15 * rng.randrange(-20, 820))
        every = sorted(sorted(starts, key=lambda t: abs((t - wanted).total_seconds()))[:3])  # by brute force
        assert nearest_starts(starts, wanted) == every
