"""Reads for scheduling: bookable slots, dashboards, agendas."""

from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Avg, Count, Q

from accounts.models import User
from mentorship.selectors import grid_cells, time_off_utc
from mentorship.weekgrid import expand_to_utc

from .models import LIVE_STATUSES, Feedback, ServiceType, Session, SessionStatus
from .pauses import pause_intervals
from .slots import Interval, merge, slot_starts, within


def booking_window(now: datetime) -> tuple[datetime, datetime]:
    """From now + minimum notice to the booking horizon."""
    return (
        now + timedelta(minutes=settings.BOOKING_MIN_NOTICE_MINUTES),
        now + timedelta(days=settings.BOOKING_HORIZON_DAYS),
    )


def _busy_intervals(*, mentor: User, student: User | None, start: datetime, end: datetime,
                    exclude_session_id: int | None = None) -> list[Interval]:
    buffer = timedelta(minutes=settings.BOOKING_BUFFER_MINUTES)
    people = Q(mentor=mentor)
    if student is not None:
        people |= Q(student=student)
    rows = (
        Session.objects.filter(people, status__in=LIVE_STATUSES, starts_at__lt=end + buffer, ends_at__gt=start - buffer)
        .exclude(pk=exclude_session_id)
        .values_list("starts_at", "ends_at", "mentor_id")
    )
    busy = []
    for s, e, mentor_id in rows:
        # The buffer is the mentor's rest between sessions; a student's own
        # other sessions block only their exact time.
        pad = buffer if mentor_id == mentor.pk else timedelta(0)
        busy.append((s - pad, e + pad))
    busy.extend(time_off_utc(mentor, start, end))
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
    cells = grid_cells(mentor)
    if "1" not in cells:
        return []
    # Expand from a local hour a day early, so every block starts on one of the
    # mentor's wall-clock hours: the anchor of its 30-minute steps.
    expand_from = (earliest - timedelta(days=1)).astimezone(mentor.tzinfo).replace(minute=0, second=0, microsecond=0)
    available = expand_to_utc(cells, mentor.tzinfo, expand_from, horizon)
    busy = _busy_intervals(mentor=mentor, student=student, start=expand_from, end=horizon,
                           exclude_session_id=exclude_session_id)
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
        days.setdefault(local.date(), []).append(
            SlotChoice(start, local, bool(own) and within(own, start, start + duration))
        )
    return days


def offered_services(mentor: User):
    return ServiceType.objects.filter(is_active=True, mentors=mentor).order_by("duration_minutes", "name")


# --- dashboards ---------------------------------------------------------------

SESSION_RELATED = ("student", "mentor", "service")


def student_sessions(student: User, *, now: datetime, history: int = 10) -> dict:
    base = Session.objects.filter(student=student).select_related(*SESSION_RELATED)
    upcoming = list(base.filter(status=SessionStatus.SCHEDULED, ends_at__gt=now).order_by("starts_at")[:50])
    recent = list(
        base.exclude(status=SessionStatus.SCHEDULED, ends_at__gt=now)
        .select_related("feedback").order_by("-starts_at")[:history]
    )
    return {"next_session": upcoming[0] if upcoming else None, "upcoming": upcoming, "recent": recent}


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
        "today": today, "upcoming": upcoming, "to_mark": to_mark,
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
