"""Every write that matters to a session: book, reschedule, cancel, mark, waive.

Each service is one transaction that locks in a fixed order — the student's
credit account, then the mentor's row (their calendar), then the session —
re-checks the rule under the lock, writes, records who did it, and only
then (after commit) tells people.
"""

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q

from accounts.models import Role, User
from credits.errors import CreditsError
from credits.selectors import booking_allowance
from credits.services import account_for_update, credits_consume, credits_record_forfeit, credits_refund
from mentorship.models import MentorProfile

from . import notifications
from .errors import BookingNotAllowed, IllegalTransition, NotYourSession, SlotTaken, SlotUnavailable, TooLate
from .models import LIVE_STATUSES, ServiceType, Session, SessionEvent, SessionSeries, SessionStatus
from .pauses import paused_between
from .selectors import booking_window, free_slot_starts, nearest_starts, upcoming_count

S = SessionStatus

# The one list of legal status changes. Anything else is refused.
TRANSITIONS: set[tuple[str, str]] = {
    (S.SCHEDULED, S.COMPLETED),
    (S.SCHEDULED, S.CANCELLED),
    (S.SCHEDULED, S.FORFEITED),
    (S.SCHEDULED, S.MENTOR_NO_SHOW),
    # A success manager may correct a mark when the mentor was the one absent.
    (S.COMPLETED, S.MENTOR_NO_SHOW),
    (S.FORFEITED, S.MENTOR_NO_SHOW),
}

ALREADY = {
    S.COMPLETED: "This session is already marked as completed.",
    S.CANCELLED: "This session is already cancelled.",
    S.FORFEITED: "This session was already forfeited.",
    S.MENTOR_NO_SHOW: "This session is already recorded as a mentor no-show.",
}


def _transition(session: Session, to: str, *, actor: User, now: datetime, note: str = "") -> None:
    if (session.status, to) not in TRANSITIONS:
        raise IllegalTransition(ALREADY.get(session.status, f"A {session.get_status_display().lower()} session can't change like that."))
    session.status = to
    session.status_changed_at = now
    session.status_changed_by = actor
    session.status_note = note[:500]
    session.save(update_fields=["status", "status_changed_at", "status_changed_by", "status_note"])


def _lock(session_id: int) -> Session:
    """Lock the student's account, then the session (the fixed order)."""
    student_id = Session.objects.values_list("student_id", flat=True).get(pk=session_id)
    account_for_update(student=User(pk=student_id))
    return Session.objects.select_for_update().select_related("student", "mentor", "service").get(pk=session_id)


def _hours(delta: timedelta) -> str:
    """Round down, so a cancellation one second late never reads "24 h before"."""
    minutes = max(int(delta.total_seconds() // 60), 0)
    if minutes >= 48 * 60:
        return f"{minutes // (24 * 60)} days"
    hours, minutes = divmod(minutes, 60)
    if not hours:
        return f"{minutes} min"
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


# --- booking ------------------------------------------------------------------


def check_parties(*, student: User, mentor: User, service: ServiceType) -> None:
    if student.role != Role.STUDENT:
        raise BookingNotAllowed("Only students can book sessions.")
    if mentor.role != Role.MENTOR or not mentor.is_active:
        raise BookingNotAllowed("This person isn't taking bookings.")
    if not service.is_active or not service.mentors.filter(pk=mentor.pk).exists():
        raise BookingNotAllowed(f"{mentor.get_full_name()} doesn't offer “{service.name}”.")


def _why_unavailable(*, student: User, mentor: User, starts_at: datetime, ends_at: datetime, now: datetime,
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

        allowance = booking_allowance(student, now=now)
        if not allowance.can_book:
            raise BookingNotAllowed(allowance.reason)
        if allowance.max_upcoming is not None and upcoming_count(student, now=now) >= allowance.max_upcoming:
            raise BookingNotAllowed(
                f"Your plan lets you hold {allowance.max_upcoming} upcoming "
                f"session{'s' if allowance.max_upcoming != 1 else ''} at a time. "
                "Book more once one has taken place, or cancel one."
            )

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
                raise _why_unavailable(student=student, mentor=mentor, starts_at=starts_at, ends_at=ends_at, now=now)
        elif starts_at not in free_slot_starts(mentor=mentor, duration=service.duration, now=now, student=student):
            raise _why_unavailable(student=student, mentor=mentor, starts_at=starts_at, ends_at=ends_at, now=now)

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
            raise _why_unavailable(student=student, mentor=mentor, starts_at=starts_at, ends_at=ends_at, now=now)

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


# --- changes by the student, the mentor or a success manager -------------------


def session_cancel(*, session: Session, actor: User, now: datetime, reason: str = "",
                   expect_forfeit: bool | None = None) -> Session:
    """Cancel a scheduled session under the 24-hour rule.

    Students: at least 24 h before the start, the credit comes back; later, the
    session is forfeited. Mentors and success managers: always refunded.
    `expect_forfeit` is what the confirm page promised; if the clock crossed the
    deadline since, nothing happens and TooLate says so.
    """
    with transaction.atomic():
        session = _lock(session.pk)
        if session.status != S.SCHEDULED:
            raise IllegalTransition(ALREADY.get(session.status, "This session can't be cancelled."))
        notice = session.starts_at - now
        if actor.pk == session.student_id:
            if session.has_started(now):
                raise TooLate("This session has already started, so it can't be cancelled any more.")
            late = session.is_late_cancellation(now)
            if expect_forfeit is False and late:
                raise TooLate("The free-cancellation deadline passed while you were deciding. "
                              "Cancelling now forfeits the session — please confirm again.")
            if late:
                note = f"forfeited — cancelled {_hours(notice)} before start"
                _transition(session, S.FORFEITED, actor=actor, now=now, note=reason or note)
                credits_record_forfeit(student=session.student, session_id=session.pk, actor=actor, note=note, now=now)
                SessionEvent.objects.create(session=session, kind=SessionEvent.Kind.FORFEITED, actor=actor, at=now,
                                            note=note, credit_returned=False)
                notifications.session_cancelled(session, refunded=False, now=now)
                return session
            note = f"cancelled by you {_hours(notice)} before start"
        elif actor.pk == session.mentor_id:
            note = "cancelled by your mentor"
        elif actor.role == Role.MANAGER or actor.is_superuser:
            note = "cancelled by your success manager"
        else:
            raise NotYourSession("You can't cancel this session.")
        if reason:
            note = f"{note}: {reason}"
        _transition(session, S.CANCELLED, actor=actor, now=now, note=note)
        refund = credits_refund(student=session.student, session_id=session.pk, actor=actor, reason=note, now=now)
        SessionEvent.objects.create(session=session, kind=SessionEvent.Kind.CANCELLED, actor=actor, at=now,
                                    note=note, credit_returned=refund is not None)
        notifications.session_cancelled(session, refunded=True, now=now)
    return session


def session_reschedule(*, session: Session, new_starts_at: datetime, actor: User, now: datetime) -> Session:
    """Move a session at least 24 h before its start; the credit carries over
    (it is the same session, so the same consume stands)."""
    with transaction.atomic():
        session = _lock(session.pk)
        if actor.pk != session.student_id and actor.role != Role.MANAGER:
            raise NotYourSession("Only the student can reschedule this session.")
        if session.status != S.SCHEDULED:
            raise IllegalTransition(ALREADY.get(session.status, "This session can't be rescheduled."))
        if session.is_late_cancellation(now):
            raise TooLate("Free rescheduling ended 24 hours before the start. Message your mentor — they may be able to help.")
        User.objects.select_for_update().filter(pk=session.mentor_id).exists()
        new_ends_at = new_starts_at + session.service.duration
        free = free_slot_starts(mentor=session.mentor, duration=session.service.duration, now=now,
                                student=session.student, exclude_session_id=session.pk)
        if new_starts_at not in free:
            raise _why_unavailable(student=session.student, mentor=session.mentor, starts_at=new_starts_at,
                                   ends_at=new_ends_at, now=now, exclude_session_id=session.pk)
        previous = session.starts_at
        session.starts_at, session.ends_at = new_starts_at, new_ends_at
        session.calendar_sequence += 1
        # The new time earns its own reminders.
        session.last_chance_sent_at = session.starting_soon_sent_at = session.attendance_reminder_sent_at = None
        try:
            with transaction.atomic():
                session.save(update_fields=["starts_at", "ends_at", "calendar_sequence", "last_chance_sent_at",
                                            "starting_soon_sent_at", "attendance_reminder_sent_at"])
        except IntegrityError:
            raise _why_unavailable(student=session.student, mentor=session.mentor, starts_at=new_starts_at,
                                   ends_at=new_ends_at, now=now, exclude_session_id=session.pk)
        SessionEvent.objects.create(session=session, kind=SessionEvent.Kind.RESCHEDULED, actor=actor, at=now,
                                    previous_starts_at=previous)
        notifications.session_rescheduled(session, previous_starts_at=previous, now=now)
    return session


def attendance_mark(*, session: Session, actor: User, attended: bool, now: datetime) -> Session:
    """After the start, the mentor marks the session completed or a student no-show."""
    with transaction.atomic():
        session = _lock(session.pk)
        if actor.pk != session.mentor_id:
            raise NotYourSession("Only this session's mentor can mark attendance.")
        if session.status == S.SCHEDULED and not session.has_started(now):
            raise IllegalTransition("You can mark attendance once the session has started.")
        if attended:
            _transition(session, S.COMPLETED, actor=actor, now=now, note="attended")
            SessionEvent.objects.create(session=session, kind=SessionEvent.Kind.COMPLETED, actor=actor, at=now)
        else:
            note = "forfeited — the student did not attend"
            _transition(session, S.FORFEITED, actor=actor, now=now, note=note)
            credits_record_forfeit(student=session.student, session_id=session.pk, actor=actor, note=note, now=now)
            SessionEvent.objects.create(session=session, kind=SessionEvent.Kind.STUDENT_NO_SHOW, actor=actor, at=now,
                                        note=note, credit_returned=False)
            notifications.session_cancelled(session, refunded=False, now=now)
    return session


def _require_manager(actor: User) -> None:
    if not (actor.role == Role.MANAGER or actor.is_superuser):
        raise NotYourSession("Only a success manager can do this.")


def mentor_no_show_record(*, session: Session, actor: User, reason: str, now: datetime) -> Session:
    """A success manager records that the mentor did not show: the credit comes back."""
    _require_manager(actor)
    if not reason.strip():
        raise IllegalTransition("Give a reason for the record.")
    with transaction.atomic():
        session = _lock(session.pk)
        if session.status == S.SCHEDULED and not session.has_started(now):
            raise IllegalTransition("A mentor no-show can only be recorded after the start.")
        _transition(session, S.MENTOR_NO_SHOW, actor=actor, now=now, note=reason)
        refund = credits_refund(student=session.student, session_id=session.pk, actor=actor,
                                reason=f"mentor did not attend: {reason}", now=now)
        SessionEvent.objects.create(session=session, kind=SessionEvent.Kind.MENTOR_NO_SHOW, actor=actor, at=now,
                                    note=reason, credit_returned=refund is not None)
        if refund is not None:
            notifications.credit_returned(session, why="your mentor could not attend", now=now)
    return session


def forfeit_waive(*, session: Session, actor: User, reason: str, now: datetime) -> Session:
    """A success manager waives a forfeit: the credit comes back, the record stays."""
    _require_manager(actor)
    if not reason.strip():
        raise IllegalTransition("A reason is required to waive a forfeit.")
    with transaction.atomic():
        session = _lock(session.pk)
        if session.status != S.FORFEITED:
            raise IllegalTransition("Only a forfeited session can have its forfeit waived.")
        if session.forfeit_waived_at is not None:
            raise IllegalTransition("This forfeit was already waived.")
        session.forfeit_waived_at = now
        session.save(update_fields=["forfeit_waived_at"])
        credits_refund(student=session.student, session_id=session.pk, actor=actor,
                       reason=f"forfeit waived: {reason}", now=now)
        SessionEvent.objects.create(session=session, kind=SessionEvent.Kind.FORFEIT_WAIVED, actor=actor, at=now,
                                    note=reason, credit_returned=True)
        notifications.credit_returned(session, why="your success manager waived the forfeit", now=now)
    return session


def session_notes_save(*, session: Session, actor: User, notes: str, now: datetime) -> Session:
    if actor.pk != session.mentor_id:
        raise NotYourSession("Only this session's mentor writes its notes.")
    Session.objects.filter(pk=session.pk).update(mentor_notes=notes, mentor_notes_updated_at=now)
    session.mentor_notes, session.mentor_notes_updated_at = notes, now
    return session


def feedback_leave(*, session: Session, actor: User, rating: int, comment: str, now: datetime):
    from .models import Feedback

    if actor.pk != session.student_id:
        raise NotYourSession("Only the student of this session can rate it.")
    if session.status != S.COMPLETED:
        raise IllegalTransition("You can rate a session once it has been completed.")
    try:
        with transaction.atomic():
            return Feedback.objects.create(session=session, rating=rating, comment=comment.strip(), created_at=now)
    except IntegrityError:
        raise IllegalTransition("You already rated this session. Thank you!")


# --- a success manager re-pairs a student with sessions in flight (issue 7) ---


MOVE_CHOICES = ("keep", "move", "cancel")


def _local(instant: datetime) -> str:
    """A time as the person on the page reads it (the middleware activates their zone)."""
    from django.utils import timezone

    return timezone.localtime(instant).strftime("%a %d %b %Y %H:%M %Z")


def move_conflicts(*, sessions: list[Session], new_mentor: User, now: datetime) -> dict[int, str]:
    """Why `new_mentor` cannot take each of these sessions over, by session id.

    Sessions missing from the answer can move. The same rules as booking —
    the mentor's weekly hours (wall clock in their zone), their time off,
    their live sessions plus the rest buffer — in a constant number of
    queries however many sessions are asked about. The exact times are
    checked, not the 30-minute booking steps: the session already exists.
    """
    from django.conf import settings

    from mentorship.selectors import days_to_utc
    from mentorship.weekgrid import expand_to_utc
    from mentorship.weekgrid import merge_intervals as merge

    from .selectors import mentor_calendar
    from .slots import within

    if not sessions:
        return {}
    name = new_mentor.get_full_name()
    if new_mentor.role != Role.MENTOR or not new_mentor.is_active:
        return {s.pk: f"{name} is not an active mentor." for s in sessions}
    start = min(s.starts_at for s in sessions) - timedelta(days=1)
    end = max(s.ends_at for s in sessions) + timedelta(days=1)
    offered = set(ServiceType.objects.filter(mentors=new_mentor, is_active=True).values_list("pk", flat=True))
    # The same one-round-trip read slot search uses: grid, time off, live sessions.
    calendar = mentor_calendar(mentor=new_mentor, student=None, start=start, end=end, exclude_session_id=None)
    hours = expand_to_utc(calendar.cells, new_mentor.tzinfo, start, end) if "1" in calendar.cells else []
    away = days_to_utc(calendar.time_off, new_mentor.tzinfo, start, end)
    buffer = timedelta(minutes=settings.BOOKING_BUFFER_MINUTES)
    notice_from = now + timedelta(minutes=settings.BOOKING_MIN_NOTICE_MINUTES)
    # The sessions being moved are the old mentor's, so none of them is in this calendar.
    busy = merge([(s - buffer, e + buffer) for s, e, _ in calendar.sessions])

    def overlaps(intervals, a, b):
        return any(s < b and a < e for s, e in intervals)

    conflicts: dict[int, str] = {}
    for session in sessions:
        a, b = session.starts_at, session.ends_at
        if session.status != S.SCHEDULED:
            conflicts[session.pk] = "This session is no longer scheduled."
        elif session.has_started(now):
            conflicts[session.pk] = "This session has already started."
        elif a < notice_from:
            # The same notice a booking needs: nobody inherits a session about to begin.
            conflicts[session.pk] = (f"It starts too soon to hand over (less than "
                                     f"{settings.BOOKING_MIN_NOTICE_MINUTES} minutes' notice); keep or cancel it.")
        elif session.service_id not in offered:
            conflicts[session.pk] = f"{name} doesn't offer “{session.service.name}”."
        elif overlaps(away, a, b):
            conflicts[session.pk] = f"{name} is on time off then."
        elif overlaps(busy, a, b):
            conflicts[session.pk] = f"{name} has another session then."
        elif not within(hours, a, b):
            conflicts[session.pk] = f"That time is outside {name}'s weekly hours."
    return conflicts


def session_move_to_mentor(*, session: Session, new_mentor: User, actor: User, now: datetime) -> Session:
    """Hand a scheduled session over to another mentor at the same time.

    The credit stays (it is the same session, so its consume stands). Locks
    the credit account, then both mentors' rows (their calendars, in id
    order), then the session; re-checks that the new mentor is free under
    the lock; the exclusion constraint catches anything that still slips by.
    """
    _require_manager(actor)
    with transaction.atomic():
        student_id, old_mentor_id = Session.objects.values_list("student_id", "mentor_id").get(pk=session.pk)
        account_for_update(student=User(pk=student_id))
        locked = {u.pk: u for u in User.objects.select_for_update().filter(pk__in={old_mentor_id, new_mentor.pk})
                  .order_by("pk")}
        new_mentor = locked[new_mentor.pk]
        session = Session.objects.select_for_update().select_related("student", "mentor", "service").get(pk=session.pk)
        if session.mentor_id != old_mentor_id:
            raise IllegalTransition("This session changed mentor meanwhile; reload the page and decide again.")
        if session.mentor_id == new_mentor.pk:
            raise IllegalTransition(f"This session is already with {new_mentor.get_full_name()}.")
        if session.status != S.SCHEDULED:
            raise IllegalTransition(ALREADY.get(session.status, "This session can't move."))
        conflict = move_conflicts(sessions=[session], new_mentor=new_mentor, now=now).get(session.pk)
        if conflict:
            raise SlotUnavailable(f"Can't move the session of {_local(session.starts_at)} to "
                                  f"{new_mentor.get_full_name()}: {conflict}")
        previous_mentor = session.mentor
        profile = MentorProfile.objects.filter(user=new_mentor).first()
        session.mentor = new_mentor
        session.video_url = profile.video_url if profile else ""
        session.calendar_sequence += 1
        # The reminders go again, from the new mentor with their video room.
        session.last_chance_sent_at = session.starting_soon_sent_at = session.attendance_reminder_sent_at = None
        try:
            with transaction.atomic():
                session.save(update_fields=["mentor", "video_url", "calendar_sequence", "last_chance_sent_at",
                                            "starting_soon_sent_at", "attendance_reminder_sent_at"])
        except IntegrityError:
            raise SlotTaken(f"Can't move the session of {_local(session.starts_at)}: "
                            f"{new_mentor.get_full_name()} was just booked at that time.")
        SessionEvent.objects.create(
            session=session, kind=SessionEvent.Kind.MENTOR_CHANGED, actor=actor, at=now,
            note=f"Mentor changed from {previous_mentor.get_full_name()} to {new_mentor.get_full_name()}"[:500],
        )
        notifications.session_mentor_changed(session, previous_mentor=previous_mentor, now=now)
    return session


@dataclass
class ReassignOutcome:
    assignment: object
    kept: list[Session] = field(default_factory=list)
    moved: list[Session] = field(default_factory=list)
    cancelled: list[Session] = field(default_factory=list)

    def summary(self) -> str:
        def listed(sessions):
            return ", ".join(f"#{s.pk} {s.starts_at:%d %b %Y %H:%M} UTC" for s in sessions) or "none"

        return (f"kept with the previous mentor: {listed(self.kept)}; moved to the new mentor: {listed(self.moved)}; "
                f"cancelled with the credit refunded: {listed(self.cancelled)}")


def reassign_with_sessions(
    *, student: User, mentor: User, reason: str, actor: User, now: datetime, decisions: dict[int, str],
    override_capacity: bool = False,
) -> ReassignOutcome:
    """Pair the student with `mentor` and settle their upcoming sessions with
    the previous mentor — keep, move to the new mentor, or cancel with a
    refund — all in one transaction: one refused move changes nothing at all.

    `decisions` maps session id to "keep" | "move" | "cancel"; upcoming
    sessions with the previous mentor not named are kept.
    """
    from accounts.audit import audit_record
    from mentorship.models import MentorAssignment, StudentAccount
    from mentorship.services import assignment_change

    _require_manager(actor)
    if any(choice not in MOVE_CHOICES for choice in decisions.values()):
        raise IllegalTransition("Choose keep, move or cancel for each session.")
    with transaction.atomic():
        # The fixed order: the credit account (only when a session will change),
        # then the people, then the sessions.
        if any(choice != "keep" for choice in decisions.values()):
            account_for_update(student=student)
        previous = MentorAssignment.objects.current().filter(student=student).values_list("mentor_id", flat=True).first()
        list(User.objects.select_for_update().filter(pk__in={student.pk, mentor.pk, previous} - {None}).order_by("pk"))
        assignment = assignment_change(student=student, mentor=mentor, reason=reason, actor=actor, now=now,
                                       override_capacity=override_capacity)
        outcome = ReassignOutcome(assignment=assignment)
        in_flight = list(
            Session.objects.filter(student=student, mentor_id=previous, status=S.SCHEDULED, starts_at__gt=now)
            .select_related("student", "mentor", "service").order_by("starts_at")
        ) if previous else []
        unknown = {pk for pk, choice in decisions.items() if choice != "keep"} - {s.pk for s in in_flight}
        if unknown:
            raise IllegalTransition("Some of those sessions are no longer upcoming with the previous mentor; "
                                    "reload the page and decide again.")
        for session in in_flight:
            choice = decisions.get(session.pk, "keep")
            if choice == "move":
                outcome.moved.append(session_move_to_mentor(session=session, new_mentor=mentor, actor=actor, now=now))
            elif choice == "cancel":
                outcome.cancelled.append(session_cancel(session=session, actor=actor, now=now,
                                                        reason="your mentor is changing"))
            else:
                outcome.kept.append(session)
        audit_record(
            actor=actor, obj=StudentAccount(pk=student.pk, email=student.email, full_name=student.full_name),
            message=f"Mentor changed to {mentor.get_full_name()}. Reason: {reason}. "
                    + (f"Upcoming sessions {outcome.summary()}." if in_flight
                       else "No upcoming sessions with a previous mentor."),
        )
    return outcome
