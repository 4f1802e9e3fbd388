import uuid
from datetime import UTC, date, datetime, timedelta

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField, RangeOperators
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Func, Q
from django.utils.translation import gettext_lazy as _

from .wording import FREE_CANCELLATION_WINDOW, JOIN_OPENS_BEFORE, NO_SHOW_AFTER  # noqa: F401  (the one source)

# Sessions still unmarked this long after their end are flagged.
UNMARKED_AFTER = timedelta(hours=24)


class TsTzRange(Func):
    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


class ServiceType(models.Model):
    """A kind of session students can book, e.g. "1-1 Coding Mentorship" (60 min)."""

    name = models.CharField(max_length=100, unique=True)
    description = models.TextField(blank=True, max_length=2000)
    duration_minutes = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(15), MaxValueValidator(240)],
        help_text=_("Between 15 and 240 minutes, e.g. 30, 45 or 60."),
    )
    is_active = models.BooleanField(default=True, help_text=_("Inactive services can't be booked."))
    mentors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="offered_services", blank=True,
        limit_choices_to={"role": "mentor"}, help_text=_("Mentors who offer this service."),
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=15, duration_minutes__lte=240), name="service_duration_sane"
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.duration_minutes} min)"

    @property
    def duration(self) -> timedelta:
        return timedelta(minutes=self.duration_minutes)


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")
    FORFEITED = "forfeited", _("Forfeited")
    MENTOR_NO_SHOW = "mentor_no_show", _("Mentor no-show")


# Sessions that hold their time: nobody else may overlap them. A cancelled or
# forfeited session frees the mentor's time for someone else.
LIVE_STATUSES = [SessionStatus.SCHEDULED, SessionStatus.COMPLETED]


# The one definition of each word the product uses about sessions. Every list,
# count, filter and annotation goes through these (the Q forms serve aggregates
# and subqueries; the queryset methods everything else).

def live_q() -> Q:
    """Holds its time: nobody else may overlap it (what the exclusion constraints cover)."""
    return Q(status__in=LIVE_STATUSES)


def upcoming_q(now: datetime, *, started: bool = True) -> Q:
    """Scheduled and not over yet. `started=False` leaves out a session already
    in progress (plan caps, reassignment: only what has not begun can move)."""
    return Q(status=SessionStatus.SCHEDULED, **({"ends_at__gt": now} if started else {"starts_at__gt": now}))


def unmarked_q(now: datetime) -> Q:
    """Still scheduled a day after its end: the mentor never marked attendance."""
    return Q(status=SessionStatus.SCHEDULED, ends_at__lte=now - UNMARKED_AFTER)


def overlapping_q(starts_at: datetime, ends_at: datetime) -> Q:
    """Live and overlapping [starts_at, ends_at): the one overlap check (back-to-back is fine)."""
    return live_q() & Q(starts_at__lt=ends_at, ends_at__gt=starts_at)


class SessionQuerySet(models.QuerySet):
    def for_user(self, user):
        """Sessions this user may see: their own, as student or as mentor."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(Q(student=user) | Q(mentor=user))

    def live(self):
        return self.filter(live_q())

    def upcoming(self, now: datetime, *, started: bool = True):
        return self.filter(upcoming_q(now, started=started))

    def past(self, now: datetime):
        """Everything that is not upcoming: over, cancelled, forfeited."""
        return self.exclude(upcoming_q(now))

    def unmarked(self, now: datetime):
        return self.filter(unmarked_q(now))

    def overlapping(self, starts_at: datetime, ends_at: datetime):
        return self.filter(overlapping_q(starts_at, ends_at))


class SessionSeries(models.Model):
    """A standing weekly slot: the same weekday and time for several weeks."""

    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    mentor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    service = models.ForeignKey(ServiceType, on_delete=models.PROTECT)
    first_starts_at = models.DateTimeField()
    weeks = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = _("session series")

    def __str__(self):
        return f"Weekly × {self.weeks} from {self.first_starts_at:%Y-%m-%d %H:%M} UTC"


class Session(models.Model):
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="sessions_as_student")
    mentor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="sessions_as_mentor")
    service = models.ForeignKey(ServiceType, on_delete=models.PROTECT, related_name="sessions")
    series = models.ForeignKey(SessionSeries, null=True, blank=True, on_delete=models.SET_NULL, related_name="sessions")
    starts_at = models.DateTimeField(db_index=True)
    ends_at = models.DateTimeField()
    status = models.CharField(max_length=20, choices=SessionStatus.choices, default=SessionStatus.SCHEDULED)
    video_url = models.URLField(blank=True, help_text=_("The mentor's designated video room at booking time."))

    # One key per confirm page: a double submit finds the session it already made.
    booking_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    # Stable across reschedules so calendars update the same event.
    calendar_uid = models.UUIDField(default=uuid.uuid4, editable=False)
    calendar_sequence = models.PositiveIntegerField(default=0)

    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    status_changed_at = models.DateTimeField(null=True, blank=True)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status_note = models.CharField(max_length=500, blank=True)
    forfeit_waived_at = models.DateTimeField(null=True, blank=True)

    # Reminder claims: set by the sweep that queues the reminder, cleared when
    # the session moves, so each reminder goes once and only for the real time.
    last_chance_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    starting_soon_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    attendance_reminder_sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    mentor_notes = models.TextField(blank=True, max_length=10_000)
    mentor_notes_updated_at = models.DateTimeField(null=True, blank=True)

    objects = SessionQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at"]
        indexes = [
            models.Index(fields=["mentor", "starts_at"]),
            models.Index(fields=["student", "starts_at"]),
            models.Index(fields=["status", "ends_at"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="session_ends_after_start"),
            # The database itself refuses a double booking, whatever the code
            # above it does: no two live sessions of one mentor, or of one
            # student, may overlap ([) ranges, so back-to-back is fine).
            ExclusionConstraint(
                name="session_mentor_no_overlap",
                expressions=[
                    (TsTzRange("starts_at", "ends_at", models.Value("[)")), RangeOperators.OVERLAPS),
                    ("mentor", RangeOperators.EQUAL),
                ],
                condition=Q(status__in=LIVE_STATUSES),
            ),
            ExclusionConstraint(
                name="session_student_no_overlap",
                expressions=[
                    (TsTzRange("starts_at", "ends_at", models.Value("[)")), RangeOperators.OVERLAPS),
                    ("student", RangeOperators.EQUAL),
                ],
                condition=Q(status__in=LIVE_STATUSES),
            ),
        ]

    def __str__(self):
        return f"{self.service.name} · {self.student} with {self.mentor} · {self.starts_at:%Y-%m-%d %H:%M} UTC"

    # --- pure questions -------------------------------------------------
    @property
    def cancellation_deadline(self) -> datetime:
        return self.starts_at - FREE_CANCELLATION_WINDOW

    def is_late_cancellation(self, now: datetime) -> bool:
        """Cancelling exactly 24 h before is still free; one second later is not."""
        return now > self.cancellation_deadline

    def can_join(self, now: datetime) -> bool:
        return (
            self.status == SessionStatus.SCHEDULED
            and self.starts_at - JOIN_OPENS_BEFORE <= now < self.ends_at
        )

    def has_started(self, now: datetime) -> bool:
        return now >= self.starts_at

    @property
    def is_scheduled(self) -> bool:
        return self.status == SessionStatus.SCHEDULED

    @property
    def duration(self) -> timedelta:
        return self.ends_at - self.starts_at


class SessionEvent(models.Model):
    """Who did what to a session, and when: the session's own history."""

    class Kind(models.TextChoices):
        BOOKED = "booked", _("Booked")
        RESCHEDULED = "rescheduled", _("Rescheduled")
        CANCELLED = "cancelled", _("Cancelled")
        FORFEITED = "forfeited", _("Forfeited")
        COMPLETED = "completed", _("Completed")
        STUDENT_NO_SHOW = "student_no_show", _("Student no-show")
        MENTOR_NO_SHOW = "mentor_no_show", _("Mentor no-show")
        FORFEIT_WAIVED = "forfeit_waived", _("Forfeit waived")
        MENTOR_CHANGED = "mentor_changed", _("Mentor changed")
        PROPOSED = "proposed", _("New time proposed")
        PROPOSAL_DECLINED = "proposal_declined", _("Proposed time declined")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField()
    note = models.CharField(max_length=500, blank=True)
    previous_starts_at = models.DateTimeField(null=True, blank=True)
    credit_returned = models.BooleanField(null=True, help_text=_("Whether this step gave the credit back."))

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} at {self.at:%Y-%m-%d %H:%M} UTC"


class Feedback(models.Model):
    """The student's rating of a completed session."""

    session = models.OneToOneField(Session, on_delete=models.CASCADE, related_name="feedback")
    rating = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.TextField(blank=True, max_length=2000)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=5), name="feedback_rating_1_to_5"),
        ]

    def __str__(self):
        return f"{self.rating}/5 for session {self.session_id}"


class PauseRequest(models.Model):
    """A student's request to pause the programme for dates they will miss."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for your success manager")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pause_requests")
    starts_on = models.DateField(help_text=_("First day of the pause, in the student's zone."))
    ends_on = models.DateField(help_text=_("Last day of the pause (inclusive)."))
    reason = models.CharField(max_length=500)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=500, blank=True)
    # Set by the pause sweep when the enrolment is paused and resumed.
    paused_at = models.DateTimeField(null=True, blank=True)
    resumed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="pause_ends_after_start"),
        ]

    def __str__(self):
        return f"Pause {self.starts_on:%d %b %Y} – {self.ends_on:%d %b %Y} ({self.get_status_display()})"

    def utc_range(self) -> tuple[datetime, datetime]:
        """From local midnight of the first day to local midnight after the last (in UTC)."""
        from zoneinfo import ZoneInfo

        tz = ZoneInfo(self.student.timezone)

        def midnight(day: date | None) -> datetime:
            # Dates at the edge of the calendar (a pause stored before entry
            # was limited to the coming year) clamp to the ends of time
            # instead of overflowing, so such a pause can still be decided.
            if day is None:
                return datetime.max.replace(tzinfo=UTC)
            try:
                return datetime.combine(day, datetime.min.time(), tzinfo=tz).astimezone(UTC)
            except OverflowError:
                edge = datetime.max if day.year > 1 else datetime.min
                return edge.replace(tzinfo=UTC)

        after_last = self.ends_on + timedelta(days=1) if self.ends_on < date.max else None
        return midnight(self.starts_on), midnight(after_last)


class FlashRequestQuerySet(models.QuerySet):
    def for_user(self, user):
        """Requests this user may see: the ones they sent or received."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(Q(student=user) | Q(mentor=user))


class FlashRequest(models.Model):
    """A one-off meeting request: a student proposes a time, the mentor accepts,
    declines or suggests another time, and an accepted one becomes a Session.

    Expiry is computed (see `is_expired`); the stored status becomes EXPIRED
    lazily, when someone tries to act on a request whose time has gone.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the mentor")
        COUNTERED = "countered", _("Mentor suggested another time")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        EXPIRED = "expired", _("Expired")

    OPEN_STATUSES = (Status.PENDING, Status.COUNTERED)

    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="flash_requests_sent")
    mentor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                               related_name="flash_requests_received")
    service = models.ForeignKey(ServiceType, on_delete=models.PROTECT, related_name="+")
    proposed_starts_at = models.DateTimeField()
    topic = models.CharField(max_length=120)
    message = models.TextField(blank=True, max_length=1000)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    counter_starts_at = models.DateTimeField(null=True, blank=True)
    mentor_note = models.CharField(max_length=500, blank=True)
    # The session an accepted request became; sessions are never deleted.
    session = models.OneToOneField(Session, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="flash_request")
    created_at = models.DateTimeField()
    responded_at = models.DateTimeField(null=True, blank=True, help_text=_("When the mentor answered."))
    decided_at = models.DateTimeField(null=True, blank=True, help_text=_("When the request reached its final state."))

    objects = FlashRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["mentor", "status"]),
            models.Index(fields=["student", "status"]),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(topic=""), name="flash_topic_required"),
            models.CheckConstraint(condition=~Q(student=models.F("mentor")), name="flash_not_to_self"),
            # An accepted request always points at its session, and only an accepted one does.
            models.CheckConstraint(
                condition=(Q(status="accepted") & Q(session__isnull=False))
                | (~Q(status="accepted") & Q(session__isnull=True)),
                name="flash_accepted_iff_session",
            ),
            models.CheckConstraint(
                condition=~Q(status="countered") | Q(counter_starts_at__isnull=False),
                name="flash_countered_has_time",
            ),
            # A double submit (or two tabs) can't open the same request twice.
            models.UniqueConstraint(
                fields=["student", "mentor", "proposed_starts_at"], condition=Q(status__in=["pending", "countered"]),
                name="flash_one_open_request_per_time",
            ),
        ]

    def __str__(self):
        return f"Flash: {self.student} → {self.mentor} · {self.starts_at:%Y-%m-%d %H:%M} UTC ({self.status})"

    # --- pure questions -------------------------------------------------
    @property
    def starts_at(self) -> datetime:
        """The time in play: the mentor's suggestion once countered, else the student's proposal."""
        if self.counter_starts_at is not None and self.status != self.Status.PENDING:
            return self.counter_starts_at
        return self.proposed_starts_at

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + self.service.duration

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def expires_at(self) -> datetime:
        """Once inside the minimum booking notice the time can no longer be booked."""
        return self.starts_at - timedelta(minutes=settings.BOOKING_MIN_NOTICE_MINUTES)

    def is_expired(self, now: datetime) -> bool:
        return self.status == self.Status.EXPIRED or (self.is_open and now > self.expires_at)

    def status_at(self, now: datetime) -> str:
        return self.Status.EXPIRED if self.is_expired(now) else self.status


class RescheduleProposalQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=RescheduleProposal.Status.PENDING)


class RescheduleProposal(models.Model):
    """Another time for a booked session, proposed by one side and answered by the other.

    A mentor proposes (the student accepts or declines); or a student, inside
    the 24 hours when they can no longer move it themselves, asks — and only
    the mentor can agree. Accepting moves the session and keeps its credit.
    A pending proposal expires when the session starts (computed: see
    `status_at`; stored lazily when someone acts on it).
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for an answer")
        ACCEPTED = "accepted", _("Accepted — the session moved")
        DECLINED = "declined", _("Declined — the session stays")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        EXPIRED = "expired", _("Expired")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="proposals")
    by_mentor = models.BooleanField(help_text=_("True: the mentor proposed; False: the student asked."))
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    note = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    answer_note = models.CharField(max_length=500, blank=True)

    objects = RescheduleProposalQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # One open question per session: a new proposal replaces the old one.
            models.UniqueConstraint(fields=["session"], condition=Q(status="pending"),
                                    name="proposal_one_pending_per_session"),
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="proposal_ends_after_start"),
        ]

    def __str__(self):
        return f"Proposal for session {self.session_id}: {self.starts_at:%Y-%m-%d %H:%M} UTC ({self.status})"

    def is_expired(self, now: datetime) -> bool:
        return self.status == self.Status.EXPIRED or (
            self.status == self.Status.PENDING and (now >= self.session.starts_at or now >= self.starts_at)
        )

    def status_at(self, now: datetime) -> str:
        return self.Status.EXPIRED if self.is_expired(now) else self.status

    def answered_by_mentor(self) -> bool:
        return not self.by_mentor


class RiskSnapshot(models.Model):
    """How many active students were at risk, and why, as last counted on a day (UTC).

    Being at risk depends on the state of the moment (a balance, a booking
    ahead), which the past doesn't keep; so the count is taken as the days go
    (hourly, the latest of the day standing) and the dashboard draws the trend.
    """

    day = models.DateField(unique=True)
    students = models.PositiveIntegerField(help_text=_("Active students counted."))
    at_risk = models.PositiveIntegerField(help_text=_("Students at risk for any reason."))
    misses = models.PositiveIntegerField()
    no_upcoming = models.PositiveIntegerField()
    no_credits = models.PositiveIntegerField()
    no_hours = models.PositiveIntegerField()
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-day"]

    def __str__(self):
        return f"{self.at_risk} of {self.students} at risk on {self.day:%Y-%m-%d}"


# Group mentorship lives in its own module; imported here so Django registers its models.
from .group_models import (  # noqa: E402,F401
    GroupSeat,
    GroupSeries,
    GroupSession,
    GroupStatus,
    SeatStatus,
    WaitlistEntry,
    WaitStatus,
)
