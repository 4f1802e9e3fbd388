"""Demo group sessions, made through the real services so ledgers stay consistent:
some with free seats, one full with a waitlist, a weekly series, and one in the
past with attendance marked. Safe to run again (skips if the demo mentors have any)."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from accounts.models import Role

from . import services
from .errors import SchedulingError
from .group_models import GroupSession


def _schedule(mentor, *, days: int, hour: int, now, **kwargs):
    """The first free hour from `hour` (mentor's zone) `days` from now; None if the evening is full."""
    day = (now + timedelta(days=days)).astimezone(mentor.tzinfo).date()
    for extra in range(6):
        local = datetime.combine(day, time(hour=(hour + extra) % 24), tzinfo=mentor.tzinfo)
        result = services.group_session_schedule(mentor=mentor, starts_at=local, actor=mentor, now=now, **kwargs)
        if result.created:
            return result.created
    return []


def _book(group, student, now):
    try:
        return services.group_seat_book(group=group, student=student, actor=student, now=now)
    except SchedulingError:
        return None  # the plan has no group seats left, or the student is busy then


def seed(*, users, stdout):
    mentors = {u.email: u for u in users.values() if u.role == Role.MENTOR}
    students = {u.email: u for u in users.values() if u.role == Role.STUDENT}
    if len(mentors) < 3 or GroupSession.objects.filter(mentor__in=mentors.values()).exists():
        return
    ada, grace, ravi = mentors["ada@example.com"], mentors["grace@example.com"], mentors["ravi@example.com"]
    sam, olivia, priya, mia = (students[f"{n}@example.com"] for n in ("sam", "olivia", "priya", "mia"))
    now = timezone.now()

    # In the past, attendance marked: scheduled and booked a week and a half ago.
    then = now - timedelta(days=10)
    past = _schedule(ada, days=3, hour=19, now=then, title="Git from zero", topic="Branches, rebases, recovering",
                     duration_minutes=60, seats=6)
    if past:
        group = past[0]
        seats = [s for s in (_book(group, who, then) for who in (sam, priya, mia)) if s]
        after = group.starts_at + timedelta(minutes=70)
        for seat in seats:
            services.group_attendance_mark(seat=seat, actor=ada, attended=seat.student != priya, now=after)

    # Free seats.
    for group in _schedule(ada, days=5, hour=19, now=now, title="Interview practice",
                           topic="Mock technical interviews, feedback in the room", duration_minutes=90, seats=8):
        for who in (sam, olivia):
            _book(group, who, now)
    weekly = _schedule(grace, days=3, hour=18, now=now, title="Code review clinic",
                       topic="Bring a pull request; we review it together", duration_minutes=60, seats=10, weeks=3)
    if weekly:
        _book(weekly[0], priya, now)
        _book(weekly[0], mia, now)

    # Full, with a waitlist.
    full = _schedule(ravi, days=4, hour=20, now=now, title="System design Q&A", topic="Scaling a booking system",
                     duration_minutes=60, seats=2)
    if full:
        group = full[0]
        for who in (olivia, priya):
            _book(group, who, now)
        for who in (sam, mia):
            try:
                services.waitlist_join(group=group, student=who, now=now)
            except SchedulingError:
                pass
    stdout.write("Demo group sessions: free seats, a weekly clinic, one full with a waitlist, one past with "
                 "attendance.")
