import uuid
from datetime import UTC, date, datetime, timedelta

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import RangeOperators
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import dateformat
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .ranges import TsTzRange  # noqa: F401  (also named by migrations as scheduling.models.TsTzRange)
from .wording import FREE_CANCELLATION_WINDOW, JOIN_OPENS_BEFORE, NO_SHOW_AFTER  # noqa: F401  (the one source)

# Sessions still unmarked this long after their end are flagged.
UNMARKED_AFTER = timedelta(hours=24)


class ServiceType(models.Model):
    """A kind of session students can book, e.g. "1-1 Coding Mentorship" (60 min)."""

    name = models.CharField(max_length=100, unique=True, verbose_name=_("name"))
    description = models.TextField(blank=True, max_length=2000, verbose_name=_("description"))
    duration_minutes = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(15), MaxValueValidator(240)],
        help_text=_("Between 15 and 240 minutes, e.g. 30, 45 or 60."),
        verbose_name=_("duration minutes"),
    )
    is_active = models.BooleanField(default=True, help_text=_("Inactive services can't be booked."),
                                    verbose_name=_("is active"))
    mentors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="offered_services", blank=True,
        limit_choices_to={"role": "mentor"}, help_text=_("Mentors who offer this service."),
        verbose_name=_("mentors"),
    )

    class Meta:
        verbose_name = _("service type")
        verbose_name_plural = _("service types")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=15, duration_minutes__lte=240), name="service_duration_sane"
            )
        ]

    def __str__(self):
        # The admin's names for rows, in the reader's language (times stay UTC and ISO, as the record).
        return gettext("%(name)s (%(minutes)s min)") % {"name": self.name, "minutes": self.duration_minutes}

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

    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                                verbose_name=_("student"))
    mentor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                               verbose_name=_("mentor"))
    service = models.ForeignKey(ServiceType, on_delete=models.PROTECT, verbose_name=_("service"))
    first_starts_at = models.DateTimeField(verbose_name=_("first starts at"))
    weeks = models.PositiveSmallIntegerField(verbose_name=_("weeks"))
    created_at = models.DateTimeField(verbose_name=_("created at"))

    class Meta:
        verbose_name = _("session series")
        verbose_name_plural = _("session series")

    def __str__(self):
        return gettext("Weekly × %(weeks)s from %(when)s UTC") % {
            "weeks": self.weeks, "when": f"{self.first_starts_at:%Y-%m-%d %H:%M}"}


class Session(models.Model):
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="sessions_as_student",
                                verbose_name=_("student"))
    mentor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="sessions_as_mentor",
                               verbose_name=_("mentor"))
    service = models.ForeignKey(ServiceType, on_delete=models.PROTECT, related_name="sessions",
                                verbose_name=_("service"))
    series = models.ForeignKey(SessionSeries, null=True, blank=True, on_delete=models.SET_NULL, related_name="sessions",
                               verbose_name=_("series"))
    starts_at = models.DateTimeField(db_index=True, verbose_name=_("starts at"))
    ends_at = models.DateTimeField(verbose_name=_("ends at"))
    status = models.CharField(max_length=20, choices=SessionStatus.choices, default=SessionStatus.SCHEDULED,
                              verbose_name=_("status"))
    video_url = models.URLField(blank=True, help_text=_("The mentor's designated video room at booking time."),
                                verbose_name=_("video url"))

    # One key per confirm page: a double submit finds the session it already made.
    booking_key = models.UUIDField(null=True, blank=True, unique=True, editable=False, verbose_name=_("booking key"))
    # Stable across reschedules so calendars update the same event.
    calendar_uid = models.UUIDField(default=uuid.uuid4, editable=False, verbose_name=_("calendar uid"))
    calendar_sequence = models.PositiveIntegerField(default=0, verbose_name=_("calendar sequence"))

    created_at = models.DateTimeField(verbose_name=_("created at"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("created by"))
    status_changed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("status changed at"))
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("status changed by"),
    )
    status_note = models.CharField(max_length=500, blank=True, verbose_name=_("status note"))
    forfeit_waived_at = models.DateTimeField(null=True, blank=True, verbose_name=_("forfeit waived at"))

    # Reminder claims: set by the sweep that queues the reminder, cleared when
    # the session moves, so each reminder goes once and only for the real time.
    last_chance_sent_at = models.DateTimeField(null=True, blank=True, editable=False,
                                               verbose_name=_("last chance sent at"))
    starting_soon_sent_at = models.DateTimeField(null=True, blank=True, editable=False,
                                                 verbose_name=_("starting soon sent at"))
    attendance_reminder_sent_at = models.DateTimeField(null=True, blank=True, editable=False,
                                                       verbose_name=_("attendance reminder sent at"))

    mentor_notes = models.TextField(blank=True, max_length=10_000, verbose_name=_("mentor notes"))
    mentor_notes_updated_at = models.DateTimeField(null=True, blank=True, verbose_name=_("mentor notes updated at"))

    objects = SessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
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
        return gettext("%(service)s · %(student)s with %(mentor)s · %(when)s UTC") % {
            "service": self.service.name, "student": self.student, "mentor": self.mentor,
            "when": f"{self.starts_at:%Y-%m-%d %H:%M}"}

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

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="events", verbose_name=_("session"))
    kind = models.CharField(max_length=20, choices=Kind.choices, verbose_name=_("kind"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                              verbose_name=_("actor"))
    at = models.DateTimeField(verbose_name=_("at"))
    note = models.CharField(max_length=500, blank=True, verbose_name=_("note"))
    previous_starts_at = models.DateTimeField(null=True, blank=True, verbose_name=_("previous starts at"))
    credit_returned = models.BooleanField(null=True, help_text=_("Whether this step gave the credit back."),
                                          verbose_name=_("credit returned"))

    class Meta:
        verbose_name = _("session event")
        verbose_name_plural = _("session events")
        ordering = ["at", "pk"]

    def __str__(self):
        return gettext("%(kind)s at %(when)s UTC") % {"kind": self.get_kind_display(),
                                                         "when": f"{self.at:%Y-%m-%d %H:%M}"}


class Feedback(models.Model):
    """The student's rating of a completed session."""

    session = models.OneToOneField(Session, on_delete=models.CASCADE, related_name="feedback",
                                   verbose_name=_("session"))
    rating = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)],
                                              verbose_name=_("rating"))
    comment = models.TextField(blank=True, max_length=2000, verbose_name=_("comment"))
    created_at = models.DateTimeField(verbose_name=_("created at"))

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedbacks")
        constraints = [
            models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=5), name="feedback_rating_1_to_5"),
        ]

    def __str__(self):
        return gettext("%(rating)s/5 for session %(session)s") % {"rating": self.rating, "session": self.session_id}


class PauseRequest(models.Model):
    """A student's request to pause the programme for dates they will miss."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for your success manager")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pause_requests",
                                verbose_name=_("student"))
    starts_on = models.DateField(help_text=_("First day of the pause, in the student's zone."),
                                 verbose_name=_("starts on"))
    ends_on = models.DateField(help_text=_("Last day of the pause (inclusive)."), verbose_name=_("ends on"))
    reason = models.CharField(max_length=500, verbose_name=_("reason"))
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING, verbose_name=_("status"))
    created_at = models.DateTimeField(verbose_name=_("created at"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("decided by"))
    decided_at = models.DateTimeField(null=True, blank=True, verbose_name=_("decided at"))
    decision_note = models.CharField(max_length=500, blank=True, verbose_name=_("decision note"))
    # Set by the pause sweep when the enrolment is paused and resumed.
    paused_at = models.DateTimeField(null=True, blank=True, verbose_name=_("paused at"))
    resumed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("resumed at"))

    class Meta:
        verbose_name = _("pause request")
        verbose_name_plural = _("pause requests")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="pause_ends_after_start"),
        ]

    def __str__(self):
        return gettext("Pause %(first)s – %(last)s (%(status)s)") % {
            "first": dateformat.format(self.starts_on, gettext("d M Y")),
            "last": dateformat.format(self.ends_on, gettext("d M Y")), "status": self.get_status_display()}

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

    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="flash_requests_sent",
                                verbose_name=_("student"))
    mentor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                               related_name="flash_requests_received", verbose_name=_("mentor"))
    service = models.ForeignKey(ServiceType, on_delete=models.PROTECT, related_name="+", verbose_name=_("service"))
    proposed_starts_at = models.DateTimeField(verbose_name=_("proposed starts at"))
    topic = models.CharField(max_length=120, verbose_name=_("topic"))
    message = models.TextField(blank=True, max_length=1000, verbose_name=_("message"))
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING, verbose_name=_("status"))
    counter_starts_at = models.DateTimeField(null=True, blank=True, verbose_name=_("counter starts at"))
    mentor_note = models.CharField(max_length=500, blank=True, verbose_name=_("mentor note"))
    # The session an accepted request became; sessions are never deleted.
    session = models.OneToOneField(Session, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="flash_request", verbose_name=_("session"))
    created_at = models.DateTimeField(verbose_name=_("created at"))
    responded_at = models.DateTimeField(null=True, blank=True, help_text=_("When the mentor answered."),
                                        verbose_name=_("responded at"))
    decided_at = models.DateTimeField(null=True, blank=True, help_text=_("When the request reached its final state."),
                                      verbose_name=_("decided at"))

    objects = FlashRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("flash request")
        verbose_name_plural = _("flash requests")
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
        return gettext("Flash: %(student)s → %(mentor)s · %(when)s UTC (%(status)s)") % {
            "student": self.student, "mentor": self.mentor, "when": f"{self.starts_at:%Y-%m-%d %H:%M}",
            "status": self.status}

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

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="proposals", verbose_name=_("session"))
    by_mentor = models.BooleanField(help_text=_("True: the mentor proposed; False: the student asked."),
                                    verbose_name=_("by mentor"))
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                                    verbose_name=_("proposed by"))
    starts_at = models.DateTimeField(verbose_name=_("starts at"))
    ends_at = models.DateTimeField(verbose_name=_("ends at"))
    note = models.CharField(max_length=500, blank=True, verbose_name=_("note"))
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING, verbose_name=_("status"))
    created_at = models.DateTimeField(verbose_name=_("created at"))
    decided_at = models.DateTimeField(null=True, blank=True, verbose_name=_("decided at"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("decided by"))
    answer_note = models.CharField(max_length=500, blank=True, verbose_name=_("answer note"))

    objects = RescheduleProposalQuerySet.as_manager()

    class Meta:
        verbose_name = _("reschedule proposal")
        verbose_name_plural = _("reschedule proposals")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # One open question per session: a new proposal replaces the old one.
            models.UniqueConstraint(fields=["session"], condition=Q(status="pending"),
                                    name="proposal_one_pending_per_session"),
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="proposal_ends_after_start"),
        ]

    def __str__(self):
        return gettext("Proposal for session %(session)s: %(when)s UTC (%(status)s)") % {
            "session": self.session_id, "when": f"{self.starts_at:%Y-%m-%d %H:%M}", "status": self.status}

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

    day = models.DateField(unique=True, verbose_name=_("day"))
    students = models.PositiveIntegerField(help_text=_("Active students counted."), verbose_name=_("students"))
    at_risk = models.PositiveIntegerField(help_text=_("Students at risk for any reason."), verbose_name=_("at risk"))
    misses = models.PositiveIntegerField(verbose_name=_("misses"))
    no_upcoming = models.PositiveIntegerField(verbose_name=_("no upcoming"))
    no_credits = models.PositiveIntegerField(verbose_name=_("no credits"))
    no_hours = models.PositiveIntegerField(verbose_name=_("no hours"))
    recorded_at = models.DateTimeField(verbose_name=_("recorded at"))

    class Meta:
        verbose_name = _("risk snapshot")
        verbose_name_plural = _("risk snapshots")
        ordering = ["-day"]

    def __str__(self):
        return gettext("%(at_risk)s of %(students)s at risk on %(day)s") % {
            "at_risk": self.at_risk, "students": self.students, "day": f"{self.day:%Y-%m-%d}"}


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
