"""Students at risk: who is slipping, and why, in plain words.

A student is at risk when, in their own data:
- they missed two or more sessions in the last 30 days (forfeited by a late
  cancellation, or a no-show — group sessions' no-shows count too), not
  counting forfeits a manager waived;
- nothing is booked ahead (unless their plan is paused: they are away on purpose);
- they have no credits left (a balance of 0 on a plan that isn't unlimited and
  has no monthly reset already due), or no plan at all;
- they never marked a weekly hour, so matching and booking have nothing to go on.

Everything is computed set-wise in one query (subqueries per condition), so the
list costs the same with ten students or ten thousand.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.functional import lazy
from django.utils.translation import gettext, gettext_lazy, ngettext

from accounts.models import Role, User
from credits.models import AllowanceKind, CreditAccount, Enrolment, EnrolmentStatus
from mentorship.models import AvailabilityGrid

from .models import GroupSeat, RiskSnapshot, SeatStatus, Session, SessionEvent, SessionStatus

RISK_WINDOW = timedelta(days=30)
MISSES_AT_RISK = 2


def _misses_label() -> str:
    return gettext("%(misses)d+ missed sessions in %(days)d days") % {"misses": MISSES_AT_RISK,
                                                                       "days": RISK_WINDOW.days}


# Filter keys → labels (the admin's "At risk" filter offers these), lazy: read in each manager's language.
REASONS = {
    "misses": lazy(_misses_label, str)(),
    "no_upcoming": gettext_lazy("No upcoming session"),
    "no_credits": gettext_lazy("No credits left"),
    "no_hours": gettext_lazy("No availability set"),
}


def _count_events(kind: str, since: datetime):
    missed = SessionEvent.objects.filter(
        session__student=OuterRef("pk"), kind=kind, at__gte=since,
        # A waived forfeit was unfair; a forfeit later corrected to a mentor no-show was not the student's.
        session__status=SessionStatus.FORFEITED, session__forfeit_waived_at__isnull=True,
    )
    return Coalesce(
        Subquery(missed.order_by().values("session__student").annotate(n=Count("pk")).values("n")[:1],
                 output_field=IntegerField()),
        Value(0),
    )


def _count_group_no_shows(since: datetime):
    missed = GroupSeat.objects.filter(student=OuterRef("pk"), status=SeatStatus.NO_SHOW, status_changed_at__gte=since)
    return Coalesce(
        Subquery(missed.order_by().values("student").annotate(n=Count("pk")).values("n")[:1],
                 output_field=IntegerField()),
        Value(0),
    )


def annotate_risk(queryset: QuerySet, *, now: datetime) -> QuerySet:
    """Add risk_* annotations to a queryset of users (one query, subqueries per reason)."""
    enrolment = Enrolment.objects.current().filter(student=OuterRef("pk")).order_by()
    since = now - RISK_WINDOW
    queryset = queryset.annotate(
        risk_forfeits=_count_events(SessionEvent.Kind.FORFEITED, since),
        risk_no_shows=_count_events(SessionEvent.Kind.STUDENT_NO_SHOW, since),
        risk_group_no_shows=_count_group_no_shows(since),
        risk_has_upcoming=Exists(Session.objects.filter(student=OuterRef("pk")).upcoming(now, started=False)),
        risk_plan_name=Subquery(enrolment.values("plan__name")[:1]),
        risk_plan_kind=Subquery(enrolment.values("plan__allowance_kind")[:1]),
        risk_plan_sessions=Subquery(enrolment.values("plan__sessions")[:1]),
        risk_enrolment_status=Subquery(enrolment.values("status")[:1]),
        risk_next_reset_at=Subquery(enrolment.values("next_reset_at")[:1]),
        risk_balance=Coalesce(Subquery(CreditAccount.objects.filter(student=OuterRef("pk")).values("balance")[:1]),
                              Value(0)),
        risk_has_hours=Exists(AvailabilityGrid.objects.filter(user=OuterRef("pk"), cells__contains="1")),
    )
    # Case/When rather than negated filters: every NULL (no plan, no reset) lands on a stated branch.
    return queryset.annotate(
        risk_missed=F("risk_forfeits") + F("risk_no_shows") + F("risk_group_no_shows")).annotate(
        risk_misses=Case(When(risk_missed__gte=MISSES_AT_RISK, then=Value(True)), default=Value(False),
                         output_field=BooleanField()),
        risk_no_upcoming=Case(
            When(risk_has_upcoming=True, then=Value(False)),
            When(risk_enrolment_status=EnrolmentStatus.PAUSED, then=Value(False)),
            default=Value(True), output_field=BooleanField(),
        ),
        risk_no_credits=Case(
            When(risk_plan_kind__isnull=True, then=Value(True)),
            When(risk_plan_kind=AllowanceKind.UNLIMITED, then=Value(False)),
            When(risk_balance__gt=0, then=Value(False)),
            # The month turned and the hourly reset hasn't run yet: the next booking grants first.
            When(risk_plan_kind=AllowanceKind.MONTHLY, risk_plan_sessions__gt=0, risk_next_reset_at__lte=now,
                 then=Value(False)),
            default=Value(True), output_field=BooleanField(),
        ),
        risk_no_hours=Case(When(risk_has_hours=True, then=Value(False)), default=Value(True),
                           output_field=BooleanField()),
    )


def filter_at_risk(queryset: QuerySet, *, now: datetime, reason: str = "any") -> QuerySet:
    """Keep only students at risk (for one reason key of REASONS, or any)."""
    if "risk_misses" not in queryset.query.annotations:
        queryset = annotate_risk(queryset, now=now)
    conditions = {
        "misses": Q(risk_misses=True),
        "no_upcoming": Q(risk_no_upcoming=True),
        "no_credits": Q(risk_no_credits=True),
        "no_hours": Q(risk_no_hours=True),
    }
    if reason in conditions:
        return queryset.filter(conditions[reason])
    return queryset.filter(Q(risk_misses=True) | Q(risk_no_upcoming=True) | Q(risk_no_credits=True)
                           | Q(risk_no_hours=True))


def short_reasons(student: User) -> list[str]:
    """The reasons in a few words each, for a list column (from a user annotated by annotate_risk)."""
    reasons = []
    if student.risk_misses:
        reasons.append(ngettext("missed %(count)d in %(days)d days", "missed %(count)d in %(days)d days",
                                student.risk_missed) % {"count": student.risk_missed, "days": RISK_WINDOW.days})
    if student.risk_no_upcoming:
        reasons.append(gettext("nothing booked"))
    if student.risk_no_credits:
        reasons.append(gettext("no plan") if student.risk_plan_kind is None else gettext("no credits left"))
    if student.risk_no_hours:
        reasons.append(gettext("no weekly hours"))
    return reasons


def reasons_for(student: User) -> list[str]:
    """The reasons, in plain words, from a user annotated by annotate_risk."""
    reasons = []
    if student.risk_misses:
        parts = []
        if student.risk_forfeits:
            parts.append(ngettext("%(count)d forfeited by a late cancellation",
                                  "%(count)d forfeited by a late cancellation",
                                  student.risk_forfeits) % {"count": student.risk_forfeits})
        if student.risk_no_shows:
            parts.append(ngettext("%(count)d no-show", "%(count)d no-shows",
                                  student.risk_no_shows) % {"count": student.risk_no_shows})
        if student.risk_group_no_shows:
            parts.append(ngettext("%(count)d group no-show", "%(count)d group no-shows",
                                  student.risk_group_no_shows) % {"count": student.risk_group_no_shows})
        reasons.append(ngettext("Missed %(count)d session in the last %(days)d days (%(parts)s).",
                                "Missed %(count)d sessions in the last %(days)d days (%(parts)s).",
                                student.risk_missed)
                       % {"count": student.risk_missed, "days": RISK_WINDOW.days, "parts": ", ".join(parts)})
    if student.risk_no_upcoming:
        reasons.append(gettext("No upcoming session booked."))
    if student.risk_no_credits:
        if student.risk_plan_kind is None:
            reasons.append(gettext("No plan, so no credits to book with."))
        else:
            reasons.append(gettext("No credits left on “%(plan)s”.") % {"plan": student.risk_plan_name})
    if student.risk_no_hours:
        reasons.append(gettext("No weekly availability set."))
    return reasons


@dataclass(frozen=True)
class AtRisk:
    student: User
    reasons: list[str]


def students_at_risk(*, now: datetime) -> list[AtRisk]:
    """Active students at risk, most reasons first, each with its reasons in plain words. One query."""
    students = filter_at_risk(User.objects.filter(role=Role.STUDENT, is_active=True), now=now)
    rows = [AtRisk(student, reasons_for(student)) for student in students.order_by("full_name", "email")]
    rows.sort(key=lambda row: -len(row.reasons))  # stable: names stay in order within a count
    return rows


def snapshot_record(*, now: datetime) -> RiskSnapshot:
    """Count the active students at risk now, by reason, in one aggregate query, and keep it as today's
    (UTC) snapshot; a later count on the same day replaces it."""
    risky = Q(risk_misses=True) | Q(risk_no_upcoming=True) | Q(risk_no_credits=True) | Q(risk_no_hours=True)
    counts = annotate_risk(User.objects.filter(role=Role.STUDENT, is_active=True), now=now).aggregate(
        students=Count("pk"), at_risk=Count("pk", filter=risky),
        misses=Count("pk", filter=Q(risk_misses=True)), no_upcoming=Count("pk", filter=Q(risk_no_upcoming=True)),
        no_credits=Count("pk", filter=Q(risk_no_credits=True)), no_hours=Count("pk", filter=Q(risk_no_hours=True)),
    )
    snapshot, _ = RiskSnapshot.objects.update_or_create(day=now.astimezone(UTC).date(),
                                                        defaults={**counts, "recorded_at": now})
    return snapshot
