"""Telling students and mentors what happened to their sessions.

Called inside the service's transaction: the outbox rows commit with the
change, and carry an iCalendar invite (REQUEST, or CANCEL with the same UID).
Booking and rescheduling, which hold people's calendar locks, queue theirs
`after_commit`: one INSERT under the locks, the templates and the invite
rendered once the locks are gone. (Cancellations free time and hold no
calendar lock; theirs render in place.)
"""

from datetime import datetime

from django.urls import reverse
from django.utils.translation import gettext_lazy

from accounts.emails import send_templated_email
from accounts.outbox import cancel_pending

from .models import Session

INVITE = "scheduling.calendar.invite"

REMINDER_KINDS = ["session_last_chance", "session_starting_soon", "session_mark_attendance"]


def topic(session: Session) -> str:
    return f"session:{session.pk}"


def _context(session: Session, **extra) -> dict:
    return {"session": session, "session_path": reverse("scheduling:session-detail", args=[session.pk]), **extra}


def _with_terms(session: Session, now: datetime, **extra) -> dict:
    # `now` lets the template word the 24-hour rule through the one function (scheduling/wording.py).
    return _context(session, now=now, **extra)


def session_booked(session: Session, *, now: datetime) -> None:
    send_templated_email(
        name="session_booked", to=[session.student, session.mentor], context=_with_terms(session, now),
        ics=("REQUEST", INVITE, {"session": session, "now": now}), topic=topic(session),
        dedupe_key=f"session_booked:{session.pk}", after_commit=True,
    )


def session_rescheduled(session: Session, *, previous_starts_at: datetime, now: datetime) -> None:
    cancel_pending(topic=topic(session), kinds=REMINDER_KINDS)
    send_templated_email(
        name="session_rescheduled", to=[session.student, session.mentor],
        context=_with_terms(session, now, previous_starts_at=previous_starts_at),
        ics=("REQUEST", INVITE, {"session": session, "now": now}), topic=topic(session),
        dedupe_key=f"session_rescheduled:{session.pk}:{session.calendar_sequence}", after_commit=True,
    )


def session_cancelled(session: Session, *, refunded: bool, now: datetime) -> None:
    cancel_pending(topic=topic(session), kinds=REMINDER_KINDS)
    send_templated_email(
        name="session_cancelled", to=[session.student, session.mentor],
        context=_context(session, refunded=refunded,
                         rebook_path=reverse("scheduling:book-mentor", args=[session.mentor_id])),
        ics=("CANCEL", INVITE, {"session": session, "now": now, "method": "CANCEL"}), topic=topic(session),
        dedupe_key=f"session_cancelled:{session.pk}",
    )


def reminder(session: Session, *, kind: str, recipients: list, now: datetime) -> None:
    if recipients:
        send_templated_email(
            name=kind, to=recipients, context=_context(session, now=now), topic=topic(session),
            dedupe_key=f"{kind}:{session.pk}:{session.calendar_sequence}",
        )


def session_mentor_changed(session: Session, *, previous_mentor, now: datetime) -> None:
    """A success manager handed the session to another mentor: same time, same credit.

    The student and the new mentor get an updated invite (same UID, higher
    sequence); the previous mentor gets a CANCEL for the event they hold,
    with themselves still as its organizer so their calendar accepts it.
    """
    import copy

    cancel_pending(topic=topic(session), kinds=REMINDER_KINDS)
    context = _context(session, previous_mentor=previous_mentor)
    key = f"session_mentor_changed:{session.pk}:{session.calendar_sequence}"
    send_templated_email(
        name="session_mentor_changed", to=[session.student, session.mentor], context=context,
        ics=("REQUEST", INVITE, {"session": session, "now": now}), topic=topic(session), dedupe_key=key,
    )
    as_they_had_it = copy.copy(session)
    as_they_had_it.mentor = previous_mentor
    send_templated_email(
        name="session_mentor_changed", to=[previous_mentor], context=context,
        ics=("CANCEL", INVITE, {"session": as_they_had_it, "now": now, "method": "CANCEL"}), topic=topic(session), dedupe_key=key,
    )


# Why a credit came back, by code: worded when the student's copy renders, so in the student's
# language (the success manager who acted may read another one).
CREDIT_RETURNED_WHY = {
    "mentor_no_show": gettext_lazy("your mentor could not attend"),
    "forfeit_waived": gettext_lazy("your success manager waived the forfeit"),
}


def credit_returned(session: Session, *, why: str, now: datetime) -> None:
    """A success manager gave the credit back; `why` is a CREDIT_RETURNED_WHY code."""
    send_templated_email(
        name="session_credit_returned", to=session.student,
        context=_context(session, why=CREDIT_RETURNED_WHY[why]),
        topic=topic(session), dedupe_key=f"session_credit_returned:{session.pk}",
    )


def feedback_requested(session: Session, *, now: datetime) -> None:
    """Once, when the mentor marks the session completed: how was it?"""
    send_templated_email(
        name="session_feedback_request", to=session.student, context=_context(session), topic=topic(session),
        dedupe_key=f"session_feedback_request:{session.pk}",
    )


def _proposal_context(proposal) -> dict:
    return _context(proposal.session, proposal=proposal)


def proposal_made(proposal) -> None:
    session = proposal.session
    to = session.student if proposal.by_mentor else session.mentor
    send_templated_email(
        name="session_proposal", to=to, context=_proposal_context(proposal), topic=topic(session),
        dedupe_key=f"session_proposal:{proposal.pk}",
    )


def proposal_declined(proposal) -> None:
    session = proposal.session
    send_templated_email(
        name="session_proposal_declined", to=proposal.proposed_by, context=_proposal_context(proposal),
        topic=topic(session), dedupe_key=f"session_proposal_declined:{proposal.pk}",
    )
