"""Reads about pauses: which sessions fall inside one, and when a student is paused (used by slot search and booking)."""

from datetime import datetime, timedelta

from django.db.models import Q

from accounts.models import User

from .models import PauseRequest, Session, SessionStatus

P = PauseRequest.Status


def sessions_inside(request: PauseRequest):
    start, end = request.utc_range()
    return (Session.objects.filter(student=request.student, status=SessionStatus.SCHEDULED).overlapping(start, end)
            .select_related("mentor", "service").order_by("starts_at"))


def approved_pauses(student: User, start: datetime, end: datetime) -> list[PauseRequest]:
    """The student's approved pauses that may touch [start, end) (one query; dates are local, hence a day's margin)."""
    first, last = (start - timedelta(days=1)).date(), (end + timedelta(days=1)).date()
    return list(PauseRequest.objects.filter(Q(student=student, status=P.APPROVED), starts_on__lte=last,
                                            ends_on__gte=first).select_related("student"))


def paused_between(student: User, start: datetime, end: datetime,
                   pauses: list[PauseRequest] | None = None) -> PauseRequest | None:
    """An approved pause overlapping [start, end), if any (booking is blocked inside).
    `pauses`: from `approved_pauses` over a window holding [start, end), already read."""
    for request in approved_pauses(student, start, end) if pauses is None else pauses:
        p_start, p_end = request.utc_range()
        if p_start < end and start < p_end:
            return request
    return None


def pause_intervals(student: User, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    first, last = (start - timedelta(days=1)).date(), (end + timedelta(days=1)).date()
    return [r.utc_range() for r in PauseRequest.objects.filter(student=student, status=P.APPROVED,
                                                                 starts_on__lte=last, ends_on__gte=first)
            .select_related("student")]
