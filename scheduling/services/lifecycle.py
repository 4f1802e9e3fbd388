"""After booking: cancel (the 24-hour rule), reschedule, attendance, no-shows, waivers, notes, feedback."""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.locks import lock_calendars
from accounts.models import Role, User
from credits.models import ForfeitReason
from credits.services import credits_record_forfeit, credits_refund

from .. import notifications
from ..errors import IllegalTransition, NotYourSession, TooLate
from ..models import Session, SessionEvent
from ..selectors import free_slot_starts
from ..wording import NO_SHOW_AFTER, when_text
from .booking import why_unavailable
from .state import ALREADY, S, hours_text, lock_session, require_manager, transition

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
        session = lock_session(session.pk)
        if session.status != S.SCHEDULED:
            raise IllegalTransition(ALREADY.get(session.status, _("This session can't be cancelled.")))
        notice = session.starts_at - now
        if actor.pk == session.student_id:
            if session.has_started(now):
                raise TooLate(_("This session has already started, so it can't be cancelled any more."))
            late = session.is_late_cancellation(now)
            if expect_forfeit is False and late:
                raise TooLate(_("The free-cancellation deadline passed while you were deciding. "
                                "Cancelling now forfeits the session — please confirm again."))
            if late:
                # Notes are the record, in English; wording.note_text words them for each reader.
                note = f"cancelled {hours_text(notice)} before start"
                transition(session, S.FORFEITED, actor=actor, now=now, note=reason or f"forfeited — {note}")
                credits_record_forfeit(student=session.student, session_id=session.pk, actor=actor, now=now,
                                       reason=ForfeitReason.LATE_CANCELLATION, note=note)
                SessionEvent.objects.create(session=session, kind=SessionEvent.Kind.FORFEITED, actor=actor, at=now,
                                            note=note, credit_returned=False)
                notifications.session_cancelled(session, refunded=False, now=now)
                return session
            note = f"cancelled by you {hours_text(notice)} before start"
        elif actor.pk == session.mentor_id:
            note = "cancelled by your mentor"
        elif actor.role == Role.MANAGER or actor.is_superuser:
            note = "cancelled by your success manager"
        else:
            raise NotYourSession(_("You can't cancel this session."))
        if reason:
            note = f"{note}: {reason}"
        transition(session, S.CANCELLED, actor=actor, now=now, note=note)
        refund = credits_refund(student=session.student, session_id=session.pk, actor=actor, reason=note, now=now)
        SessionEvent.objects.create(session=session, kind=SessionEvent.Kind.CANCELLED, actor=actor, at=now,
                                    note=note, credit_returned=refund is not None)
        notifications.session_cancelled(session, refunded=True, now=now)
    return session


def session_reschedule(*, session: Session, new_starts_at: datetime, actor: User, now: datetime) -> Session:
    """Move a session at least 24 h before its start; the credit carries over
    (it is the same session, so the same consume stands)."""
    with transaction.atomic():
        # The fixed order: both calendars (mentor, then student), the account, the session.
        mentor_id, student_id = Session.objects.values_list("mentor_id", "student_id").get(pk=session.pk)
        lock_calendars(mentors=[mentor_id], students=[student_id])
        session = lock_session(session.pk)
        if session.mentor_id != mentor_id:
            raise IllegalTransition(_("This session just moved to another mentor; reload the page and try again."))
        if actor.pk != session.student_id and actor.role != Role.MANAGER:
            raise NotYourSession(_("Only the student can reschedule this session."))
        if session.status != S.SCHEDULED:
            raise IllegalTransition(ALREADY.get(session.status, _("This session can't be rescheduled.")))
        if session.is_late_cancellation(now):
            raise TooLate(_("Free rescheduling ended 24 hours before the start. Ask your mentor for another time — "
                            "if they agree, the session moves and nothing is forfeited."))
        move_locked_session(session, new_starts_at=new_starts_at, actor=actor, now=now)
    return session


def move_locked_session(session: Session, *, new_starts_at: datetime, actor: User, now: datetime,
                        note: str = "") -> Session:
    """Move a locked session to a free time of its mentor; the credit carries over
    (it is the same session, so the same consume stands). The caller holds the locks."""
    new_ends_at = new_starts_at + session.service.duration
    free = free_slot_starts(mentor=session.mentor, duration=session.service.duration, now=now,
                            student=session.student, exclude_session_id=session.pk)
    if new_starts_at not in free:
        raise why_unavailable(student=session.student, mentor=session.mentor, starts_at=new_starts_at,
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
        raise why_unavailable(student=session.student, mentor=session.mentor, starts_at=new_starts_at,
                               ends_at=new_ends_at, now=now, exclude_session_id=session.pk) from None
    SessionEvent.objects.create(session=session, kind=SessionEvent.Kind.RESCHEDULED, actor=actor, at=now,
                                previous_starts_at=previous, note=note)
    notifications.session_rescheduled(session, previous_starts_at=previous, now=now)
    return session


def attendance_mark(*, session: Session, actor: User, attended: bool, now: datetime) -> Session:
    """After the start, the mentor marks the session completed or a student no-show."""
    with transaction.atomic():
        session = lock_session(session.pk)
        if actor.pk != session.mentor_id:
            raise NotYourSession(_("Only this session's mentor can mark attendance."))
        if session.status == S.SCHEDULED and not session.has_started(now):
            raise IllegalTransition(_("You can mark attendance once the session has started."))
        if not attended and session.status == S.SCHEDULED and now < session.starts_at + NO_SHOW_AFTER:
            raise IllegalTransition(
                _("A student no-show can be recorded from %(minutes)s minutes after the start "
                  "(%(when)s); they may still be joining.")
                % {"minutes": NO_SHOW_AFTER.seconds // 60, "when": when_text(session.starts_at + NO_SHOW_AFTER, now=now)}
            )
        if attended:
            transition(session, S.COMPLETED, actor=actor, now=now, note="attended")
            SessionEvent.objects.create(session=session, kind=SessionEvent.Kind.COMPLETED, actor=actor, at=now)
            notifications.feedback_requested(session, now=now)
        else:
            note = "forfeited — the student did not attend"
            transition(session, S.FORFEITED, actor=actor, now=now, note=note)
            credits_record_forfeit(student=session.student, session_id=session.pk, actor=actor, now=now,
                                   reason=ForfeitReason.STUDENT_NO_SHOW)
            SessionEvent.objects.create(session=session, kind=SessionEvent.Kind.STUDENT_NO_SHOW, actor=actor, at=now,
                                        note=note, credit_returned=False)
            notifications.session_cancelled(session, refunded=False, now=now)
    return session


def mentor_no_show_record(*, session: Session, actor: User, reason: str, now: datetime) -> Session:
    """A success manager records that the mentor did not show: the credit comes back."""
    require_manager(actor)
    if not reason.strip():
        raise IllegalTransition(_("Give a reason for the record."))
    with transaction.atomic():
        session = lock_session(session.pk)
        if session.status == S.SCHEDULED and not session.has_started(now):
            raise IllegalTransition(_("A mentor no-show can only be recorded after the start."))
        transition(session, S.MENTOR_NO_SHOW, actor=actor, now=now, note=reason)
        refund = credits_refund(student=session.student, session_id=session.pk, actor=actor,
                                reason=f"mentor did not attend: {reason}", now=now)
        SessionEvent.objects.create(session=session, kind=SessionEvent.Kind.MENTOR_NO_SHOW, actor=actor, at=now,
                                    note=reason, credit_returned=refund is not None)
        if refund is not None:
            notifications.credit_returned(session, why="mentor_no_show", now=now)
    return session


def forfeit_waive(*, session: Session, actor: User, reason: str, now: datetime) -> Session:
    """A success manager waives a forfeit: the credit comes back, the record stays."""
    require_manager(actor)
    if not reason.strip():
        raise IllegalTransition(_("A reason is required to waive a forfeit."))
    with transaction.atomic():
        session = lock_session(session.pk)
        if session.status != S.FORFEITED:
            raise IllegalTransition(_("Only a forfeited session can have its forfeit waived."))
        if session.forfeit_waived_at is not None:
            raise IllegalTransition(_("This forfeit was already waived."))
        session.forfeit_waived_at = now
        session.save(update_fields=["forfeit_waived_at"])
        credits_refund(student=session.student, session_id=session.pk, actor=actor,
                       reason=f"forfeit waived: {reason}", now=now)
        SessionEvent.objects.create(session=session, kind=SessionEvent.Kind.FORFEIT_WAIVED, actor=actor, at=now,
                                    note=reason, credit_returned=True)
        notifications.credit_returned(session, why="forfeit_waived", now=now)
    return session


def session_notes_save(*, session: Session, actor: User, notes: str, now: datetime) -> Session:
    if actor.pk != session.mentor_id:
        raise NotYourSession(_("Only this session's mentor writes its notes."))
    Session.objects.filter(pk=session.pk).update(mentor_notes=notes, mentor_notes_updated_at=now)
    session.mentor_notes, session.mentor_notes_updated_at = notes, now
    return session


def feedback_leave(*, session: Session, actor: User, rating: int, comment: str, now: datetime):
    from ..models import Feedback

    if actor.pk != session.student_id:
        raise NotYourSession(_("Only the student of this session can rate it."))
    if session.status != S.COMPLETED:
        raise IllegalTransition(_("You can rate a session once it has been completed."))
    try:
        with transaction.atomic():
            return Feedback.objects.create(session=session, rating=rating, comment=comment.strip(), created_at=now)
    except IntegrityError:
        raise IllegalTransition(_("You already rated this session. Thank you!")) from None


