"""Booking: one session, or a standing weekly series."""

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q

from accounts.models import Role, User
from credits.errors import CreditsError
from credits.services import account_for_update, credits_consume
from mentorship.models import MentorProfile

from .. import notifications
from ..allowance import require_can_book
from ..errors import BookingNotAllowed, SlotTaken, SlotUnavailable
from ..models import LIVE_STATUSES, ServiceType, Session, SessionEvent, SessionSeries
from ..pauses import paused_between
from ..selectors import booking_window, free_slot_starts, nearest_starts

from .state import S

# --- booking ------------------------------------------------------------------


def check_parties(*, student: User, mentor: User, service: ServiceType) -> None:
    if student.role != Role.STUDENT:
        raise BookingNotAllowed("Only students can book sessions.")
    if mentor.role != Role.MENTOR or not mentor.is_active:
        raise BookingNotAllowed("This person isn't taking bookings.")
    if not service.is_active or not service.mentors.filter(pk=mentor.pk).exists():
        raise BookingNotAllowed(f"{mentor.get_full_name()} doesn't offer “{service.name}”.")


def why_unavailable(*, student: User, mentor: User, starts_at: datetime, ends_at: datetime, now: datetime,
                     exclude_session_id: int | None = None) -> SlotUnavailable:
    earliest, horizon = booking_window(now)
    starts = free_slot_starts(mentor=mentor, duration=ends_at - starts_at, now=now, student=student,
                              exclude_session_id=exclude_session_id)
    nearest = nearest_starts(starts, starts_at)
    overlapping = Session.objects.filter(status__in=LIVE_STATUSES, starts_at__lt=ends_at, ends_at__gt=starts_at).exclude(
        pk=exclude_session_id
    )
    if overlapping.filter(student=student).exists():
        return SlotUnavailable("You already have a session at that time.", nearest)
    if overlapping.filter(mentor=mentor).exists():
        return SlotTaken("That time was just taken.", nearest)
    if starts_at < earliest:
        return SlotUnavailable("That time is too soon to book — sessions need a little notice.", nearest)
    if ends_at > horizon:
        return SlotUnavailable("That time is too far ahead to book yet.", nearest)
    return SlotUnavailable("That time isn't available with this mentor.", nearest)


def booking_create(
    *, student: User, mentor: User, service: ServiceType, starts_at: datetime, actor: User, now: datetime,
    booking_key: uuid.UUID | None = None, series: SessionSeries | None = None, mentor_agreed: bool = False,
) -> Session:
    """Book one session and spend its credit, or change nothing.

    `mentor_agreed` (flash sessions): the mentor chose this time, so it may lie
    outside their weekly grid or time off; it must still be free of live
    sessions for both people, within notice and horizon, and paid for.
    """
    check_parties(student=student, mentor=mentor, service=service)
    ends_at = starts_at + service.duration
    with transaction.atomic():
        account_for_update(student=student)
        User.objects.select_for_update().filter(pk=mentor.pk).exists()  # one booking per mentor at a time
        if booking_key is not None:
            existing = Session.objects.filter(booking_key=booking_key, student=student).first()
            if existing is not None:
                return existing  # a double submit: the first one already booked it

        require_can_book(student, now=now)  # credits, plan, pause and the cap: the words the pages showed

        pause = paused_between(student, starts_at, ends_at)
        if pause is not None:
            raise BookingNotAllowed(
                f"You're on a pause from {pause.starts_on:%-d %b} to {pause.ends_on:%-d %b}; "
                "book a time after it ends."
            )
        if mentor_agreed:
            earliest, horizon = booking_window(now)
            clash = Session.objects.filter(Q(mentor=mentor) | Q(student=student), status__in=LIVE_STATUSES,
                                           starts_at__lt=ends_at, ends_at__gt=starts_at).exists()
            if clash or starts_at < earliest or ends_at > horizon:
                raise why_unavailable(student=student, mentor=mentor, starts_at=starts_at, ends_at=ends_at, now=now)
        elif starts_at not in free_slot_starts(mentor=mentor, duration=service.duration, now=now, student=student):
            raise why_unavailable(student=student, mentor=mentor, starts_at=starts_at, ends_at=ends_at, now=now)

        profile = MentorProfile.objects.filter(user=mentor).only("video_url").first()
        try:
            with transaction.atomic():
                session = Session.objects.create(
                    student=student, mentor=mentor, service=service, series=series,
                    starts_at=starts_at, ends_at=ends_at, status=S.SCHEDULED,
                    video_url=profile.video_url if profile else "", booking_key=booking_key,
                    created_at=now, created_by=actor,
                )
        except IntegrityError:
            # The exclusion constraint caught a race the checks above missed.
            raise why_unavailable(student=student, mentor=mentor, starts_at=starts_at, ends_at=ends_at, now=now)

        try:
            credits_consume(student=student, session_id=session.pk, actor=actor, now=now,
                            note=f"{service.name} with {mentor.get_full_name()}")
        except CreditsError as exc:
            raise BookingNotAllowed(exc.message) from exc
        SessionEvent.objects.create(session=session, kind=SessionEvent.Kind.BOOKED, actor=actor, at=now)
        notifications.session_booked(session, now=now)
    return session


@dataclass
class SeriesResult:
    series: SessionSeries | None
    booked: list[Session] = field(default_factory=list)
    skipped: list[tuple[datetime, str]] = field(default_factory=list)


def booking_series_create(
    *, student: User, mentor: User, service: ServiceType, first_starts_at: datetime, weeks: int,
    actor: User, now: datetime,
) -> SeriesResult:
    """A standing weekly session: the same weekday and time (in the student's
    zone) for `weeks` weeks. Each occurrence is booked on its own with its own
    credit; those that can't be booked are listed with the reason."""
    check_parties(student=student, mentor=mentor, service=service)
    _, horizon = booking_window(now)
    local_first = first_starts_at.astimezone(student.tzinfo)
    series = SessionSeries.objects.create(
        student=student, mentor=mentor, service=service, first_starts_at=first_starts_at, weeks=weeks, created_at=now
    )
    result = SeriesResult(series=series)
    for week in range(weeks):
        # Wall-clock arithmetic in the student's zone keeps "Tuesdays at 18:00"
        # at 18:00 for them across a daylight-saving change.
        starts_at = (local_first + timedelta(weeks=week)).astimezone(first_starts_at.tzinfo)
        if starts_at + service.duration > horizon:
            result.skipped.append((starts_at, "Beyond the booking horizon."))
            continue
        try:
            result.booked.append(booking_create(
                student=student, mentor=mentor, service=service, starts_at=starts_at, actor=actor, now=now,
                series=series,
            ))
        except (SlotUnavailable, BookingNotAllowed) as exc:
            result.skipped.append((starts_at, exc.message))
    if not result.booked:
        series.delete()
        result.series = None
    return result


