"""Reads for scheduling: bookable slots, dashboards, agendas."""

from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import timezone as dt_timezone
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models import Avg, Count, Q
from django.utils.dateparse import parse_date, parse_datetime

from accounts.models import User
from mentorship.models import AvailabilityGrid, DateOverride, TimeOff
from mentorship.selectors import days_to_utc, grid_cells, with_date_overrides
from mentorship.weekgrid import EMPTY as EMPTY_GRID
from mentorship.weekgrid import expand_to_utc
from mentorship.weekgrid import merge_intervals as merge

from .models import JOIN_OPENS_BEFORE, LIVE_STATUSES, Feedback, ServiceType, Session, SessionStatus
from .pauses import pause_intervals
from .slots import Interval, slot_starts, within
from .wording import cancellation_terms, phase


def booking_window(now: datetime) -> tuple[datetime, datetime]:
    """From now + minimum notice to the booking horizon."""
    return (
        now + timedelta(minutes=settings.BOOKING_MIN_NOTICE_MINUTES),
        now + timedelta(days=settings.BOOKING_HORIZON_DAYS),
    )


@dataclass
class MentorCalendar:
    cells: str
    sessions: list[tuple[datetime, datetime, int]]
    time_off: list[tuple[date, date]]
    overrides: list[tuple[date, str]] = None  # (local date, 24 hour cells)


def _utc(value) -> datetime:
    if isinstance(value, str):  # SQLite hands back text from a UNION
        value = parse_datetime(value)
    return value if value.tzinfo else value.replace(tzinfo=dt_timezone.utc)


def _day(value) -> date:
    return parse_date(value) if isinstance(value, str) else value


def mentor_calendar(*, mentor: User, student: User | None, start: datetime, end: datetime,
              exclude_session_id: int | None) -> MentorCalendar:
    """Everything slot search reads, in one statement and one round trip.

    Slot search is the hottest read in the product (every slot page, every
    booking re-check). Built through the ORM, its three small queries cost
    about a millisecond each in Python alone — more than PostgreSQL takes to
    run them — so this is one plain parameterised UNION instead (portable to
    the SQLite default): the mentor's grid, their date overrides, their time
    off, and the live sessions of the mentor or the student.
    """
    ops = connection.ops
    sql = f"""
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
    """
    zone = mentor.tzinfo
    first_day = ops.adapt_datefield_value(start.astimezone(zone).date())
    last_day = ops.adapt_datefield_value(end.astimezone(zone).date())
    params = [
        mentor.pk,
        mentor.pk, first_day, last_day,
        mentor.pk, ops.adapt_datefield_value(start.astimezone(zone).date()),
        ops.adapt_datefield_value(end.astimezone(zone).date()),
        mentor.pk, student.pk if student is not None else -1, *LIVE_STATUSES,
        ops.adapt_datetimefield_value(end), ops.adapt_datetimefield_value(start),
        exclude_session_id if exclude_session_id is not None else -1,
    ]
    calendar = MentorCalendar(cells=EMPTY_GRID, sessions=[], time_off=[], overrides=[])
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for kind, cells, s_start, s_end, mentor_id, first_day, last_day in cursor.fetchall():
            if kind == "g":
                calendar.cells = cells
            elif kind == "d":
                calendar.overrides.append((_day(first_day), cells))
            elif kind == "o":
                calendar.time_off.append((_day(first_day), _day(last_day)))
            else:
                calendar.sessions.append((_utc(s_start), _utc(s_end), mentor_id))
    return calendar


def _busy_intervals(calendar: MentorCalendar, *, mentor: User, student: User | None, start: datetime,
                    end: datetime) -> list[Interval]:
    buffer = timedelta(minutes=settings.BOOKING_BUFFER_MINUTES)
    busy = []
    for s, e, mentor_id in calendar.sessions:
        # The buffer is the mentor's rest between sessions; a student's own
        # other sessions block only their exact time.
        pad = buffer if mentor_id == mentor.pk else timedelta(0)
        busy.append((s - pad, e + pad))
    busy.extend(days_to_utc(calendar.time_off, mentor.tzinfo, start, end))
    if student is not None:
        busy.extend(pause_intervals(student, start, end))  # no booking inside an approved pause
    return merge(busy)


def free_slot_starts(
    *, mentor: User, duration: timedelta, now: datetime, student: User | None = None,
    exclude_session_id: int | None = None,
) -> list[datetime]:
    """Every start (UTC) at which `mentor` can take a session of `duration`.

    From the mentor's weekly grid (wall clock in their zone, expanded date by
    date so daylight saving moves the instant), minus time off, minus live
    sessions (of the mentor, plus buffer, and of the student), within the
    notice/horizon window, on a 30-minute step.
    """
    earliest, horizon = booking_window(now)
    # Expand from a local hour a day early, so every block starts on one of the
    # mentor's wall-clock hours: the anchor of its 30-minute steps.
    expand_from = (earliest - timedelta(days=1)).astimezone(mentor.tzinfo).replace(minute=0, second=0, microsecond=0)
    buffer = timedelta(minutes=settings.BOOKING_BUFFER_MINUTES)
    calendar = mentor_calendar(mentor=mentor, student=student, start=expand_from - buffer, end=horizon + buffer,
                         exclude_session_id=exclude_session_id)
    if "1" not in calendar.cells and not any("1" in cells for _, cells in calendar.overrides):
        return []
    available = with_date_overrides(expand_to_utc(calendar.cells, mentor.tzinfo, expand_from, horizon),
                                    calendar.overrides, mentor.tzinfo, expand_from, horizon)
    busy = _busy_intervals(calendar, mentor=mentor, student=student, start=expand_from, end=horizon)
    return slot_starts(
        available, busy, duration=duration, step=timedelta(minutes=settings.BOOKING_SLOT_STEP_MINUTES),
        earliest=earliest, latest_end=horizon,
    )


def nearest_starts(starts: list[datetime], wanted: datetime, count: int = 3) -> list[datetime]:
    return sorted(sorted(starts, key=lambda t: abs((t - wanted).total_seconds()))[:count])


@dataclass(frozen=True)
class SlotChoice:
    starts_at: datetime  # UTC
    local: datetime  # in the viewer's zone
    in_your_hours: bool  # inside the student's own weekly availability
    late_note: str = ""  # "starts in 5 h — can't be cancelled for free" inside the 24 hours


def slots_by_day(*, starts: list[datetime], duration: timedelta, viewer: User, now: datetime) -> "OrderedDict[date, list[SlotChoice]]":
    """Group starts by the viewer's local date; mark those inside the viewer's own hours."""
    tz = ZoneInfo(viewer.timezone)
    own_cells = grid_cells(viewer)
    own: list[Interval] = []
    if starts and "1" in own_cells:
        own = expand_to_utc(own_cells, tz, starts[0] - timedelta(days=1), starts[-1] + duration + timedelta(days=1))
    days: OrderedDict[date, list[SlotChoice]] = OrderedDict()
    for start in starts:
        local = start.astimezone(tz)
        days.setdefault(local.date(), []).append(SlotChoice(
            start, local, bool(own) and within(own, start, start + duration),
            cancellation_terms(start, now=now, tz=tz).short,
        ))
    return days


def offered_services(mentor: User):
    return ServiceType.objects.filter(is_active=True, mentors=mentor).order_by("duration_minutes", "name")


# --- dashboards ---------------------------------------------------------------

SESSION_RELATED = ("student", "mentor", "service")


FEEDBACK_PROMPT_DAYS = timedelta(days=14)


def pending_proposals(user: User, *, now: datetime) -> list:
    """Open reschedule proposals this user is asked to answer (one query)."""
    from .models import RescheduleProposal

    rows = (RescheduleProposal.objects.pending()
            .filter(Q(session__student=user, by_mentor=True) | Q(session__mentor=user, by_mentor=False))
            .filter(session__status=SessionStatus.SCHEDULED, session__starts_at__gt=now, starts_at__gt=now)
            .select_related("session__student", "session__mentor", "session__service", "proposed_by")
            .order_by("session__starts_at"))
    return list(rows[:20])


def student_sessions(student: User, *, now: datetime, history: int = 10) -> dict:
    """The overview: in progress (join now), upcoming, recent, proposals to answer, sessions to rate."""
    base = Session.objects.filter(student=student).select_related(*SESSION_RELATED)
    live = list(base.filter(status=SessionStatus.SCHEDULED, ends_at__gt=now).order_by("starts_at")[:50])
    in_progress = [s for s in live if s.starts_at - JOIN_OPENS_BEFORE <= now]
    upcoming = [s for s in live if s.starts_at - JOIN_OPENS_BEFORE > now]
    recent = list(
        base.exclude(status=SessionStatus.SCHEDULED, ends_at__gt=now)
        .select_related("feedback").order_by("-starts_at")[:history]
    )
    # Asked once per session: the prompt goes when the feedback is given (or the session is two weeks old).
    to_rate = [s for s in recent if phase(s, now) == "awaiting_feedback" and s.ends_at >= now - FEEDBACK_PROMPT_DAYS][:3]
    return {"next_session": upcoming[0] if upcoming else None, "in_progress": in_progress, "upcoming": upcoming,
            "recent": recent, "to_rate": to_rate, "proposals": pending_proposals(student, now=now)}


def mentor_agenda(mentor: User, *, now: datetime) -> dict:
    tz = ZoneInfo(mentor.timezone)
    local_now = now.astimezone(tz)
    day_start = local_now.replace(hour=0, minute=0, second=0, microsecond=0)
    day_end = (day_start + timedelta(days=1)).replace(tzinfo=None).replace(tzinfo=tz)  # next local midnight
    base = Session.objects.filter(mentor=mentor).select_related(*SESSION_RELATED)
    today = list(base.filter(status__in=LIVE_STATUSES, starts_at__gte=day_start, starts_at__lt=day_end).order_by("starts_at"))
    upcoming = list(base.filter(status=SessionStatus.SCHEDULED, starts_at__gte=day_end).order_by("starts_at")[:50])
    to_mark = list(base.filter(status=SessionStatus.SCHEDULED, starts_at__lte=now).order_by("starts_at")[:50])
    feedback = Feedback.objects.filter(session__mentor=mentor)
    stats = feedback.aggregate(average=Avg("rating"), count=Count("pk"))
    recent_feedback = list(feedback.select_related("session__student").order_by("-created_at")[:5])
    return {
        "today": today, "upcoming": upcoming, "to_mark": to_mark, "proposals": pending_proposals(mentor, now=now),
        "rating_average": stats["average"], "rating_count": stats["count"], "recent_feedback": recent_feedback,
    }


def upcoming_count(student: User, *, now: datetime) -> int:
    return Session.objects.filter(student=student, status=SessionStatus.SCHEDULED, starts_at__gt=now).count()


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
