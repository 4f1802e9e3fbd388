"""Races for group seats on real PostgreSQL connections: never oversold, one seat one person."""

from datetime import timedelta

import pytest

from accounts.tests.factories import MentorFactory, StudentFactory
from credits.models import EntryKind, LedgerEntry
from scheduling import services
from scheduling.errors import SchedulingError
from scheduling.group_models import GroupSeat, GroupSession, SeatStatus, WaitStatus
from scheduling.services import SessionFull
from scheduling.tests.group_helpers import give_group_credits, group_balance, schedule
from scheduling.tests.helpers import at
from scheduling.tests.test_concurrency import run_together

pytestmark = pytest.mark.django_db(transaction=True)
NOW = at("2027-01-10 12:00")
START = at("2027-01-14 15:00")


def _students(n, seats=1):
    people = [StudentFactory(timezone="UTC") for _ in range(n)]
    for s in people:
        give_group_credits(s, seats, now=NOW)
    return people


def _assert_never_oversold(group):
    group.refresh_from_db()
    live = GroupSeat.objects.filter(session=group, status=SeatStatus.BOOKED).count()
    assert group.seats_taken == live <= group.seats
    consumed = LedgerEntry.objects.filter(kind=EntryKind.GROUP_CONSUME,
                                          group_seat_id__in=GroupSeat.objects.filter(session=group).values("pk"))
    refunded = LedgerEntry.objects.filter(kind=EntryKind.GROUP_REFUND,
                                          group_seat_id__in=GroupSeat.objects.filter(session=group).values("pk"))
    forfeited = GroupSeat.objects.filter(session=group, status=SeatStatus.FORFEITED).count()
    assert consumed.count() - refunded.count() == live + forfeited  # a seat left late keeps its credit


def test_thirty_students_racing_for_the_last_five_seats_take_exactly_five():
    mentor = MentorFactory(timezone="UTC")
    group = schedule(mentor, START, now=NOW, seats=10)
    for s in _students(5):
        services.group_seat_book(group=group, student=s, actor=s, now=NOW)
    racers = _students(30)

    outcomes = run_together([
        (lambda s=s: services.group_seat_book(group=group, student=s, actor=s, now=NOW)) for s in racers
    ])

    won = [o for o in outcomes if isinstance(o, GroupSeat)]
    refused = [o for o in outcomes if isinstance(o, SessionFull)]
    assert len(won) == 5 and len(refused) == 25, outcomes
    _assert_never_oversold(group)
    assert sorted(group_balance(s) for s in racers) == [0] * 5 + [1] * 25


def test_a_seat_freed_early_goes_to_exactly_one_person_while_bookers_and_a_second_fill_race_for_it():
    mentor = MentorFactory(timezone="UTC")
    group = schedule(mentor, START, now=NOW, seats=2)
    holders = _students(2)
    seats = [services.group_seat_book(group=group, student=s, actor=s, now=NOW) for s in holders]
    waiting = _students(5)
    for s in waiting:
        services.waitlist_join(group=group, student=s, now=NOW)
    bookers = _students(10)

    outcomes = run_together(
        [lambda: services.group_seat_cancel(seat=seats[0], actor=holders[0], now=NOW)]
        + [lambda: services.waitlist_fill(group=group, now=NOW)] * 3
        + [(lambda s=s: services.group_seat_book(group=group, student=s, actor=s, now=NOW)) for s in bookers]
    )

    assert not [o for o in outcomes if isinstance(o, Exception) and not isinstance(o, SessionFull)], outcomes
    _assert_never_oversold(group)
    group.refresh_from_db()
    assert group.seats_taken == 2
    newcomers = GroupSeat.objects.filter(session=group, status=SeatStatus.BOOKED).exclude(student=holders[1])
    assert newcomers.count() == 1
    winner = newcomers.get().student
    promoted = group.waitlist.filter(status=WaitStatus.PROMOTED)
    if winner in waiting:
        # The waitlist won: it was the first in line, and only them.
        assert winner == waiting[0] and promoted.count() == 1
    else:
        assert winner in bookers and promoted.count() == 0
    assert sum(group_balance(s) for s in waiting + bookers) == 15 - 1


def test_ten_waiting_students_accepting_one_offered_seat_at_once_give_it_to_exactly_one():
    mentor = MentorFactory(timezone="UTC")
    group = schedule(mentor, START, now=NOW, seats=2)
    holders = _students(2)
    seats = [services.group_seat_book(group=group, student=s, actor=s, now=NOW) for s in holders]
    waiting = _students(10)
    entries = [services.waitlist_join(group=group, student=s, now=NOW) for s in waiting]
    soon = START - timedelta(hours=3)
    services.group_seat_cancel(seat=seats[0], actor=holders[0], now=soon, expect_forfeit=True)

    outcomes = run_together([
        (lambda e=e, s=s: services.waitlist_accept(entry=e, student=s, now=soon)) for e, s in zip(entries, waiting, strict=True)
    ])

    won = [o for o in outcomes if isinstance(o, GroupSeat)]
    lost = [o for o in outcomes if isinstance(o, SchedulingError)]
    assert len(won) == 1 and len(lost) == 9, outcomes
    assert all("just before you" in o.message for o in lost)
    _assert_never_oversold(group)
    assert GroupSession.objects.get(pk=group.pk).seats_taken == 2
    assert group.waitlist.filter(status=WaitStatus.WAITING).count() == 9
