"""Demo services and sessions in every state, made through the real services
so the credit ledger stays consistent (credits_audit passes)."""

import heapq
from datetime import timedelta
from functools import partial

from django.utils import timezone

from accounts.models import Role
from mentorship.selectors import current_mentor

from . import group_demo, services
from .errors import SchedulingError
from .models import ServiceType, Session
from .selectors import free_slot_starts

DEMO_SERVICES = [
    ("1-1 Coding Mentorship", 60, "Pair on your code, review a project, get unstuck."),
    ("Career guidance", 30, "CV, portfolio, interviews and job search."),
]


def _pick(mentor, student, service, now, skip=0):
    starts = free_slot_starts(mentor=mentor, duration=service.duration, now=now, student=student)
    # Spread sessions over different days rather than back to back.
    by_day = {}
    for start in starts:
        by_day.setdefault(start.date(), start)
    choices = list(by_day.values())
    return choices[skip] if len(choices) > skip else None


def seed(*, users, stdout):
    _seed_one_to_one(users=users, stdout=stdout)
    group_demo.seed(users=users, stdout=stdout)  # after the 1-1 sessions, around their times


def _seed_one_to_one(*, users, stdout):
    coding, career = [
        ServiceType.objects.update_or_create(name=name, defaults={"duration_minutes": minutes, "description": text,
                                                                 "is_active": True})[0]
        for name, minutes, text in DEMO_SERVICES
    ]
    mentors = [u for u in users.values() if u.role == Role.MENTOR]
    for mentor in mentors:
        coding.mentors.add(mentor)
        career.mentors.add(mentor)

    students = [u for u in users.values() if u.role == Role.STUDENT]
    if Session.objects.filter(student__in=students).exists():
        return  # sessions already seeded; a rerun must not book more
    manager = next(u for u in users.values() if u.role == Role.MANAGER)
    now = timezone.now()
    made = 0
    for index, student in enumerate(students):
        mentor = current_mentor(student) or mentors[index % len(mentors)]
        made += _seed_student(student, mentor, manager, index, coding, career, now, stdout)
    made += _seed_life(users, coding, now)
    stdout.write(f"Demo sessions: {made} made through the booking services.")


def _step(label, fn):
    """One demo step; a plan that forbids it (0 sessions, a limit) just skips it."""
    try:
        return fn()
    except SchedulingError:
        return None


def _outcome_time(session, n, index, booked_at):
    if n == 1 and index % 2 == 0:
        return booked_at + timedelta(hours=2)  # the student cancels days ahead
    if n == 1:
        return session.starts_at - timedelta(hours=5)  # the mentor cancels late
    return session.ends_at + timedelta(minutes=5)


def _outcome(session, n, index, when, student, mentor, manager):
    if n == 0:
        session = services.attendance_mark(session=session, actor=mentor, attended=True, now=when)
        services.session_notes_save(session=session, actor=mentor, now=when,
                                    notes="Worked through the project plan. Next: write tests first.")
        services.feedback_leave(session=session, actor=student, rating=5 - index % 2, now=when,
                                comment="Clear and encouraging — thank you!")
    elif n == 1 and index % 2 == 0:
        services.session_cancel(session=session, actor=student, now=when)
    elif n == 1:
        services.session_cancel(session=session, actor=mentor, now=when, reason="Unwell")
    elif index == 0:
        session = services.attendance_mark(session=session, actor=mentor, attended=False, now=when)
        services.forfeit_waive(session=session, actor=manager, now=when + timedelta(hours=2),
                               reason="Student had a documented internet outage.")
    elif index == 1:
        services.attendance_mark(session=session, actor=mentor, attended=False, now=when)
    elif index == 2:
        services.mentor_no_show_record(session=session, actor=manager, now=when + timedelta(days=1),
                                       reason="Mentor confirmed they missed it.")
    else:
        services.attendance_mark(session=session, actor=mentor, attended=True, now=when)


def _seed_student(student, mentor, manager, index, coding, career, now, stdout) -> int:
    past = now - timedelta(days=20)
    made = 0
    # History, played as a timeline so every ledger reads in time order: a
    # booking every other day from three weeks ago, each followed by its outcome.
    timeline = [(past + timedelta(days=2 * n), 0, n, None) for n in range(3)]  # (when, order, n, session)
    heapq.heapify(timeline)
    while timeline:
        when, _, n, session = heapq.heappop(timeline)
        if session is None:  # a booking
            service = career if n == 1 else coding
            start = _pick(mentor, student, service, when, skip=2)  # two days on: cancellable in time
            session = start and _step(f"past booking for {student.email}", partial(
                services.booking_create, student=student, mentor=mentor, service=service, starts_at=start,
                actor=student, now=when))
            if session:
                made += 1
                heapq.heappush(timeline, (_outcome_time(session, n, index, when), 1, n, session))
            continue
        _outcome(session, n, index, when, student, mentor, manager)
    # Coming up: the soonest free time (often inside 24 h) and one a few days on.
    for skip, service in ((0, coding), (3, career)):
        start = _pick(mentor, student, service, now, skip=skip)
        if start is not None and _step(f"upcoming booking for {student.email}", partial(
                services.booking_create, student=student, mentor=mentor, service=service, starts_at=start,
                actor=student, now=now)):
            made += 1
    return made


def _seed_life(users, service, now) -> int:
    """A session in each stage of its life, at its real moment: Priya (unlimited plan) has one
    to rate, one waiting for Ravi to mark attendance and one in progress; Ada proposes
    a new time for Sam's last upcoming session."""
    made = 0
    priya, ravi = users.get("priya@example.com"), users.get("ravi@example.com")
    if priya is not None and ravi is not None:
        top = now.replace(second=0, microsecond=0)
        stages = [("to rate", top - timedelta(days=2)), ("waiting for attendance", top - timedelta(hours=3)),
                  ("in progress", top - timedelta(minutes=20))]
        for label, start in stages:
            # Booked three days ahead at a time Ravi agreed to (it may lie outside his weekly hours).
            session = _step(label, lambda start=start: services.booking_create(
                student=priya, mentor=ravi, service=service, starts_at=start, actor=priya,
                now=start - timedelta(days=3), mentor_agreed=True))
            if session is None:
                continue
            made += 1
            if label == "to rate":
                services.attendance_mark(session=session, actor=ravi, attended=True,
                                         now=session.ends_at + timedelta(minutes=5))
    sam, ada = users.get("sam@example.com"), users.get("ada@example.com")
    if sam is not None and ada is not None:
        session = Session.objects.filter(student=sam, mentor=ada, status="scheduled",
                                         starts_at__gt=now).order_by("-starts_at").first()
        if session is not None:
            starts = free_slot_starts(mentor=ada, duration=session.service.duration, now=now, student=sam,
                                      exclude_session_id=session.pk)
            other_days = [t for t in starts if t.date() != session.starts_at.date()]
            if other_days:
                _step("proposal", lambda: services.proposal_create(
                    session=session, actor=ada, starts_at=other_days[len(other_days) // 3], now=now,
                    note="A workshop moved onto our usual time — would this suit you?"))
    return made
