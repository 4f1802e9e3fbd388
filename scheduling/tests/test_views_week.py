"""The week views: the slot picker and the mentor's agenda, one local week at a time,
right through the daylight-saving weeks of two zones."""

import html
from datetime import date

import pytest
from django.urls import reverse

from accounts.tests.factories import MentorFactory, StudentFactory
from scheduling import services
from scheduling.models import ServiceType, SessionStatus
from scheduling.tests.helpers import at, bookable_mentor, give_credits, set_grid

pytestmark = pytest.mark.django_db


def slot_times(weekday) -> list[str]:
    return [slot.local.strftime("%H:%M") for slot in weekday.items]


def test_the_slot_week_follows_the_new_york_fall_back_for_a_london_mentor(client, time_machine):
    # London left summer time on Sun 25 Oct 2026; New York leaves it on Sun 1 Nov.
    now = at("2026-10-22 12:00")
    time_machine.move_to(now, tick=False)
    mentor = MentorFactory(timezone="Europe/London")
    service = bookable_mentor(mentor, hours=range(9, 12))
    student = StudentFactory(timezone="America/New_York")
    set_grid(student, days=range(6, 7), hours=range(4, 5))  # Sundays 04:00-05:00 New York
    give_credits(student, 4, now=now)
    client.force_login(student)

    response = client.get(reverse("scheduling:book-slots", args=[mentor.pk, service.pk]), {"week": "2026-10-28"})

    week = response.context["week"]
    assert week.start == date(2026, 10, 26) and week.end == date(2026, 11, 1)
    assert [d.day for d in week.days] == [date(2026, 10, 26 + i) for i in range(6)] + [date(2026, 11, 1)]
    # 09:00-12:00 London is 05:00-08:00 in New York until the Saturday, 04:00-07:00 on the Sunday.
    assert slot_times(week.days[0]) == ["05:00", "05:30", "06:00", "06:30", "07:00"]
    assert slot_times(week.days[5]) == ["05:00", "05:30", "06:00", "06:30", "07:00"]
    assert slot_times(week.days[6]) == ["04:00", "04:30", "05:00", "05:30", "06:00"]
    # The student's own hour (Sunday 04:00-05:00) is starred only where the whole session fits in it.
    assert [s.in_your_hours for s in week.days[6].items] == [True, False, False, False, False]
    page = html.unescape(response.content.decode())
    assert "Mon 26 Oct – Sun 1 Nov 2026" in page
    assert 'data-day="2026-11-01"' in page and "04:00 ★" in page


def test_the_slot_week_follows_the_london_fall_back_for_a_new_york_mentor(client, time_machine):
    now = at("2026-10-15 12:00")
    time_machine.move_to(now, tick=False)
    mentor = MentorFactory(timezone="America/New_York")
    service = bookable_mentor(mentor, hours=range(9, 10))
    student = StudentFactory(timezone="Europe/London")
    give_credits(student, 4, now=now)
    client.force_login(student)

    week = client.get(reverse("scheduling:book-slots", args=[mentor.pk, service.pk]),
                      {"week": "2026-10-25"}).context["week"]

    assert week.start == date(2026, 10, 19)
    # 09:00 New York (EDT) is 14:00 in London in summer time, 13:00 from Sunday 25 Oct (GMT).
    assert [slot_times(d) for d in week.days] == [["14:00"]] * 6 + [["13:00"]]


def test_the_slot_week_marks_times_under_24_hours_and_walks_from_this_week_to_the_horizon(client, time_machine):
    now = at("2026-10-21 10:00")  # a Wednesday, 06:00 in New York
    time_machine.move_to(now, tick=False)
    mentor = MentorFactory(timezone="America/New_York")
    service = bookable_mentor(mentor, hours=range(9, 17))
    student = StudentFactory(timezone="America/New_York")
    give_credits(student, 4, now=now)
    client.force_login(student)
    url = reverse("scheduling:book-slots", args=[mentor.pk, service.pk])

    response = client.get(url)
    week, first = response.context["week"], response.context["first_free"]
    assert week.start == date(2026, 10, 19) and week.previous is None and week.next == date(2026, 10, 26)
    assert first.local.strftime("%a %H:%M") == "Wed 09:00"
    wednesday, thursday = week.days[2].items, week.days[3].items
    assert all(slot.within_24h for slot in wednesday)
    # Thursday 06:00 New York is exactly 24 hours away: from then on, free cancellation holds.
    assert not any(slot.within_24h for slot in thursday)
    page = html.unescape(response.content.decode())
    assert page.count("under 24 h") == len(wednesday) + 1  # each of Wednesday's times, and the legend
    assert f'href="?week=2026-10-21#slot-{int(first.starts_at.timestamp())}"' in page

    # Weeks before this one or past the booking horizon show the nearest week that has any.
    assert client.get(url, {"week": "2026-09-01"}).context["week"].start == date(2026, 10, 19)
    last = client.get(url, {"week": "2027-06-01"}).context["week"]
    assert last.start == date(2026, 11, 16) and last.next is None
    assert client.get(url, {"week": "not-a-date"}).status_code == 200


def book(student, mentor, service, starts_at, now):
    return services.booking_create(student=student, mentor=mentor, service=service, starts_at=starts_at,
                                   actor=student, now=now, mentor_agreed=True)


@pytest.mark.parametrize(("zone", "wanted", "saturday", "sunday", "monday"), [
    # New York falls back on Sun 1 Nov 2026: 13:00 UTC is 09:00 on the Saturday, 08:00 on the Sunday.
    ("America/New_York", "2026-10-30", date(2026, 10, 31), date(2026, 11, 1), date(2026, 10, 26)),
    # London falls back on Sun 25 Oct 2026: 13:00 UTC is 14:00 on the Saturday, 13:00 on the Sunday.
    ("Europe/London", "2026-10-23", date(2026, 10, 24), date(2026, 10, 25), date(2026, 10, 19)),
])
def test_the_agenda_week_shows_sessions_on_their_local_days_through_the_dst_change(
    client, time_machine, zone, wanted, saturday, sunday, monday,
):
    now = at("2026-10-12 12:00")
    time_machine.move_to(now, tick=False)
    mentor = MentorFactory(timezone=zone)
    service = bookable_mentor(mentor, hours=range(0, 24))
    student = StudentFactory(timezone="Asia/Kolkata", full_name="Priya Student")
    give_credits(student, 8, now=now)
    on_saturday = book(student, mentor, service, at(f"{saturday.isoformat()} 13:00"), now)
    on_sunday = book(student, mentor, service, at(f"{sunday.isoformat()} 13:00"), now)
    cancelled = book(student, mentor, service, at(f"{sunday.isoformat()} 18:00"), now)
    services.session_cancel(session=cancelled, actor=student, now=now, reason="")
    client.force_login(mentor)

    response = client.get(reverse("portal:agenda"), {"week": wanted})

    week, days = response.context["week"], response.context["week_days"]
    assert week.start == monday and [d["day"] for d in days][-2:] == [saturday, sunday]
    assert days[5]["sessions"] == [on_saturday]
    assert [s.pk for s in days[6]["sessions"]] == [on_sunday.pk, cancelled.pk]
    page = html.unescape(response.content.decode())
    if zone == "America/New_York":
        assert "09:00–10:00" in page and "08:00–09:00" in page
    else:
        assert "14:00–15:00" in page and "13:00–14:00" in page
    assert days[6]["sessions"][1].status == SessionStatus.CANCELLED
    # Free hours are listed around the sessions; the first free slot is a jump away.
    assert response.context["first_free"] is not None
    assert 'data-testid="first-free"' in page and 'data-testid="week-free"' in page


def test_the_agenda_week_keeps_a_constant_number_of_queries(client, time_machine, django_assert_max_num_queries):
    now = at("2026-10-12 12:00")
    time_machine.move_to(now, tick=False)
    mentor = MentorFactory(timezone="Europe/London")
    service = bookable_mentor(mentor, hours=range(0, 24))
    client.force_login(mentor)
    url = reverse("portal:agenda") + "?week=2026-10-19"
    with django_assert_max_num_queries(40) as few:
        client.get(url)
    for day in range(5):
        student = StudentFactory(timezone="Asia/Kolkata")
        give_credits(student, 4, now=now)
        book(student, mentor, service, at(f"2026-10-{19 + day} 10:00"), now)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


def test_the_agenda_steps_its_free_times_by_the_shortest_active_service_it_offers(client, time_machine):
    now = at("2026-10-20 06:00")
    time_machine.move_to(now, tick=False)
    mentor = MentorFactory(timezone="UTC")
    bookable_mentor(mentor, service=ServiceType.objects.create(name="Long", duration_minutes=90))
    ServiceType.objects.create(name="Short but retired", duration_minutes=30, is_active=False).mentors.add(mentor)
    ServiceType.objects.create(name="B", duration_minutes=45).mentors.add(mentor)
    ServiceType.objects.create(name="A", duration_minutes=45).mentors.add(mentor)
    client.force_login(mentor)

    response = client.get(reverse("portal:agenda"))

    assert response.context["free_minutes"] == 45
    assert "book a 45-minute" in html.unescape(response.content.decode())


def test_the_agenda_of_a_mentor_offering_nothing_steps_by_the_hour(client, time_machine):
    time_machine.move_to(at("2026-10-20 06:00"), tick=False)
    mentor = MentorFactory(timezone="UTC")
    client.force_login(mentor)

    response = client.get(reverse("portal:agenda"))

    assert response.status_code == 200 and response.context["free_minutes"] == 60
