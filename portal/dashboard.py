"""The programme at a glance: selectors for the success managers' dashboard.

Every figure is an aggregate query (GROUP BY in PostgreSQL, never a loop over
rows), so the dashboard costs the same handful of queries with ten students or
ten thousand. The same selectors serve the whole programme, one mentor or one
student (`scope`).

Definitions (they are printed under the charts too):
- a session counts in the week it was *due* (its start), except "booked",
  which counts bookings made that week;
- weeks run Monday to Sunday in the manager's zone;
- attendance = completed / sessions that were due and not cancelled in time
  (completed + late cancellations + student no-shows + mentor no-shows);
- forfeit rate = (late cancellations + student no-shows) / that same total;
- utilisation = hours held by live sessions / hours the mentor offered (their
  weekly grid, less their days off) over the last 28 days;
- students at risk: the last daily count in each week (scheduling.at_risk
  snapshots, taken hourly by Celery beat), for the whole programme only.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo

from django.db.models import Avg, Count, Exists, F, OuterRef, Q, Sum
from django.db.models.functions import TruncWeek
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, pgettext_lazy

from accounts.models import Role, User
from credits.models import EntryKind, LedgerEntry
from mentorship.models import AvailabilityGrid, TimeOff
from mentorship.weekgrid import HOURS
from scheduling.models import (
    LIVE_STATUSES,
    Feedback,
    RiskSnapshot,
    Session,
    SessionEvent,
    SessionStatus,
)

WEEKS = 12
UTILISATION_DAYS = 28


@dataclass(frozen=True)
class Scope:
    """The whole programme, or one mentor's or one student's share of it."""

    mentor: User | None = None
    student: User | None = None

    def sessions(self, queryset):
        if self.mentor is not None:
            queryset = queryset.filter(mentor=self.mentor)
        if self.student is not None:
            queryset = queryset.filter(student=self.student)
        return queryset

    @property
    def label(self) -> str:
        if self.mentor is not None:
            return gettext("Mentor: %(name)s") % {"name": self.mentor.get_full_name()}
        if self.student is not None:
            return gettext("Student: %(name)s") % {"name": self.student.get_full_name()}
        return gettext("Whole programme")


@dataclass
class Week:
    starts_on: date
    booked: int = 0
    completed: int = 0
    cancelled: int = 0
    late_cancelled: int = 0
    student_no_shows: int = 0
    mentor_no_shows: int = 0


WEEK_SERIES = [
    # Columns of counts: "sessions booked", plural in Spanish ("Reservadas").
    ("booked", pgettext_lazy("sessions counted", "Booked")),
    ("completed", pgettext_lazy("sessions counted", "Completed")),
    ("cancelled", gettext_lazy("Cancelled in time")),
    ("late_cancelled", gettext_lazy("Forfeited (late cancellation)")),
    ("student_no_shows", gettext_lazy("Student no-shows")),
    ("mentor_no_shows", gettext_lazy("Mentor no-shows")),
]


@dataclass
class Rates:
    due: int
    completed: int
    forfeited: int

    @property
    def attendance(self) -> float | None:
        return self.completed / self.due if self.due else None

    @property
    def forfeit(self) -> float | None:
        return self.forfeited / self.due if self.due else None


@dataclass
class PlanCredits:
    plan: str
    unlimited: bool
    granted: int
    used: int


@dataclass
class MentorRow:
    mentor: User
    booked_hours: float
    offered_hours: float
    rating: float | None
    ratings: int

    @property
    def utilisation(self) -> float | None:
        return self.booked_hours / self.offered_hours if self.offered_hours else None


@dataclass
class RiskWeek:
    starts_on: date
    snapshot: RiskSnapshot | None  # the week's last daily count; None when nothing was counted that week


@dataclass
class Dashboard:
    scope: Scope
    zone: tzinfo
    first_week: date
    weeks: list[Week]
    rates: Rates
    plans: list[PlanCredits] = field(default_factory=list)
    mentors: list[MentorRow] = field(default_factory=list)
    risk: list[RiskWeek] = field(default_factory=list)
    # When the figures were counted, for a board kept in the cache (portal.admin_dashboard.board_for): the
    # page says so. None: counted for this request.
    counted_at: datetime | None = None


def week_window(now: datetime, zone: tzinfo) -> tuple[date, datetime, datetime]:
    """The first Monday of the window (local) and the window as UTC instants [start, end)."""
    today = now.astimezone(zone).date()
    monday = today - timedelta(days=today.weekday())
    first = monday - timedelta(weeks=WEEKS - 1)
    start = datetime.combine(first, datetime.min.time(), tzinfo=zone)
    end = datetime.combine(monday + timedelta(weeks=1), datetime.min.time(), tzinfo=zone)
    return first, start, end


def weekly_sessions(scope: Scope, *, now: datetime, zone: tzinfo) -> tuple[list[Week], Rates]:
    """Sessions per week for the last WEEKS weeks (two queries), and the rates over the weeks already due."""
    first, start, end = week_window(now, zone)
    weeks = {first + timedelta(weeks=i): Week(first + timedelta(weeks=i)) for i in range(WEEKS)}
    sessions = scope.sessions(Session.objects.all())

    booked = (sessions.filter(created_at__gte=start, created_at__lt=end)
              .annotate(week=TruncWeek("created_at", tzinfo=zone)).order_by().values("week")
              .annotate(n=Count("pk")))
    for row in booked:
        weeks[_as_date(row["week"], zone)].booked = row["n"]

    no_show = Exists(SessionEvent.objects.filter(session=OuterRef("pk"), kind=SessionEvent.Kind.STUDENT_NO_SHOW))
    forfeited = Q(status=SessionStatus.FORFEITED)
    due = (sessions.filter(starts_at__gte=start, starts_at__lt=end).annotate(student_no_show=no_show)
           .annotate(week=TruncWeek("starts_at", tzinfo=zone)).order_by().values("week")
           .annotate(
               completed=Count("pk", filter=Q(status=SessionStatus.COMPLETED)),
               cancelled=Count("pk", filter=Q(status=SessionStatus.CANCELLED)),
               late_cancelled=Count("pk", filter=forfeited & Q(student_no_show=False)),
               student_no_shows=Count("pk", filter=forfeited & Q(student_no_show=True)),
               mentor_no_shows=Count("pk", filter=Q(status=SessionStatus.MENTOR_NO_SHOW)),
           ))
    for row in due:
        week = weeks[_as_date(row["week"], zone)]
        for key in ("completed", "cancelled", "late_cancelled", "student_no_shows", "mentor_no_shows"):
            setattr(week, key, row[key])

    rows = list(weeks.values())
    completed = sum(w.completed for w in rows)
    forfeits = sum(w.late_cancelled + w.student_no_shows for w in rows)
    mentor_no_shows = sum(w.mentor_no_shows for w in rows)
    return rows, Rates(due=completed + forfeits + mentor_no_shows, completed=completed, forfeited=forfeits)


def _as_date(value, zone: tzinfo) -> date:
    return value.astimezone(zone).date() if isinstance(value, datetime) else value


def credits_per_plan(scope: Scope, *, now: datetime, zone: tzinfo) -> list[PlanCredits]:
    """Credits granted (grants, top-ups, positive adjustments) and sessions used (bookings less refunds)
    per plan over the window, one query."""
    _, start, end = week_window(now, zone)
    entries = LedgerEntry.objects.filter(created_at__gte=start, created_at__lt=end, enrolment__isnull=False)
    if scope.student is not None:
        entries = entries.filter(account__student=scope.student)
    if scope.mentor is not None:
        entries = entries.filter(session_id__in=Session.objects.filter(mentor=scope.mentor).values("pk"))
    rows = (entries.order_by().values("enrolment__plan__name", "enrolment__plan__allowance_kind")
            .annotate(
                granted=Sum("amount", filter=Q(kind__in=[EntryKind.GRANT, EntryKind.TOPUP])
                            | Q(kind=EntryKind.ADJUST, amount__gt=0), default=0),
                consumed=Count("pk", filter=Q(kind=EntryKind.CONSUME)),
                refunded=Count("pk", filter=Q(kind=EntryKind.REFUND)),
            ).order_by("enrolment__plan__name"))
    return [PlanCredits(plan=r["enrolment__plan__name"], unlimited=r["enrolment__plan__allowance_kind"] == "unlimited",
                        granted=r["granted"], used=r["consumed"] - r["refunded"]) for r in rows]


def mentor_rows(scope: Scope, *, now: datetime) -> list[MentorRow]:
    """Each active mentor's utilisation over the last UTILISATION_DAYS days and average rating
    over the dashboard's weeks (four queries, whatever the number of mentors)."""
    if scope.student is not None:
        return []
    mentors = User.objects.filter(role=Role.MENTOR, is_active=True).order_by("full_name", "email")
    if scope.mentor is not None:
        mentors = mentors.filter(pk=scope.mentor.pk)
    since = now - timedelta(days=UTILISATION_DAYS)
    mentors = mentors.annotate(
        booked=Sum(F("sessions_as_mentor__ends_at") - F("sessions_as_mentor__starts_at"),
                   filter=Q(sessions_as_mentor__status__in=LIVE_STATUSES, sessions_as_mentor__starts_at__gte=since,
                            sessions_as_mentor__starts_at__lt=now)),
    )
    mentors = list(mentors)
    ids = [m.pk for m in mentors]
    ratings = {r["session__mentor"]: r for r in (
        Feedback.objects.filter(session__mentor__in=ids, session__starts_at__gte=now - timedelta(weeks=WEEKS))
        .order_by().values("session__mentor").annotate(avg=Avg("rating"), n=Count("pk")))}
    grids = dict(AvailabilityGrid.objects.filter(user__in=ids).values_list("user", "cells"))
    away = defaultdict(list)
    for user_id, first, last in TimeOff.objects.filter(user__in=ids, ends_on__gte=(since - timedelta(days=1)).date(),
                                                       starts_on__lte=now.date() + timedelta(days=1)) \
            .values_list("user", "starts_on", "ends_on"):
        away[user_id].append((first, last))

    rows = []
    for mentor in mentors:
        offered = _offered_hours(grids.get(mentor.pk, ""), away[mentor.pk], mentor.tzinfo, since, now)
        booked = mentor.booked.total_seconds() / 3600 if mentor.booked else 0.0
        rating = ratings.get(mentor.pk)
        rows.append(MentorRow(mentor=mentor, booked_hours=booked, offered_hours=offered,
                              rating=float(rating["avg"]) if rating else None, ratings=rating["n"] if rating else 0))
    return rows


def _offered_hours(cells: str, away: list[tuple[date, date]], zone: tzinfo, start: datetime, end: datetime) -> float:
    """Hours of the weekly grid (wall clock in the mentor's zone) between start and end, less days off."""
    if "1" not in cells:
        return 0.0
    first_hour, last_hour = start.astimezone(zone), end.astimezone(zone)
    day, last = first_hour.date(), last_hour.date()
    # Both ends are in `zone`, so an hour of a day compares with them by wall clock: the window's first day
    # counts the hours that begin at or after its start, its last day those that begin before its end, every
    # day between counts its whole row (no datetime per hour: this runs for every mentor on the dashboard).
    partial = bool(first_hour.minute or first_hour.second or first_hour.microsecond)
    from_hour = first_hour.hour + partial
    to_hour = last_hour.hour + bool(last_hour.minute or last_hour.second or last_hour.microsecond)
    per_weekday = [cells.count("1", d * HOURS, (d + 1) * HOURS) for d in range(7)]
    away_days = {max(a, day) + timedelta(days=i) for a, b in away
                 for i in range((min(b, last) - max(a, day)).days + 1)}  # empty range when outside the window
    hours = 0
    for edge in sorted({day, last}):  # the first and last days are cut at the hour
        if edge not in away_days:
            lo = from_hour if edge == day else 0
            hi = to_hour if edge == last else HOURS
            hours += cells.count("1", edge.weekday() * HOURS + lo, edge.weekday() * HOURS + max(lo, hi))
    between = (last - day).days - 1  # whole days: whole weeks at once, then the rest day by day
    if between > 0:
        weeks, rest = divmod(between, 7)
        hours += weeks * sum(per_weekday)
        hours += sum(per_weekday[(day.weekday() + 1 + i) % 7] for i in range(rest))
        hours -= sum(per_weekday[d.weekday()] for d in away_days if day < d < last)
    return float(hours)


def risk_trend(*, now: datetime, zone: tzinfo) -> list[RiskWeek]:
    """Students at risk, the last daily count of each week (one query over at most WEEKS x 7 rows)."""
    first, _, _ = week_window(now, zone)
    weeks = {first + timedelta(weeks=i): RiskWeek(first + timedelta(weeks=i), None) for i in range(WEEKS)}
    for snapshot in RiskSnapshot.objects.filter(day__gte=first, day__lte=now.date()).order_by("day"):
        monday = snapshot.day - timedelta(days=snapshot.day.weekday())
        if monday in weeks:
            weeks[monday].snapshot = snapshot  # later days overwrite earlier ones
    return list(weeks.values())


def dashboard(scope: Scope, *, now: datetime, zone: tzinfo | None = None) -> Dashboard:
    zone = zone or timezone.get_current_timezone()
    weeks, rates = weekly_sessions(scope, now=now, zone=zone)
    first, _, _ = week_window(now, zone)
    # At-risk counts are kept for the programme as a whole.
    risk = risk_trend(now=now, zone=zone) if scope.mentor is None and scope.student is None else []
    return Dashboard(scope=scope, zone=zone, first_week=first, weeks=weeks, rates=rates,
                     plans=credits_per_plan(scope, now=now, zone=zone), mentors=mentor_rows(scope, now=now),
                     risk=risk)
