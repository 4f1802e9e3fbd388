"""A mentor's time off over sessions already booked: each one kept or cancelled, never left silently inside."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.locks import lock_calendars
from accounts.models import Role, User
from mentorship.models import TimeOff
from mentorship.services import MentorshipError, time_off_add

from ..errors import SchedulingError
from ..models import Session, SessionStatus
from .lifecycle import session_cancel

KEEP, CANCEL = "keep", "cancel"


class TimeOffDecisionsNeeded(SchedulingError):
    """Some sessions inside the new time off have no decision yet; `sessions` lists them."""

    def __init__(self, message: str, sessions: list[Session]):
        super().__init__(message)
        self.sessions = sessions


@dataclass
class TimeOffOutcome:
    time_off: TimeOff
    kept: list[Session]
    cancelled: list[Session]


def sessions_inside(*, mentor: User, starts_on: date, ends_on: date) -> list[Session]:
    """The mentor's scheduled sessions that overlap those whole local days."""
    zone = mentor.tzinfo
    start = datetime.combine(starts_on, time(0), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(ends_on + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    return list(Session.objects.filter(mentor=mentor, status=SessionStatus.SCHEDULED).overlapping(start, end)
                .select_related("student", "service").order_by("starts_at"))


def time_off_add_with_sessions(*, mentor: User, starts_on: date, ends_on: date, reason: str,
                               decisions: dict[int, str], cancel_reason: str, now: datetime) -> TimeOffOutcome:
    """Add time off and carry out the mentor's choice for each session inside it, in one transaction.

    `decisions` maps session id → "keep" | "cancel". Every scheduled session
    inside the days must have one; otherwise nothing is saved and
    TimeOffDecisionsNeeded lists them (a session booked while the mentor was
    deciding is caught here). Cancelling gives the student the credit back,
    with the mentor's reason in the email.
    """
    if mentor.role != Role.MENTOR:
        raise SchedulingError(_("Only mentors take time off."))
    with transaction.atomic():
        lock_calendars(mentors=[mentor.pk])  # the mentor's calendar: no booking meanwhile
        inside = [s for s in sessions_inside(mentor=mentor, starts_on=starts_on, ends_on=ends_on)
                  if s.ends_at > now]
        undecided = [s for s in inside if decisions.get(s.pk) not in (KEEP, CANCEL)]
        if undecided:
            raise TimeOffDecisionsNeeded(ngettext(
                "%(n)d booked session is inside that time off. "
                "Choose for each one: keep it, or cancel it (the student gets the credit back).",
                "%(n)d booked sessions are inside that time off. "
                "Choose for each one: keep it, or cancel it (the student gets the credit back).",
                len(undecided)) % {"n": len(undecided)}, undecided)
        to_cancel = [s for s in inside if decisions[s.pk] == CANCEL]
        if to_cancel and not cancel_reason.strip():
            raise SchedulingError(_("Give the students a reason for the cancellation; it goes in their email."))
        try:
            entry = time_off_add(user=mentor, starts_on=starts_on, ends_on=ends_on, reason=reason, now=now)
        except MentorshipError as exc:
            raise SchedulingError(exc.message) from exc
        cancelled = [session_cancel(session=s, actor=mentor, now=now, reason=cancel_reason.strip())
                     for s in to_cancel]
    return TimeOffOutcome(entry, [s for s in inside if decisions[s.pk] == KEEP], cancelled)
