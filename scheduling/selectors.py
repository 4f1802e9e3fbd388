"""Reads for scheduling: bookable slots, dashboards, agendas."""

from bisect import bisect_left
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models import Exists, IntegerField, Q, Value
from django.db.models.base import ModelState
from django.db.models.signals import post_init, pre_init
from django.utils.dateparse import parse_date

from accounts.models import User
from config.prepared import Prepared, execute_plain
from mentorship.models import AvailabilityGrid, DateOverride, TimeOff
from mentorship.selectors import days_to_utc, grid_cells, with_date_overrides
from mentorship.weekgrid import EMPTY as EMPTY_GRID
from mentorship.weekgrid import expand_to_utc
from mentorship.weekgrid import merge_intervals as merge

from .models import (
    JOIN_OPENS_BEFORE,
    LIVE_STATUSES,
    Feedback,
    FlashRequest,
    GroupSeat,
    GroupSession,
    PauseRequest,
    ServiceType,
    Session,
    SessionStatus,
)
from .slots import Interval, slot_starts
from .wording import cancellation_terms, phase, starts_within_free_cancellation_window


def booking_window(now: datetime) -> tuple[datetime, datetime]:
    """From now + minimum notice to the booking horizon."""
    return (
        now + timedelta(minutes=settings.BOOKING_MIN_NOTICE_MINUTES),
        now + timedelta(days=settings.BOOKING_HORIZON_DAYS),
    )


def pending_for_mentor_requests(mentor: User, *, now: datetime):
    """Flash requests waiting for this mentor's answer that can still be booked (a queryset; the agenda counts
    them in its statement, scheduling/flash.py's pending_for_mentor on its own)."""
    earliest, _ = booking_window(now)
    return _flash_waiting(mentor, earliest=earliest)


def _flash_waiting(mentor: User, *, earliest: datetime):
    return FlashRequest.objects.filter(mentor=mentor, status=FlashRequest.Status.PENDING,
                                       proposed_starts_at__gte=earliest)


@dataclass
class MentorCalendar:
    cells: str
    sessions: list[tuple[datetime, datetime, int]]
    time_off: list[tuple[date, date]]
    overrides: list[tuple[date, str]] = field(default_factory=list)  # (local date, 24 hour cells)
    # The student's approved pauses (first and last day, in the student's zone); empty without a student.
    pauses: list[tuple[date, date]] = field(default_factory=list)


# What `mentor_calendar` reads, one row per item: (kind, cells, starts_at, ends_at, mentor_id, first day, last day).
_CALENDAR_SQL = f"""
        SELECT 'g', cells, CAST(NULL AS timestamp with time zone), CAST(NULL AS timestamp with time zone),
               CAST(NULL AS bigint), CAST(NULL AS date), CAST(NULL AS date)
          FROM {AvailabilityGrid._meta.db_table} WHERE user_id = %s
        UNION ALL
        SELECT 'd', hours, NULL, NULL, NULL, date, NULL
          FROM {DateOverride._meta.db_table} WHERE user_id = %s AND date >= %s AND date <= %s
        UNION ALL
        SELECT 'o', NULL, NULL, NULL, NULL, starts_on, ends_on
          FROM {TimeOff._meta.db_table} WHERE user_id = %s AND ends_on >= %s AND starts_on <= %s
        UNION ALL
        SELECT 's', NULL, starts_at, ends_at, mentor_id, NULL, NULL
          FROM {Session._meta.db_table}
         WHERE (mentor_id = %s OR student_id = %s) AND status IN (%s, %s)
           AND starts_at < %s AND ends_at > %s AND id <> %s
        UNION ALL
        SELECT 's', NULL, starts_at, ends_at, mentor_id, NULL, NULL
          FROM {GroupSession._meta.db_table}
         WHERE mentor_id = %s AND status <> 'cancelled' AND starts_at < %s AND ends_at > %s
        UNION ALL
        SELECT 's', NULL, starts_at, ends_at, CAST(-1 AS bigint), NULL, NULL
          FROM {GroupSeat._meta.db_table}
         WHERE student_id = %s AND status IN ('booked', 'attended', 'no_show') AND starts_at < %s AND ends_at > %s
        UNION ALL
        SELECT 'p', NULL, NULL, NULL, NULL, starts_on, ends_on
          FROM {PauseRequest._meta.db_table} WHERE student_id = %s AND status = %s AND starts_on <= %s AND ends_on >= %s
    """


def _calendar_params(*, mentor: User, student: User | None, start: datetime, end: datetime,
                     exclude_session_id: int | None) -> list:
    zone = mentor.tzinfo
    first_day, last_day = start.astimezone(zone).date(), end.astimezone(zone).date()
    return [
        mentor.pk,
        mentor.pk, first_day, last_day,
        mentor.pk, first_day, last_day,
        mentor.pk, student.pk if student is not None else -1, *LIVE_STATUSES,
        end, start,
        exclude_session_id if exclude_session_id is not None else -1,
        # The mentor's group sessions and the student's group seats hold their time too.
        mentor.pk, end, start,
        student.pk if student is not None else -1, end, start,
        # Pause days are local to the student: a day's margin either side, as `pauses.pause_intervals` reads them.
        student.pk if student is not None else -1, PauseRequest.Status.APPROVED,
        (end + timedelta(days=1)).date(),
        (start - timedelta(days=1)).date(),
    ]


def _calendar_of(rows) -> MentorCalendar:
    """The calendar from `_CALENDAR_SQL`'s rows."""
    calendar = MentorCalendar(cells=EMPTY_GRID, sessions=[], time_off=[], overrides=[])
    for kind, cells, s_start, s_end, mentor_id, first_day, last_day in rows:
        if kind == "g":
            calendar.cells = cells
        elif kind == "d":
            calendar.overrides.append((first_day, cells))
        elif kind == "o":
            calendar.time_off.append((first_day, last_day))
        elif kind == "p":
            calendar.pauses.append((first_day, last_day))
        else:
            calendar.sessions.append((s_start, s_end, mentor_id))
    return calendar


def mentor_calendar(*, mentor: User, student: User | None, start: datetime, end: datetime,
              exclude_session_id: int | None) -> MentorCalendar:
    """Everything slot search reads, in one statement and one round trip.

    Slot search is the hottest read in the product (every slot page, every
    booking re-check). Built through the ORM, its three small queries cost
    about a millisecond each in Python alone — more than PostgreSQL takes to
    run them — so this is one plain parameterised UNION instead (`_CALENDAR_SQL`),
    prepared once per connection (PostgreSQL took longer to plan it than to run it):
    the mentor's grid, their date overrides, their time off, the live sessions of the
    mentor or the student (1-1, the mentor's group sessions, the student's group
    seats), and the student's approved pauses.
    """
    params = _calendar_params(mentor=mentor, student=student, start=start, end=end,
                              exclude_session_id=exclude_session_id)
    with connection.cursor() as cursor:
        execute_plain(cursor, _CALENDAR_SQL, params)
        return _calendar_of(cursor.fetchall())


def _calendar_window(mentor: User, now: datetime) -> tuple[datetime, datetime, datetime, datetime, datetime]:
    """(earliest, horizon, expand_from, and the calendar's start and end) of `free_slot_starts` at `now`."""
    earliest, horizon = booking_window(now)
    # Expand from a local hour a day early, so every block starts on one of the
    # mentor's wall-clock hours: the anchor of its 30-minute steps.
    expand_from = (earliest - timedelta(days=1)).astimezone(mentor.tzinfo).replace(minute=0, second=0, microsecond=0)
    buffer = timedelta(minutes=settings.BOOKING_BUFFER_MINUTES)
    return earliest, horizon, expand_from, expand_from - buffer, horizon + buffer


def _busy_intervals(calendar: MentorCalendar, *, mentor: User, student: User | None, start: datetime,
                    end: datetime, pauses=None) -> list[Interval]:
    buffer = timedelta(minutes=settings.BOOKING_BUFFER_MINUTES)
    busy, mentor_pk, no_pad = [], mentor.pk, timedelta(0)  # read once: `mentor` is often request.user (a lazy object)
    for s, e, mentor_id in calendar.sessions:
        # The buffer is the mentor's rest between sessions; a student's own
        # other sessions block only their exact time.
        pad = buffer if mentor_id == mentor_pk else no_pad
        busy.append((s - pad, e + pad))
    busy.extend(days_to_utc(calendar.time_off, mentor.tzinfo, start, end))
    if pauses is not None:
        busy.extend(p.utc_range() for p in pauses)
    elif student is not None:
        # No booking inside an approved pause: from local midnight of its first day to local midnight after its last.
        zone = student.tzinfo
        busy.extend((datetime.combine(first, time.min, tzinfo=zone),
                     datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone))
                    for first, last in calendar.pauses)
    return merge(busy)


def free_slot_starts(
    *, mentor: User, duration: timedelta, now: datetime, student: User | None = None,
    exclude_session_id: int | None = None, pauses=None, calendar: MentorCalendar | None = None,
) -> list[datetime]:
    """Every start (UTC) at which `mentor` can take a session of `duration`.

    From the mentor's weekly grid (wall clock in their zone, expanded date by
    date so daylight saving moves the instant), minus time off, minus live
    sessions (of the mentor, plus buffer, and of the student), within the
    notice/horizon window, on a 30-minute step. `pauses`: the student's
    approved pauses over the window, when the caller already read them.
    `calendar`: the mentor's calendar over the window at `now`, with no student and
    nothing excluded, when the caller already read it (the agenda: `mentor_agenda`).
    """
    earliest, horizon, expand_from, start, end = _calendar_window(mentor, now)
    if calendar is None:
        calendar = mentor_calendar(mentor=mentor, student=student, start=start, end=end,
                                   exclude_session_id=exclude_session_id)
    if "1" not in calendar.cells and not any("1" in cells for _, cells in calendar.overrides):
        return []
    available = with_date_overrides(expand_to_utc(calendar.cells, mentor.tzinfo, expand_from, horizon),
                                    calendar.overrides, mentor.tzinfo, expand_from, horizon)
    busy = _busy_intervals(calendar, mentor=mentor, student=student, start=expand_from, end=horizon, pauses=pauses)
    return slot_starts(
        available, busy, duration=duration, step=timedelta(minutes=settings.BOOKING_SLOT_STEP_MINUTES),
        earliest=earliest, latest_end=horizon,
    )


def nearest_starts(starts: list[datetime], wanted: datetime, count: int = 3) -> list[datetime]:
    """The `count` starts nearest `wanted`, in time order. `starts` are sorted (as free_slot_starts gives
    them), so only the `count` on each side of where `wanted` would go can be nearest."""
    at = bisect_left(starts, wanted)
    around = starts[max(0, at - count):at + count]
    return sorted(sorted(around, key=lambda t: abs((t - wanted).total_seconds()))[:count])


@dataclass(frozen=True)
class SlotChoice:
    starts_at: datetime  # UTC
    local: datetime  # in the viewer's zone
    in_your_hours: bool  # inside the student's own weekly availability
    within_24h: bool = False  # booked now, it could not be cancelled for free
    late_note: str = ""  # "starts in 5 h — can't be cancelled for free" inside the 24 hours

    @property
    def iso(self) -> str:
        """The slot's id in links and forms: its start in the viewer's zone, ISO 8601."""
        return self.local.isoformat()


def slots_by_day(*, starts: list[datetime], duration: timedelta, viewer: User, now: datetime) -> "OrderedDict[date, list[SlotChoice]]":
    """Group starts by the viewer's local date; mark those inside the viewer's own hours."""
    tz = ZoneInfo(viewer.timezone)
    own_cells = grid_cells(viewer)
    own: list[Interval] = []
    if starts and "1" in own_cells:
        own = expand_to_utc(own_cells, tz, starts[0] - timedelta(days=1), starts[-1] + duration + timedelta(days=1))
    own = sorted(merge(own))
    days: OrderedDict[date, list[SlotChoice]] = OrderedDict()
    # Starts are sorted and share one duration, so one pass over the viewer's
    # own intervals marks them all (an interval that ends before a slot does
    # cannot hold that slot or any later one).
    j, count = 0, len(own)
    for start in starts:
        end = start + duration
        while j < count and own[j][1] < end:
            j += 1
        local = start.astimezone(tz)
        # Only a start inside the 24 hours has a note; the rest (nearly all) are free to cancel and need no
        # wording (cancellation_terms formats a deadline: the slot picker's biggest cost per slot).
        if starts_within_free_cancellation_window(start, now=now):
            terms = cancellation_terms(start, now=now, tz=tz)
            late, note = terms.is_late, terms.short
        else:
            late, note = False, ""
        days.setdefault(local.date(), []).append(SlotChoice(start, local, j < count and own[j][0] <= start, late, note))
    return days


# --- week views -----------------------------------------------------------------


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True)
class WeekDay:
    day: date
    items: list
    is_today: bool


@dataclass(frozen=True)
class Week:
    """Seven local days from a Monday, each with its items, and where the neighbours are."""

    start: date
    days: list[WeekDay]
    previous: date | None
    next: date | None

    @property
    def end(self) -> date:
        return self.start + timedelta(days=6)


def week_view(items_by_day: dict, *, wanted: str | None, default: date, today: date,
              first: date | None = None, last: date | None = None) -> Week:
    """The week (Monday..Sunday, the viewer's local dates) named by `wanted` (any ISO date in
    it), else the week of `default`; kept between the weeks of `first` and `last` when given."""
    start = monday_of(parse_date(wanted) if wanted and _is_iso_date(wanted) else default)
    if first is not None:
        start = max(start, monday_of(first))
    if last is not None:
        start = min(start, monday_of(last))
    days = [start + timedelta(days=i) for i in range(7)]
    previous = start - timedelta(days=7)
    following = start + timedelta(days=7)
    return Week(
        start=start,
        days=[WeekDay(d, items_by_day.get(d, []), d == today) for d in days],
        previous=previous if first is None or previous >= monday_of(first) else None,
        next=following if last is None or following <= monday_of(last) else None,
    )


def _is_iso_date(value: str) -> bool:
    try:
        return parse_date(value) is not None
    except ValueError:
        return False


def free_ranges(starts: list[datetime], *, duration: timedelta, tz: ZoneInfo) -> "OrderedDict[date, list[tuple]]":
    """Free slot starts merged into local (from, to) ranges per local day, for the mentor's week."""
    ranges: OrderedDict[date, list[tuple]] = OrderedDict()
    step = timedelta(minutes=settings.BOOKING_SLOT_STEP_MINUTES)
    for start in starts:
        local = start.astimezone(tz)
        day = ranges.setdefault(local.date(), [])
        if day and day[-1][2] == start - step:
            day[-1] = (day[-1][0], (start + duration).astimezone(tz), start)
        else:
            day.append((local, (start + duration).astimezone(tz), start))
    return OrderedDict((d, [(a, b) for a, b, _ in spans]) for d, spans in ranges.items())


def mentor_week_sessions(mentor: User, *, start: date, tz: ZoneInfo) -> "OrderedDict[date, list[Session]]":
    """The mentor's sessions (all states) starting in the local week from `start`, by local day."""
    return _by_local_day(_week_sessions_query(mentor, start=start, tz=tz), tz)


def _week_sessions_query(mentor: User, *, start: date, tz: ZoneInfo):
    week_from = datetime.combine(start, datetime.min.time(), tzinfo=tz)
    week_to = datetime.combine(start + timedelta(days=7), datetime.min.time(), tzinfo=tz)
    return (Session.objects.filter(mentor=mentor, starts_at__gte=week_from, starts_at__lt=week_to)
            .select_related(*SESSION_RELATED).order_by("starts_at"))


def _by_local_day(sessions, tz: ZoneInfo) -> "OrderedDict[date, list[Session]]":
    days: OrderedDict[date, list[Session]] = OrderedDict()
    for session in sessions:
        days.setdefault(session.starts_at.astimezone(tz).date(), []).append(session)
    return days


def offered_services(mentor: User):
    return ServiceType.objects.filter(is_active=True, mentors=mentor).order_by("duration_minutes", "name")


# --- dashboards ---------------------------------------------------------------

SESSION_RELATED = ("student", "mentor", "service")


def in_one_query(parts: dict) -> dict[str, list]:
    """Several sliced, ordered lists of sessions read in one query (UNION ALL of the parts, each tagged),
    every part with the same related rows. {name: queryset} → {name: list in that queryset's order}.

    A page that showed four lists paid four round trips and four compilations; one is enough. Each part
    is ordered by the session's own fields (they are re-applied in Python, see below)."""
    return _split(_tagged_union(parts), [(name, qs.query.order_by) for name, qs in parts.items()])


def _tagged_union(parts: dict):
    tagged = [qs.annotate(_part=Value(i, output_field=IntegerField())) for i, qs in enumerate(parts.values())]
    return tagged[0].union(*tagged[1:], all=True) if len(tagged) > 1 else tagged[0]


def _split(rows, orders: list[tuple[str, tuple]]) -> dict[str, list]:
    """The union's rows back in their lists: `orders`, each part's (name, order_by) in the union's order."""
    found: dict[str, list] = {name: [] for name, _ in orders}
    names = [name for name, _ in orders]
    for row in rows:
        found[names[row._part]].append(row)
    # UNION ALL keeps each part's rows together but SQL promises no order: restore each part's own.
    for name, keys in orders:
        if keys:
            found[name].sort(key=lambda row, keys=keys: _order_key(row, keys))
    return found


class PreparedLists:
    """`in_one_query(build(**arguments))` compiled once per process (config/prepared.py), for a page that reads
    the same lists on every view: their building and compiling cost more Python than PostgreSQL took to answer."""

    def __init__(self, build, **arguments):
        self._orders: list | None = None

        def union(**values):
            parts = build(**values)
            self._orders = [(name, qs.query.order_by) for name, qs in parts.items()]
            return _tagged_union(parts)

        self._prepared = Prepared(union, **arguments)

    def fetch(self, arguments: dict) -> dict[str, list]:
        rows = self._prepared.fetch(arguments)  # compiled on the first call, which notes each part's order
        return _split(rows, self._orders)


def _order_key(row, keys):
    out = []
    for key in keys:
        value = getattr(row, key.lstrip("-"))
        out.append(_Desc(value) if key.startswith("-") else value)
    return tuple(out)


class _Desc:
    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value

    def __lt__(self, other):
        return other.value < self.value

    def __eq__(self, other):
        return self.value == other.value


FEEDBACK_PROMPT_DAYS = timedelta(days=14)


def _pending_proposals_query(user: User, *, now: datetime):
    from .models import RescheduleProposal

    return (RescheduleProposal.objects.pending()
            .filter(Q(session__student=user, by_mentor=True) | Q(session__mentor=user, by_mentor=False))
            .filter(session__status=SessionStatus.SCHEDULED, session__starts_at__gt=now, starts_at__gt=now))


def any_pending_proposals(user: User, *, now: datetime) -> Exists:
    """Whether `pending_proposals` would find any, as an expression a page can read along with another query."""
    return Exists(_pending_proposals_query(user, now=now))


def pending_proposal_ids(user: User, *, now: datetime):
    """The ids of the open reschedule proposals this user is asked to answer, the first 20 (a queryset)."""
    return _pending_proposals_query(user, now=now).order_by("session__starts_at").values_list("pk", flat=True)[:20]


def pending_proposals(user: User, *, now: datetime, any_pending: bool | None = None, ids: list | None = None) -> list:
    """Open reschedule proposals this user is asked to answer (one query; two when there are some).
    `any_pending`: what `any_pending_proposals` answered, read with another query (False: no query here).
    `ids`: `pending_proposal_ids`, when the caller already read them."""
    from .models import RescheduleProposal

    if any_pending is False:
        return []
    # Which ones first (two tables), then those rows with their people and service: PostgreSQL took longer to
    # plan the six-table join than to run it, and on nearly every page view there is nothing to answer.
    if ids is None:
        ids = list(pending_proposal_ids(user, now=now))
    if not ids:
        return []
    return list(RescheduleProposal.objects.filter(pk__in=ids)
                .select_related("session__student", "session__mentor", "session__service", "proposed_by")
                .order_by("session__starts_at"))


OVERVIEW_SESSION_FIELDS = (
    "student_id", "mentor_id", "service_id", "starts_at", "ends_at", "status", "video_url", "forfeit_waived_at",
    "mentor__full_name", "mentor__email", "service__name", "feedback__session_id",
)


_OVERVIEW_AHEAD, _OVERVIEW_HISTORY = 10, 10


def _student_lists(student: int, now: datetime) -> dict:
    base = (Session.objects.filter(student=student).select_related("mentor", "service", "feedback")
            .only(*OVERVIEW_SESSION_FIELDS))
    return {"live": base.upcoming(now).order_by("starts_at")[:_OVERVIEW_AHEAD + 5],
            "recent": base.past(now).order_by("-starts_at")[:_OVERVIEW_HISTORY]}


_STUDENT_LISTS = PreparedLists(_student_lists, student="int", now="datetime")


def student_sessions(student: User, *, now: datetime, any_pending: bool | None = None) -> dict:
    """The overview: in progress (join now), the next 10 sessions, the last 10 (the sessions page has the
    rest), proposals to answer (`any_pending`: see `pending_proposals`), sessions to rate."""
    # Only what the overview's rows, cards and join/deadline blocks read; the student is the viewer (no join):
    # the compilation, the planning of the five-table join and the model building were most of this read.
    lists = _STUDENT_LISTS.fetch({"student": student.pk, "now": now})
    live, recent = lists["live"], lists["recent"]
    for session in live + recent:
        session.student = student
    in_progress = [s for s in live if s.starts_at - JOIN_OPENS_BEFORE <= now]
    upcoming = [s for s in live if s.starts_at - JOIN_OPENS_BEFORE > now][:_OVERVIEW_AHEAD]
    # Asked once per session: the prompt goes when the feedback is given (or the session is two weeks old).
    to_rate = [s for s in recent if phase(s, now) == "awaiting_feedback" and s.ends_at >= now - FEEDBACK_PROMPT_DAYS][:3]
    return {"next_session": upcoming[0] if upcoming else None, "in_progress": in_progress, "upcoming": upcoming,
            "recent": recent, "to_rate": to_rate,
            "proposals": pending_proposals(student, now=now, any_pending=any_pending)}


AGENDA_AHEAD = 15  # the agenda's next sessions after today; the sessions page pages through the rest
AGENDA_TO_MARK = 50
AGENDA_FEEDBACK = 5

# The fields the agenda's lists read of a session, of its student and of its service (the rest are deferred).
_AGENDA_SESSION_FIELDS = ("id", "student_id", "mentor_id", "service_id", "starts_at", "ends_at", "status",
                          "video_url", "forfeit_waived_at")
_AGENDA_STUDENT_FIELDS = ("id", "email", "full_name", "timezone")
_AGENDA_SERVICE_FIELDS = ("id", "name", "duration_minutes")


def _loaded(model, db: str, names: tuple, values):
    """`model.from_db(db, names, values)` (`names`: attnames in the model's field order), built the way unpickling
    builds an instance — the named fields in its __dict__, the others deferred — without Model.__init__, which the
    agenda's ~50 rows paid for each; from_db itself when something listens to the init signals."""
    if pre_init.has_listeners(model) or post_init.has_listeners(model):
        return model.from_db(db, names, values)
    instance = model.__new__(model)
    instance.__dict__.update(zip(names, values, strict=True))
    state = instance._state = ModelState()
    state.adding, state.db = False, db
    return instance


# The agenda statement's two querysets, compiled once per process (building and compiling them on every view cost
# more than PostgreSQL took to plan and run the whole statement); `mentor`: the mentor's id.
_AGENDA_FLASH = Prepared(lambda mentor, earliest: _flash_waiting(User(pk=mentor), earliest=earliest).values("pk"),
                         mentor="int", earliest="datetime")
_AGENDA_PROPOSALS = Prepared(lambda mentor, now: pending_proposal_ids(User(pk=mentor), now=now),
                             mentor="int", now="datetime")


def _agenda_sql(with_week: bool) -> str:
    """The agenda's statement, written once per process for each shape (with or without the week's sessions):
    a fixed text, run as a prepared statement (`execute_plain`); `_agenda_params` gives its parameters."""
    found = _AGENDA_SQL.get(with_week)
    if found is not None:
        return found
    session_table, user_table = Session._meta.db_table, User._meta.db_table
    columns = ", ".join(_AGENDA_SESSION_FIELDS)  # each list reads its sessions' columns (no second join)
    parts = [
        # today: live, starting today (local)
        f"SELECT 0 AS part, {columns} FROM {session_table} WHERE mentor_id = %s AND status IN (%s, %s)"
        " AND starts_at >= %s AND starts_at < %s",
        # upcoming after today: scheduled, not over, the next ones
        f"SELECT 1, {columns} FROM {session_table} WHERE mentor_id = %s AND status = %s AND ends_at > %s"
        " AND starts_at >= %s ORDER BY starts_at LIMIT %s",
        # to mark: still scheduled once started
        f"SELECT 2, {columns} FROM {session_table} WHERE mentor_id = %s AND status = %s AND starts_at <= %s"
        " ORDER BY starts_at LIMIT %s",
    ]
    if with_week:
        parts.append(f"SELECT 3, {columns} FROM {session_table} WHERE mentor_id = %s AND starts_at >= %s"
                     " AND starts_at < %s")
    session_columns = ", ".join(f"s.{name}" for name in _AGENDA_SESSION_FIELDS)
    student_columns = ", ".join(f"u.{name}" for name in _AGENDA_STUDENT_FIELDS)
    service_columns = ", ".join(f"v.{name}" for name in _AGENDA_SERVICE_FIELDS)
    no_service = ", ".join(["NULL"] * len(_AGENDA_SERVICE_FIELDS))
    no_session = ", ".join(["NULL"] * len(_AGENDA_SESSION_FIELDS))
    no_session_but_one = ", ".join(["NULL"] * (len(_AGENDA_SESSION_FIELDS) - 1))
    no_student = ", ".join(["NULL"] * len(_AGENDA_STUDENT_FIELDS))
    no_feedback = ", ".join(["NULL"] * 6)
    no_days = "NULL, NULL"
    # The flash requests waiting for the mentor (counted) and the proposals they are asked to answer (ids): their
    # own querysets, compiled once per process (config/prepared.py) and read in the same round trip.
    flash_sql, proposals_sql = _AGENDA_FLASH.compiled()[0], _AGENDA_PROPOSALS.compiled()[0]
    # The calendar rows (`mentor_calendar`'s, for `free_slot_starts`): the kind in `status`, the grid's or a date's
    # cells in `video_url`, a busy time in `starts_at`/`ends_at` with its `mentor_id`, days in the last two columns.
    found = _AGENDA_SQL[with_week] = f"""
        WITH parts AS ({" UNION ALL ".join(f"({part})" for part in parts)})
        SELECT s.part, {session_columns}, {student_columns}, {service_columns},
               NULL::bigint, NULL::integer, NULL::text, NULL::timestamp with time zone, NULL::numeric, NULL::bigint,
               NULL::date, NULL::date
          FROM parts s JOIN {user_table} u ON u.id = s.student_id
          JOIN {ServiceType._meta.db_table} v ON v.id = s.service_id
        UNION ALL
        SELECT 4, {session_columns}, {student_columns}, {no_service},
               f.id, f.rating, f.comment, f.created_at, f.average, f.count, {no_days}
          FROM (SELECT f.id, f.session_id, f.rating, f.comment, f.created_at, AVG(f.rating) OVER () AS average,
                       COUNT(*) OVER () AS count
                  FROM {Feedback._meta.db_table} f JOIN {session_table} fs ON fs.id = f.session_id
                 WHERE fs.mentor_id = %s ORDER BY f.created_at DESC LIMIT %s) f
          JOIN {session_table} s ON s.id = f.session_id JOIN {user_table} u ON u.id = s.student_id
        UNION ALL
        (SELECT 5, {no_session}, {no_student}, {service_columns}, {no_feedback}, {no_days}
          FROM {ServiceType._meta.db_table} v JOIN {ServiceType.mentors.through._meta.db_table} m
            ON m.servicetype_id = v.id
         WHERE v.is_active AND m.user_id = %s ORDER BY v.duration_minutes, v.name LIMIT 1)
        UNION ALL
        SELECT 6, COUNT(*), {no_session_but_one}, {no_student}, {no_service}, {no_feedback}, {no_days} FROM ({flash_sql}) flash
        UNION ALL
        SELECT 7, proposal.pk, {no_session_but_one}, {no_student}, {no_service}, {no_feedback}, {no_days}
          FROM ({proposals_sql}) proposal
        UNION ALL
        SELECT 8, NULL, NULL, c.mentor_id, NULL, c.starts_at, c.ends_at, c.kind, c.cells, NULL, {no_student},
               {no_service}, {no_feedback}, c.first_day, c.last_day
          FROM ({_CALENDAR_SQL}) c(kind, cells, starts_at, ends_at, mentor_id, first_day, last_day)
    """
    return found


_AGENDA_SQL: dict[bool, str] = {}


def mentor_agenda(mentor: User, *, now: datetime, week_start: date | None = None) -> dict:
    """Today, the next sessions, those to mark and (given `week_start`) the week's sessions by local day
    (`week_sessions`, as `mentor_week_sessions`), the latest feedback, the first of `offered_services`
    (`offered_service`, whose length the week's free times use), the flash requests waiting for an answer
    (`flash_pending`), the ids of the proposals to answer, and the mentor's calendar for `free_slot_starts` at
    `now` (`calendar`, as `mentor_calendar` reads it with no student): one statement, one round trip (a second
    only to read proposals when there are some).

    The agenda is a mentor's home page. Built through the ORM, the four lists (a UNION ALL, each part with
    its student, mentor and service) and the feedback took longer to compile in Python than PostgreSQL took to
    plan and run them, so this is one plain parameterised statement, like `mentor_calendar`: the sessions of
    each list (the same conditions as `live()`, `upcoming()` and `_week_sessions_query`), only the columns the
    agenda shows, joined once to their students and services; the five latest feedbacks are picked before
    they are joined to theirs. Its text is written once per process and PostgreSQL plans it once per connection
    (a prepared statement: planning it took several times longer than running it). The sessions carry the mentor
    they were read for."""
    tz = ZoneInfo(mentor.timezone)
    local_now = now.astimezone(tz)
    day_start = local_now.replace(hour=0, minute=0, second=0, microsecond=0)
    day_end = (day_start + timedelta(days=1)).replace(tzinfo=None).replace(tzinfo=tz)  # next local midnight
    params = [mentor.pk, *LIVE_STATUSES, day_start, day_end,
              mentor.pk, SessionStatus.SCHEDULED, now, day_end, AGENDA_AHEAD,
              mentor.pk, SessionStatus.SCHEDULED, now, AGENDA_TO_MARK]
    if week_start is not None:
        week_from = datetime.combine(week_start, datetime.min.time(), tzinfo=tz)
        week_to = datetime.combine(week_start + timedelta(days=7), datetime.min.time(), tzinfo=tz)
        params += [mentor.pk, week_from, week_to]
    arguments = {"mentor": mentor.pk, "now": now, "earliest": booking_window(now)[0]}
    _, _, _, calendar_start, calendar_end = _calendar_window(mentor, now)
    params += [mentor.pk, AGENDA_FEEDBACK, mentor.pk, *_AGENDA_FLASH.sql_params(arguments)[1],
               *_AGENDA_PROPOSALS.sql_params(arguments)[1],
               *_calendar_params(mentor=mentor, student=None, start=calendar_start, end=calendar_end,
                                 exclude_session_id=None)]
    n_session, n_student = len(_AGENDA_SESSION_FIELDS), len(_AGENDA_STUDENT_FIELDS)
    width = len(_AGENDA_SERVICE_FIELDS)
    lists: dict[int, list] = {0: [], 1: [], 2: [], 3: [], 4: []}
    services: dict[int, ServiceType] = {}
    students: dict[int, User] = {}
    average, count = None, 0
    offered = None
    flash_pending, proposal_ids, calendar_rows = 0, [], []
    with connection.cursor() as cursor:
        execute_plain(cursor, _agenda_sql(week_start is not None), params)
        rows = cursor.fetchall()
    db = connection.alias
    for row in rows:
        part = row[0]
        if part == 8:  # (kind, cells, starts_at, ends_at, mentor_id, first day, last day), as `mentor_calendar`
            calendar_rows.append((row[7], row[8], row[5], row[6], row[3], row[-2], row[-1]))
            continue
        if part == 6:
            flash_pending = row[1]
            continue
        if part == 7:
            proposal_ids.append(row[1])
            continue
        if part == 5:  # the mentor's first offered service (offered_services(mentor).first())
            offered = ServiceType.from_db(db, _AGENDA_SERVICE_FIELDS,
                                          row[1 + n_session + n_student:1 + n_session + n_student + width])
            continue
        values = row[1:1 + n_session]
        student_values = row[1 + n_session:1 + n_session + n_student]
        session = _loaded(Session, db, _AGENDA_SESSION_FIELDS, values)
        # One object per student and per service, as the ORM's select_related would give equal ones.
        student = students.get(student_values[0])
        if student is None:
            student = students[student_values[0]] = _loaded(User, db, _AGENDA_STUDENT_FIELDS, student_values)
        related = session._state.fields_cache  # what `session.student = student` caches (the ids are read)
        related["student"], related["mentor"] = student, mentor
        if part == 4:
            feedback_id, rating, comment, created_at, average, count = row[-8:-2]
            feedback = Feedback.from_db(db, ("id", "session_id", "rating", "comment", "created_at"),
                                        (feedback_id, session.pk, rating, comment, created_at))
            feedback.session = session
            lists[4].append(feedback)
            continue
        service_values = row[1 + n_session + n_student:1 + n_session + n_student + width]
        service = services.get(service_values[0])
        if service is None:
            service = services[service_values[0]] = _loaded(ServiceType, db, _AGENDA_SERVICE_FIELDS,
                                                            service_values)
        related["service"] = service
        lists[part].append(session)
    for part in (0, 1, 2, 3):
        lists[part].sort(key=lambda s: s.starts_at)
    lists[4].sort(key=lambda f: f.created_at, reverse=True)
    found = {
        "today": lists[0], "upcoming": lists[1], "to_mark": lists[2],
        "proposals": pending_proposals(mentor, now=now, ids=proposal_ids), "flash_pending": flash_pending,
        # The five latest carry the average and count over all of them (window aggregates).
        "rating_average": float(average) if lists[4] else None, "rating_count": count if lists[4] else 0,
        "recent_feedback": lists[4], "offered_service": offered, "calendar": _calendar_of(calendar_rows),
    }
    if week_start is not None:
        found["week_sessions"] = _by_local_day(lists[3], tz)
    return found


FEED_PAST = timedelta(days=60)
FEED_CANCELLED_RECENT = timedelta(days=30)


def calendar_feed_sessions(user: User, *, now: datetime) -> list[Session]:
    """Upcoming and recent sessions; cancelled ones only while recent, so
    calendars that already show them learn they are off."""
    live_or_recent = Q(status__in=[SessionStatus.SCHEDULED, SessionStatus.COMPLETED, SessionStatus.MENTOR_NO_SHOW,
                                   SessionStatus.FORFEITED]) | Q(status_changed_at__gte=now - FEED_CANCELLED_RECENT)
    return list(
        Session.objects.for_user(user).filter(live_or_recent, starts_at__gte=now - FEED_PAST)
        .select_related("student", "mentor", "service").order_by("starts_at")
    )
