"""Telling people what happened to group sessions and their seats.

Called inside the service's transaction: the outbox rows commit with the
change. Invites carry one UID per group session and the session's current
SEQUENCE (raised by every change of the session or its attendees).
"""

from datetime import datetime

from django.urls import reverse

from accounts.emails import send_templated_email

GROUP_INVITE = "scheduling.calendar.group_invite"


def _context(group, **extra) -> dict:
    return {"group": group, "group_path": reverse("scheduling:group-detail", args=[group.pk]),
            "list_path": reverse("scheduling:group-list"), **extra}


def seat_booked(seat, *, now: datetime, promoted: bool = False) -> None:
    group = seat.session
    send_templated_email(
        name="group_seat_booked", to=seat.student, context=_context(group, seat=seat, promoted=promoted),
        ics=("REQUEST", GROUP_INVITE, {"group": group, "attendee": seat.student, "now": now}), topic=f"group:{group.pk}",
        dedupe_key=f"group_seat_booked:{seat.pk}",
    )


def session_updated(seat, *, now: datetime) -> None:
    group = seat.session
    send_templated_email(
        name="group_session_updated", to=seat.student, context=_context(group, seat=seat),
        ics=("REQUEST", GROUP_INVITE, {"group": group, "attendee": seat.student, "now": now}), topic=f"group:{group.pk}",
        dedupe_key=f"group_session_updated:{group.pk}:{group.calendar_sequence}",
    )


def seat_left(seat, *, refunded: bool, now: datetime) -> None:
    group = seat.session
    send_templated_email(
        name="group_seat_left", to=seat.student, context=_context(group, seat=seat, refunded=refunded),
        ics=("CANCEL", GROUP_INVITE, {"group": group, "attendee": seat.student, "now": now, "method": "CANCEL"}),
        topic=f"group:{group.pk}", dedupe_key=f"group_seat_left:{seat.pk}",
    )


def seat_offered(entry, *, freed_seat_id: int, now: datetime) -> None:
    send_templated_email(
        name="group_seat_offered", to=entry.student, context=_context(entry.session, entry=entry),
        topic=f"group:{entry.session_id}", dedupe_key=f"group_seat_offered:{entry.pk}:{freed_seat_id}",
    )


def session_cancelled(group, *, attendees: list, waiting: list, now: datetime) -> None:
    for student in attendees:
        send_templated_email(
            name="group_session_cancelled", to=student, context=_context(group, had_seat=True),
            ics=("CANCEL", GROUP_INVITE, {"group": group, "attendee": student, "now": now, "method": "CANCEL"}),
            topic=f"group:{group.pk}", dedupe_key=f"group_session_cancelled:{group.pk}",
        )
    if waiting:
        send_templated_email(name="group_session_cancelled", to=waiting, context=_context(group, waiting=True),
                             topic=f"group:{group.pk}", dedupe_key=f"group_session_cancelled:{group.pk}")
    send_templated_email(name="group_session_cancelled", to=group.mentor, context=_context(group),
                         topic=f"group:{group.pk}", dedupe_key=f"group_session_cancelled:{group.pk}")
