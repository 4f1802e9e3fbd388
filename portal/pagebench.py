"""The world `bench pages` measures, and the suite's query-count tests reuse.

`seed_world(scale)` builds (or grows) one student, their mentor and everyone
around them, at 1 × or 10 × the history a busy account has:

| per scale 1 | |
|---|---|
| mentors in the directory | 30, each with a grid, a profile, 3 skills, 2 languages |
| the student's sessions with their mentor | 24 (8 upcoming, the rest done, cancelled or forfeited) |
| the mentor's sessions | 48 (the student's plus 24 with 12 other students) |
| the student's ledger | a grant plus one consume per session, refunds for the cancelled ones |
| conversations | the student and their mentor: 40 messages; the mentor with each of 12 other students: 3 each (one unread) |
| group sessions | 6 upcoming, led by the mentor, 8 seats each, 5 or more taken by other students; the student holds a seat in every third and waits for every third (full) |

Seeding writes rows in bulk (not through the services: they are what is
measured elsewhere) but keeps every invariant the services keep: no two live
sessions of one person overlap, the balance equals the sum of the ledger.
Growing from 1 × to 10 × adds rows; nothing is rewritten.
"""

import datetime as dt
import random
import uuid
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Role, User
from conversations.models import Membership, Message, Thread
from credits.models import AllowanceKind, CreditAccount, Enrolment, EntryKind, ForfeitReason, LedgerEntry, Plan
from mentorship import weekgrid
from mentorship.models import AvailabilityGrid, Language, MentorAssignment, MentorProfile, Skill
from scheduling.group_models import GroupSeat, GroupSession, WaitlistEntry
from scheduling.models import Feedback, ServiceType, Session, SessionStatus

DOMAIN = "pages.bench.invalid"
ZONES = ["America/New_York", "Europe/London", "Asia/Kolkata", "Australia/Sydney", "America/Los_Angeles", "UTC"]
SKILLS = ["Python", "Django", "JavaScript", "SQL", "System design", "Career growth", "Interview practice",
          "Data science", "Go", "Rust", "Testing", "Product"]
LANGUAGES = ["English", "Spanish", "Hindi", "French", "German", "Portuguese"]
MENTORS_PER_SCALE = 30
STUDENT_SESSIONS_PER_SCALE = 24
OTHER_SESSIONS_PER_SCALE = 24
SLOT = dt.timedelta(hours=2)  # every session of the mentor sits on its own two-hour slot
MESSAGES_PER_SCALE = 40  # in the student's thread with their mentor
GROUPS_PER_SCALE = 6
GROUP_SEATS = 8


@dataclass
class World:
    student: User
    mentor: User
    manager: User
    service: ServiceType
    upcoming_session: Session
    scale: int


def _user(email: str, **fields) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create(email=email, password=make_password("bench-pages"), **fields)
    return user


def _weekday_grid(first_hour: int, last_hour: int) -> str:
    return weekgrid.cells_from_indices({weekgrid.cell_index(d, h) for d in range(7)
                                        for h in range(first_hour, last_hour)})


@transaction.atomic
def seed_world(scale: int, *, now: dt.datetime | None = None) -> World:
    """Build the 1 × world, or grow the existing one to `scale` × (idempotent)."""
    now = now or timezone.now()
    rng = random.Random(1700 + scale)
    skills = [Skill.objects.filter(name=n).first() or Skill.objects.create(name=n) for n in SKILLS]
    languages = [Language.objects.filter(name=n).first() or Language.objects.create(name=n) for n in LANGUAGES]
    service = ServiceType.objects.filter(name="Bench 1-1").first() or ServiceType.objects.create(
        name="Bench 1-1", duration_minutes=60)
    manager = _user(f"manager@{DOMAIN}", full_name="Bench Manager", role=Role.MANAGER, timezone="Europe/London",
                    is_staff=True, is_superuser=True)
    mentor = _user(f"mentor@{DOMAIN}", full_name="Bench Mentor", role=Role.MENTOR, timezone="UTC")
    student = _user(f"student@{DOMAIN}", full_name="Bench Student", role=Role.STUDENT, timezone="America/New_York")
    service.mentors.add(mentor)
    for user, cells in ((mentor, _weekday_grid(6, 22)), (student, _weekday_grid(10, 16))):
        AvailabilityGrid.objects.update_or_create(user=user, defaults={"cells": cells, "updated_at": now})
    profile, _ = MentorProfile.objects.get_or_create(user=mentor, defaults={
        "headline": "Backend engineer", "bio": "Bench mentor.", "video_url": "https://meet.example.com/bench",
        "capacity": 40})
    profile.skills.add(*skills[:3])
    profile.languages.add(*languages[:2])
    if not MentorAssignment.objects.current().filter(student=student).exists():
        MentorAssignment.objects.create(student=student, mentor=mentor, started_at=now, reason="bench",
                                        assigned_by=manager)

    _grow_directory(scale, rng, skills, languages, service, now)
    others = _grow_students(scale)
    _grow_sessions(scale, student=student, mentor=mentor, others=others, service=service, now=now)
    _settle_ledger(student, now=now)
    _grow_conversations(scale, student=student, mentor=mentor, others=others, now=now)
    _grow_groups(scale, student=student, mentor=mentor, others=others, now=now)
    with connection.cursor() as cursor:
        for model in (Session, LedgerEntry, User, MentorProfile, Message, Thread, GroupSession, GroupSeat):
            cursor.execute(f"ANALYZE {model._meta.db_table}")
    upcoming = Session.objects.filter(student=student).upcoming(now).order_by("starts_at").first()
    return World(student=student, mentor=mentor, manager=manager, service=service, upcoming_session=upcoming,
                 scale=scale)


def _grow_directory(scale, rng, skills, languages, service, now) -> None:
    have = User.objects.filter(email__startswith="dir-", email__endswith=f"@{DOMAIN}").count()
    want = MENTORS_PER_SCALE * scale
    if have >= want:
        return
    password = make_password(None)
    new = User.objects.bulk_create([
        User(email=f"dir-{i}@{DOMAIN}", full_name=f"Directory Mentor {i:04d}", role=Role.MENTOR,
             timezone=ZONES[i % len(ZONES)], password=password)
        for i in range(have, want)
    ])
    AvailabilityGrid.objects.bulk_create([
        AvailabilityGrid(user=u, cells=_weekday_grid(rng.randint(0, 12), rng.randint(13, 24)), updated_at=now)
        for u in new
    ])
    profiles = MentorProfile.objects.bulk_create([
        MentorProfile(user=u, headline=f"Mentor {u.full_name[-4:]}", bio="Bench mentor.", capacity=rng.randint(1, 6),
                      years_experience=rng.randint(1, 20)) for u in new
    ])
    MentorProfile.skills.through.objects.bulk_create([
        MentorProfile.skills.through(mentorprofile_id=p.pk, skill_id=s.pk) for p in profiles
        for s in rng.sample(skills, 3)
    ])
    MentorProfile.languages.through.objects.bulk_create([
        MentorProfile.languages.through(mentorprofile_id=p.pk, language_id=lang.pk) for p in profiles
        for lang in rng.sample(languages, 2)
    ])
    service.mentors.add(*new)


def _grow_students(scale) -> list[User]:
    want = 12 * scale
    have = list(User.objects.filter(email__startswith="other-", email__endswith=f"@{DOMAIN}").order_by("pk"))
    if len(have) < want:
        password = make_password(None)
        User.objects.bulk_create([
            User(email=f"other-{i}@{DOMAIN}", full_name=f"Other Student {i:04d}", role=Role.STUDENT,
                 timezone=ZONES[i % len(ZONES)], password=password)
            for i in range(len(have), want)
        ])
        have = list(User.objects.filter(email__startswith="other-", email__endswith=f"@{DOMAIN}").order_by("pk"))
    return have


def _grow_sessions(scale, *, student, mentor, others, service, now) -> None:
    """The mentor's sessions on distinct two-hour slots; a third of them upcoming (within the booking horizon)."""
    mine_want = STUDENT_SESSIONS_PER_SCALE * scale
    others_want = OTHER_SESSIONS_PER_SCALE * scale
    mine_have = Session.objects.filter(student=student).count()
    others_have = Session.objects.filter(mentor=mentor).exclude(student=student).count()
    total_have = mine_have + others_have
    anchor = now.replace(minute=0, second=0, microsecond=0)
    # Slots alternate past (going back) and upcoming (going forward from 3 days ahead), by index.
    rows = []
    states = [SessionStatus.COMPLETED, SessionStatus.COMPLETED, SessionStatus.CANCELLED, SessionStatus.FORFEITED]
    index = total_have
    for n in range(mine_have, mine_want):
        rows.append(("mine", n, index))
        index += 1
    for n in range(others_have, others_want):
        rows.append(("other", n, index))
        index += 1
    sessions = []
    for kind, n, i in rows:
        upcoming = n % 3 == 0
        if upcoming:
            starts = anchor + dt.timedelta(days=3) + SLOT * (i // 3)
        else:
            starts = anchor - dt.timedelta(days=2) - SLOT * i
        status = SessionStatus.SCHEDULED if upcoming else states[n % len(states)]
        who = student if kind == "mine" else others[n % len(others)]
        sessions.append(Session(
            student=who, mentor=mentor, service=service, starts_at=starts, ends_at=starts + service.duration,
            status=status, video_url="https://meet.example.com/bench", created_at=starts - dt.timedelta(days=7),
            created_by=who, status_changed_at=None if upcoming else starts, status_note="" if upcoming else "bench",
        ))
    created = Session.objects.bulk_create(sessions)
    Feedback.objects.bulk_create([
        Feedback(session=s, rating=4 + s.pk % 2, comment="Helpful.", created_at=s.ends_at)
        for s in created if s.status == SessionStatus.COMPLETED
    ])


def _settle_ledger(student: User, *, now) -> None:
    """A pack big enough for every session, one consume per session, refunds for the cancelled ones, forfeits
    recorded; the balance equals the sum of the entries."""
    plan = Plan.objects.filter(name="Bench pack").first() or Plan.objects.create(
        name="Bench pack", allowance_kind=AllowanceKind.PACK, sessions=0)
    enrolment = Enrolment.objects.current().filter(student=student).first() or Enrolment.objects.create(
        student=student, plan=plan, starts_on=(now - dt.timedelta(days=400)).date())
    account, _ = CreditAccount.objects.get_or_create(student=student)
    paid = set(LedgerEntry.objects.filter(account=account, kind=EntryKind.CONSUME).values_list("session_id", flat=True))
    new = list(Session.objects.filter(student=student).exclude(pk__in=paid).order_by("created_at", "pk"))
    if not new:
        return
    balance = account.balance
    entries = []
    topup = len(new) + 5
    balance += topup
    entries.append(LedgerEntry(account=account, kind=EntryKind.TOPUP, amount=topup, balance_after=balance,
                               enrolment=enrolment, note="bench top-up", created_at=new[0].created_at))
    for s in new:
        balance -= 1
        entries.append(LedgerEntry(account=account, kind=EntryKind.CONSUME, amount=-1, balance_after=balance,
                                   session_id=s.pk, enrolment=enrolment, note="Bench 1-1", created_at=s.created_at))
    for s in new:
        if s.status == SessionStatus.CANCELLED:
            balance += 1
            entries.append(LedgerEntry(account=account, kind=EntryKind.REFUND, amount=1, balance_after=balance,
                                       session_id=s.pk, enrolment=enrolment, note="cancelled by you",
                                       created_at=s.starts_at))
        elif s.status == SessionStatus.FORFEITED:
            entries.append(LedgerEntry(account=account, kind=EntryKind.FORFEIT, amount=0, balance_after=balance,
                                       session_id=s.pk, enrolment=enrolment, reason=ForfeitReason.LATE_CANCELLATION,
                                       note="cancelled 3 h before start", created_at=s.starts_at))
    LedgerEntry.objects.bulk_create(entries)
    CreditAccount.objects.filter(pk=account.pk).update(balance=balance)


def _grow_conversations(scale, *, student, mentor, others, now) -> None:
    """The student's thread with their mentor grows by 40 messages per scale (older ones added behind the
    newest); the mentor has a thread with every other student, three messages each, the last one unread."""
    def thread_with(pupil, first_at):
        thread, made = Thread.objects.get_or_create(student=pupil, mentor=mentor, defaults={"created_at": first_at})
        if made:
            Membership.objects.bulk_create([Membership(thread=thread, user=pupil, last_read_at=now),
                                            Membership(thread=thread, user=mentor, last_read_at=now)])
        return thread

    def add(thread, pupil, count, *, newest_at):
        have = Message.objects.filter(thread=thread).count()
        if have >= count:
            return
        # Message j is j half-hours older than the newest: growing adds older history, the newest stays.
        made = Message.objects.bulk_create([
            Message(thread=thread, sender=pupil if j % 2 else mentor, body=f"Bench message {j}: how is it going?",
                    created_at=newest_at - dt.timedelta(minutes=30 * j), submit_key=uuid.uuid4())
            for j in range(have, count)
        ])
        if have == 0:
            newest = made[0]
            Thread.objects.filter(pk=thread.pk).update(last_message=newest, last_message_at=newest.created_at)

    anchor = now.replace(second=0, microsecond=0)
    thread = thread_with(student, anchor - dt.timedelta(days=60))
    add(thread, student, MESSAGES_PER_SCALE * scale, newest_at=anchor - dt.timedelta(hours=1))
    for i, pupil in enumerate(others):
        newest_at = anchor - dt.timedelta(hours=2 + i)
        other_thread = thread_with(pupil, newest_at - dt.timedelta(days=3))
        if not Message.objects.filter(thread=other_thread).exists():
            add(other_thread, pupil, 3, newest_at=newest_at)
            # Message 0 (the newest) is the mentor's when j is even: make the one before it unread for them.
            Membership.objects.filter(thread=other_thread, user=mentor).update(
                unread_count=1, unread_since=newest_at - dt.timedelta(minutes=30),
                last_read_at=newest_at - dt.timedelta(minutes=60))


def _grow_groups(scale, *, student, mentor, others, now) -> None:
    """Upcoming group sessions led by the mentor, on the odd hours its one-on-one sessions leave free;
    5 of 8 seats taken by other students, the student in every third and waiting for a full one next to it,
    their group seats paid from a group allowance (the group balance equals the sum of its entries)."""
    have = GroupSession.objects.filter(mentor=mentor).count()
    want = GROUPS_PER_SCALE * scale
    if have >= want:
        return
    anchor = now.replace(minute=0, second=0, microsecond=0) + dt.timedelta(days=3, hours=1)
    made = GroupSession.objects.bulk_create([
        GroupSession(mentor=mentor, title=f"Bench group {i}", topic="Code review clinic",
                     starts_at=anchor + SLOT * (3 * i), ends_at=anchor + SLOT * (3 * i) + dt.timedelta(hours=1),
                     seats=GROUP_SEATS, video_url="https://meet.example.com/bench-group", created_at=now,
                     created_by=mentor)
        for i in range(have, want)
    ])
    seats, waits, mine = [], [], []
    for n, group in enumerate(made, start=have):
        takers = [others[(n + k) % len(others)] for k in range(5)]
        if n % 3 == 0:
            takers.append(student)
        if n % 3 == 1:  # full: the student waits for it
            takers += [others[(n + k) % len(others)] for k in range(5, GROUP_SEATS)]
            waits.append(WaitlistEntry(session=group, student=student, joined_at=now))
        for taker in dict.fromkeys(takers):
            seat = GroupSeat(session=group, student=taker, booked_at=now, starts_at=group.starts_at,
                             ends_at=group.ends_at)
            seats.append(seat)
            if taker == student:
                mine.append(seat)
    GroupSeat.objects.bulk_create(seats)
    WaitlistEntry.objects.bulk_create(waits)
    for group in made:
        GroupSession.objects.filter(pk=group.pk).update(
            seats_taken=GroupSeat.objects.filter(session=group).count())
    account, _ = CreditAccount.objects.get_or_create(student=student)
    balance = account.group_balance + len(mine) + 2
    entries = [LedgerEntry(account=account, kind=EntryKind.GROUP_GRANT, amount=len(mine) + 2, balance_after=balance,
                           note="bench group seats", created_at=now)]
    for seat in mine:
        balance -= 1
        entries.append(LedgerEntry(account=account, kind=EntryKind.GROUP_CONSUME, amount=-1, balance_after=balance,
                                   group_seat_id=seat.pk, note="Bench group", created_at=now))
    LedgerEntry.objects.bulk_create(entries)
    CreditAccount.objects.filter(pk=account.pk).update(group_balance=balance)
