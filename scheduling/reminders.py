"""The reminder sweep (every minute, from beat).

Due reminders are found from stored times — no ETA tasks scheduled a day
ahead — and each session is claimed with a conditional update under a
SKIP LOCKED row lock, in the same transaction that queues its emails. A second
beat, a concurrent sweep or a redelivered task finds nothing left to claim.
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import QuerySet

from . import notifications
from .models import FREE_CANCELLATION_WINDOW, Session, SessionStatus

LAST_CHANCE_LEAD = timedelta(hours=25)  # about an hour before free cancellation ends
STARTING_SOON_LEAD = timedelta(hours=1)
BATCH = 200


def _due(now: datetime) -> dict[str, tuple[QuerySet, str]]:
    scheduled = Session.objects.filter(status=SessionStatus.SCHEDULED)
    return {
        "session_last_chance": (
            scheduled.filter(last_chance_sent_at__isnull=True, starts_at__lte=now + LAST_CHANCE_LEAD,
                             starts_at__gt=now + FREE_CANCELLATION_WINDOW),
            "last_chance_sent_at",
        ),
        "session_starting_soon": (
            scheduled.filter(starting_soon_sent_at__isnull=True, starts_at__lte=now + STARTING_SOON_LEAD,
                             starts_at__gt=now),
            "starting_soon_sent_at",
        ),
        "session_mark_attendance": (
            scheduled.filter(attendance_reminder_sent_at__isnull=True, ends_at__lte=now),
            "attendance_reminder_sent_at",
        ),
    }


def _recipients(kind: str, session: Session) -> list:
    if kind == "session_last_chance":
        return [session.student] if session.student.remind_last_chance else []
    if kind == "session_starting_soon":
        return [u for u in (session.student, session.mentor) if u.remind_starting_soon]
    return [session.mentor] if session.mentor.remind_attendance else []


def sweep(*, now: datetime) -> int:
    """Queue every due reminder exactly once; returns how many sessions were claimed."""
    claimed = 0
    for kind, (queryset, field) in _due(now).items():
        while True:
            with transaction.atomic():
                batch = list(
                    queryset.select_for_update(skip_locked=True, of=("self",))
                    .select_related("student", "mentor", "service").order_by("starts_at")[:BATCH]
                )
                if not batch:
                    break
                Session.objects.filter(pk__in=[s.pk for s in batch], **{f"{field}__isnull": True}).update(**{field: now})
                for session in batch:
                    notifications.reminder(session, kind=kind, recipients=_recipients(kind, session), now=now)
                claimed += len(batch)
            if len(batch) < BATCH:
                break
    return claimed
