"""Reads for group sessions: the students' list, one session's page, homes and feeds."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Exists, F, IntegerField, OuterRef, Prefetch, Q, Value

from accounts.models import Role, User
from config.prepared import Prepared, first_of

from .group_models import (
    GroupSeat,
    GroupSession,
    GroupStatus,
    SeatStatus,
    WaitlistEntry,
    WaitStatus,
)
from .wording import FREE_CANCELLATION_WINDOW

FEED_PAST = timedelta(days=60)
FEED_LEFT_RECENT = timedelta(days=14)


@dataclass
class GroupRow:
    group: GroupSession
    my_seat: bool
    my_wait: bool
    skill_names: list[str]


GROUPS_PER_PAGE = 20


def skill_names() -> ArraySubquery:
    """A group session's skills' names in name order, as an annotation (no query of its own)."""
    return ArraySubquery(GroupSession.skills.through.objects.filter(groupsession=OuterRef("pk"))
                         .order_by("skill__name").values("skill__name"))


def upcoming_for_student(student: User, *, now: datetime, skill_id: int | None = None, mentor_id: int | None = None,
                         page: int = 1, per_page: int = GROUPS_PER_PAGE) -> tuple[list[GroupRow], bool]:
    """A page of upcoming group sessions, each with whether the student holds a seat or waits for one and its
    skills' names, in one query; and whether a later page exists. Compiled once per process for each filter
    shape and page (`_upcoming_page`)."""
    first = (max(page, 1) - 1) * per_page
    found = _upcoming_page(skill_id is not None, bool(mentor_id), first, per_page + 1).fetch(
        {"student": student.pk, "now": now, "skill": skill_id, "mentor": mentor_id})
    return [GroupRow(g, g.my_seat, g.my_wait, g.skill_names) for g in found[:per_page]], len(found) > per_page


def _upcoming_query(student: int, now: datetime, skill: int | None = None, mentor: int | None = None):
    """What `upcoming_for_student` reads: the upcoming sessions (of the skill, of the mentor, when given) in
    start order, with the student's seat and wait and the skills' names."""
    seat = GroupSeat.objects.filter(session=OuterRef("pk"), student_id=student, status=SeatStatus.BOOKED)
    wait = WaitlistEntry.objects.filter(session=OuterRef("pk"), student_id=student, status=WaitStatus.WAITING)
    groups = (GroupSession.objects.upcoming(now)
              .select_related("mentor").only(*GROUP_ROW_FIELDS)
              .annotate(my_seat=Exists(seat), my_wait=Exists(wait), skill_names=skill_names())
              .order_by("starts_at", "pk"))
    if skill is not None:
        groups = groups.filter(skills=skill)
    if mentor:
        groups = groups.filter(mentor_id=mentor)
    return groups


@lru_cache(maxsize=64)
def _upcoming_page(by_skill: bool, by_mentor: bool, first: int, count: int) -> Prepared:
    """The list's read for one filter shape and page (the slice is written into the SQL), compiled once."""
    arguments = {"student": "int", "now": "datetime"} | ({"skill": "int"} if by_skill else {}) | (
        {"mentor": "int"} if by_mentor else {})
    return Prepared(lambda **given: _upcoming_query(**given)[first:first + count], **arguments)


# What a row of the list shows (templates/scheduling/group_list.html).
GROUP_ROW_FIELDS = ("title", "topic", "starts_at", "ends_at", "seats", "seats_taken", "mentor__full_name",
                    "mentor__email")


def mentors_with_groups(*, now: datetime) -> list[tuple[int, str]]:
    """(id, name) of each mentor with an upcoming group session, for the list's filter."""
    return [(pk, full_name or email) for pk, full_name, email in _MENTORS_WITH_GROUPS.fetch({"now": now})]


# Compiled once per process (config/prepared.py): the list reads it on every view.
_MENTORS_WITH_GROUPS = Prepared(
    lambda now: (User.objects.filter(role=Role.MENTOR, group_sessions__status=GroupStatus.SCHEDULED,
                                     group_sessions__starts_at__gt=now)
                 .distinct().order_by("full_name").values_list("pk", "full_name", "email")),
    now="datetime")




def group_for_page(pk: int) -> GroupSession | None:
    """The group session with its mentor, who cancelled it and its skills' names (`skill_names`), for its page:
    compiled once per process (config/prepared.py), as are the student's seat and waitlist place in it."""
    return _GROUP_FOR_PAGE.fetch_first({"pk": pk})


def seat_of(group: GroupSession, student: User) -> GroupSeat | None:
    """The student's seat in the group session (booked, attended or a no-show), if any."""
    return _SEAT_OF.fetch_first({"group": group.pk, "student": student.pk})


def waiting_entry_of(group: GroupSession, student: User) -> WaitlistEntry | None:
    """The student's place on the group session's waitlist, while waiting."""
    return _WAITING_ENTRY_OF.fetch_first({"group": group.pk, "student": student.pk})


_GROUP_FOR_PAGE = Prepared(lambda pk: (GroupSession.objects.select_related("mentor", "cancelled_by")
                                       .annotate(skill_names=skill_names()).filter(pk=pk).order_by()[:1]), pk="int")
_SEAT_OF = Prepared(lambda group, student: first_of(GroupSeat.objects.filter(
    session_id=group, student_id=student, status__in=[SeatStatus.BOOKED, SeatStatus.ATTENDED, SeatStatus.NO_SHOW])),
    group="int", student="int")
_WAITING_ENTRY_OF = Prepared(lambda group, student: first_of(WaitlistEntry.objects.filter(
    session_id=group, student_id=student, status=WaitStatus.WAITING)), group="int", student="int")


def for_mentor(mentor: User, *, now: datetime) -> dict:
    base = GroupSession.objects.filter(mentor=mentor).prefetch_related("skills")
    return {
        "upcoming": list(base.filter(status=GroupStatus.SCHEDULED, ends_at__gt=now).order_by("starts_at")[:100]),
        "past": list(base.exclude(status=GroupStatus.SCHEDULED, ends_at__gt=now).order_by("-starts_at")[:50]),
    }


@dataclass(frozen=True)
class OverviewPlace:
    """A booked seat or a waitlist place as the student's overview lists it."""
    session_id: int
    title: str
    starts_at: datetime
    ends_at: datetime
    session_starts_at: datetime
    mentor_name: str

    @property
    def cancellation_deadline(self) -> datetime:
        return self.session_starts_at - FREE_CANCELLATION_WINDOW


_PLACE_COLUMNS = ("_kind", "session_id", "session__title", "_starts", "_ends", "session__starts_at",
                  "session__mentor__full_name", "session__mentor__email")


def _seats_ahead(student: User, *, now: datetime):
    return GroupSeat.objects.filter(student=student, status=SeatStatus.BOOKED, ends_at__gt=now,
                                    session__status=GroupStatus.SCHEDULED)


def _waits_ahead(student: User, *, now: datetime):
    return WaitlistEntry.objects.filter(student=student, status=WaitStatus.WAITING,
                                        session__status=GroupStatus.SCHEDULED, session__starts_at__gt=now)


def any_places(student: User, *, now: datetime) -> dict:
    """Whether `student_places` would find anything, as expressions a page can read along with another query
    (most students hold no seat and wait for none: then the overview needs no read of them)."""
    return {"any_seats": Exists(_seats_ahead(student, now=now)), "any_waits": Exists(_waits_ahead(student, now=now))}


def student_places(student: User, *, now: datetime,
                   any_places: bool | None = None) -> tuple[list[OverviewPlace], list[OverviewPlace]]:
    """(booked seats in sessions still ahead, waitlist places for sessions not started yet), 20 of each in
    start order, for the overview: one query (UNION ALL of two column lists) rather than two reads of
    whole seat, session and mentor rows. `any_places`: what `any_places` answered (False: no query)."""
    if any_places is False:
        return [], []
    found: tuple[list, list] = ([], [])
    for kind, session_id, title, starts, ends, session_starts, full_name, email in _PLACES_READ.fetch(
            {"student": student.pk, "now": now}):
        found[kind].append(OverviewPlace(session_id, title, starts, ends, session_starts, full_name or email))
    for places in found:  # UNION ALL promises no order
        places.sort(key=lambda p: p.starts_at)
    return found


def _places_query(student: int, now: datetime):
    seats = (_seats_ahead(student, now=now)
             .annotate(_kind=Value(0, output_field=IntegerField()), _starts=F("starts_at"), _ends=F("ends_at"))
             .values_list(*_PLACE_COLUMNS).order_by("starts_at")[:20])
    waits = (_waits_ahead(student, now=now)
             .annotate(_kind=Value(1, output_field=IntegerField()), _starts=F("session__starts_at"),
                       _ends=F("session__ends_at"))
             .values_list(*_PLACE_COLUMNS).order_by("session__starts_at")[:20])
    return seats.union(waits, all=True)


# Compiled once per process (config/prepared.py): the overview reads it on every view of a student with places.
_PLACES_READ = Prepared(_places_query, student="int", now="datetime")


def attendees(group: GroupSession) -> list[GroupSeat]:
    return list(group.seat_set.filter(status__in=[SeatStatus.BOOKED, SeatStatus.ATTENDED, SeatStatus.NO_SHOW])
                .select_related("student").order_by("booked_at", "pk"))


def waitlist(group: GroupSession) -> list[WaitlistEntry]:
    return list(group.waitlist.filter(status=WaitStatus.WAITING).select_related("student").order_by("joined_at", "pk"))


def feed_groups(user: User, *, now: datetime) -> list[tuple]:
    """(group, attendees shown, cancelled for this person) for the user's calendar feed.

    Students: each session they hold (or recently held) a seat in, one event per
    session — a later live seat wins over a cancelled one. Mentors: their
    sessions with every attendee listed.
    """
    since = now - FEED_PAST
    if user.role == Role.MENTOR:
        groups = (GroupSession.objects.filter(mentor=user, starts_at__gte=since)
                  .filter(~Q(status=GroupStatus.CANCELLED) | Q(cancelled_at__gte=now - FEED_LEFT_RECENT))
                  .select_related("mentor")
                  .prefetch_related(Prefetch("seat_set", queryset=GroupSeat.objects.filter(
                      status__in=[SeatStatus.BOOKED, SeatStatus.ATTENDED, SeatStatus.NO_SHOW]).select_related(
                      "student"), to_attr="live_seats")).order_by("starts_at"))
        return [(g, [user] + [s.student for s in g.live_seats], g.status == GroupStatus.CANCELLED) for g in groups]
    seats = (GroupSeat.objects.filter(student=user, starts_at__gte=since)
             .filter(Q(status__in=[SeatStatus.BOOKED, SeatStatus.ATTENDED, SeatStatus.NO_SHOW])
                     | Q(status_changed_at__gte=now - FEED_LEFT_RECENT))
             .select_related("session__mentor").order_by("starts_at", "pk"))
    by_group: dict[int, GroupSeat] = {}
    for seat in seats:
        held = by_group.get(seat.session_id)
        if held is None or not held.is_live:
            by_group[seat.session_id] = seat
    return [(s.session, [user], not s.is_live or s.session.status == GroupStatus.CANCELLED)
            for s in by_group.values()]
