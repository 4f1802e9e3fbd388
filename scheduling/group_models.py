"""Group mentorship: sessions with seats, the seats students hold, the waitlist.

Kept apart from the 1-1 `Session` (imported by `scheduling.models`). What the
database guarantees here:

- `seats_taken <= seats` (a CHECK), and `seats_taken` only moves by a
  conditional UPDATE in `services/group.py`, so no race can oversell a session;
- one live seat and one waiting entry per student and session (partial unique keys);
- a group session never overlaps a live 1-1 session of the same mentor, nor a
  student's seat one of their own live sessions: triggers on both tables (see
  migration 0006_group_sessions), since an exclusion constraint can't span two tables.
"""

import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import RangeOperators
from django.db import models
from django.db.models import F, Q
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from .ranges import TsTzRange
from .wording import FREE_CANCELLATION_WINDOW

MIN_SEATS, MAX_SEATS = 2, 100


def _seats_help() -> str:
    return _("Between %(min)s and %(max)s.") % {"min": MIN_SEATS, "max": MAX_SEATS}


# Evaluated when shown (in the reader's language), not at import.
SEATS_HELP = lazy(_seats_help, str)()


class GroupStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class GroupSeries(models.Model):
    """A weekly group session: the same weekday and time (in the mentor's zone) for N weeks."""

    mentor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("mentor"))
    weeks = models.PositiveSmallIntegerField(verbose_name=_("weeks"))
    created_at = models.DateTimeField(verbose_name=_("created at"))

    class Meta:
        verbose_name = _("group series")
        verbose_name_plural = _("group series")

    def __str__(self):
        return _("Weekly × %(weeks)s") % {"weeks": self.weeks}


class GroupSessionQuerySet(models.QuerySet):
    def upcoming(self, now: datetime):
        return self.filter(status=GroupStatus.SCHEDULED, starts_at__gt=now)


class GroupSession(models.Model):
    mentor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="group_sessions", verbose_name=_("mentor"))
    title = models.CharField(max_length=120, verbose_name=_("title"))
    topic = models.CharField(max_length=200, blank=True, help_text=_("What it is about, in a line."), verbose_name=_("topic"))
    skills = models.ManyToManyField("mentorship.Skill", blank=True, related_name="group_sessions", verbose_name=_("skills"))
    description = models.TextField(blank=True, max_length=4000, verbose_name=_("description"))
    starts_at = models.DateTimeField(db_index=True, verbose_name=_("starts at"))
    ends_at = models.DateTimeField(verbose_name=_("ends at"))
    seats = models.PositiveSmallIntegerField(help_text=SEATS_HELP, verbose_name=_("seats"))
    # Moved only by a conditional UPDATE (services/group.py); the CHECK is the last line.
    seats_taken = models.PositiveSmallIntegerField(default=0, editable=False, verbose_name=_("seats taken"))
    video_url = models.URLField(blank=True, verbose_name=_("video url"))
    status = models.CharField(max_length=16, choices=GroupStatus.choices, default=GroupStatus.SCHEDULED, verbose_name=_("status"))
    series = models.ForeignKey(GroupSeries, null=True, blank=True, on_delete=models.SET_NULL, related_name="sessions", verbose_name=_("series"))
    # One UID per session in every attendee's calendar; SEQUENCE rises on each change (details, attendees, cancel).
    calendar_uid = models.UUIDField(default=uuid.uuid4, editable=False, verbose_name=_("calendar uid"))
    calendar_sequence = models.PositiveIntegerField(default=0, editable=False, verbose_name=_("calendar sequence"))
    created_at = models.DateTimeField(verbose_name=_("created at"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("created by"))
    cancelled_at = models.DateTimeField(null=True, blank=True, verbose_name=_("cancelled at"))
    cancelled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name=_("cancelled by"))
    cancel_reason = models.CharField(max_length=500, blank=True, verbose_name=_("cancel reason"))

    objects = GroupSessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("group session")
        verbose_name_plural = _("group sessions")
        ordering = ["starts_at", "pk"]
        indexes = [models.Index(fields=["mentor", "starts_at"]), models.Index(fields=["status", "starts_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="group_ends_after_start"),
            models.CheckConstraint(condition=Q(seats__gte=MIN_SEATS, seats__lte=MAX_SEATS), name="group_seats_2_to_100"),
            # Never oversold, whatever races above it.
            models.CheckConstraint(condition=Q(seats_taken__gte=0, seats_taken__lte=F("seats")),
                                   name="group_seats_taken_within_seats"),
            models.CheckConstraint(condition=~Q(title=""), name="group_title_required"),
            # Two group sessions of one mentor never overlap (1-1 sessions: the triggers).
            ExclusionConstraint(
                name="group_mentor_no_overlap",
                expressions=[
                    (TsTzRange("starts_at", "ends_at", models.Value("[)")), RangeOperators.OVERLAPS),
                    ("mentor", RangeOperators.EQUAL),
                ],
                condition=~Q(status=GroupStatus.CANCELLED),
            ),
        ]

    def __str__(self):
        return f"{self.title} · {self.mentor} · {self.starts_at:%Y-%m-%d %H:%M} UTC"

    @property
    def seats_left(self) -> int:
        return self.seats - self.seats_taken

    @property
    def is_full(self) -> bool:
        return self.seats_taken >= self.seats

    @property
    def cancellation_deadline(self) -> datetime:
        return self.starts_at - FREE_CANCELLATION_WINDOW

    def is_late_cancellation(self, now: datetime) -> bool:
        """Leaving exactly 24 h before is still free; one second later is not."""
        return now > self.cancellation_deadline

    def has_started(self, now: datetime) -> bool:
        return now >= self.starts_at

    @property
    def is_scheduled(self) -> bool:
        return self.status == GroupStatus.SCHEDULED

    @property
    def duration(self) -> timedelta:
        return self.ends_at - self.starts_at


class SeatStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    ATTENDED = "attended", _("Attended")
    NO_SHOW = "no_show", _("No-show")
    CANCELLED = "cancelled", _("Cancelled")  # credit back
    FORFEITED = "forfeited", _("Forfeited")  # left late: credit kept


LIVE_SEAT_STATUSES = [SeatStatus.BOOKED, SeatStatus.ATTENDED, SeatStatus.NO_SHOW]


class GroupSeat(models.Model):
    """One student's seat in a group session; leaving and rebooking makes a new seat."""

    session = models.ForeignKey(GroupSession, on_delete=models.PROTECT, related_name="seat_set", verbose_name=_("session"))
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="group_seats", verbose_name=_("student"))
    status = models.CharField(max_length=16, choices=SeatStatus.choices, default=SeatStatus.BOOKED, verbose_name=_("status"))
    booked_at = models.DateTimeField(verbose_name=_("booked at"))
    via_waitlist = models.BooleanField(default=False, verbose_name=_("via waitlist"))
    # Denormalised from the session so the overlap triggers and the student's pages read one table.
    starts_at = models.DateTimeField(verbose_name=_("starts at"))
    ends_at = models.DateTimeField(verbose_name=_("ends at"))
    status_changed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("status changed at"))
    status_changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                          related_name="+", verbose_name=_("status changed by"))
    status_note = models.CharField(max_length=500, blank=True, verbose_name=_("status note"))

    class Meta:
        verbose_name = _("group seat")
        verbose_name_plural = _("group seats")
        ordering = ["booked_at", "pk"]
        indexes = [models.Index(fields=["student", "starts_at"])]
        constraints = [
            models.UniqueConstraint(fields=["session", "student"], condition=Q(status="booked"),
                                    name="group_one_live_seat_per_student"),
        ]

    def __str__(self):
        return _("%(student)s in %(session)s (%(status)s)") % {
            "student": self.student, "session": self.session_id, "status": self.get_status_display()}

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_SEAT_STATUSES


class WaitStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    PROMOTED = "promoted", _("Got a seat")
    LEFT = "left", _("Left the waitlist")
    CLOSED = "closed", _("Closed (session started or cancelled)")


class WaitlistEntry(models.Model):
    session = models.ForeignKey(GroupSession, on_delete=models.CASCADE, related_name="waitlist", verbose_name=_("session"))
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="group_waits", verbose_name=_("student"))
    status = models.CharField(max_length=16, choices=WaitStatus.choices, default=WaitStatus.WAITING, verbose_name=_("status"))
    joined_at = models.DateTimeField(verbose_name=_("joined at"))
    # Set when a seat freed within 24 h of the start was offered (first to accept wins).
    offered_at = models.DateTimeField(null=True, blank=True, verbose_name=_("offered at"))
    closed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("closed at"))
    seat = models.OneToOneField(GroupSeat, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("seat"))

    class Meta:
        ordering = ["joined_at", "pk"]
        verbose_name = _("waitlist entry")
        verbose_name_plural = _("waitlist entries")
        constraints = [
            models.UniqueConstraint(fields=["session", "student"], condition=Q(status="waiting"),
                                    name="group_one_wait_per_student"),
        ]

    def __str__(self):
        return f"{self.student} waiting for {self.session_id} ({self.status})"
