"""Flash mentorship: one-off meeting requests a mentor accepts, declines, or
answers with another time.

A student proposes a time (it may lie outside the mentor's weekly grid); the
mentor accepts it, declines it, or suggests another time, which the student
then accepts or declines. Accepting books an ordinary Session through
`booking_create(..., mentor_agreed=True)`, so credits, the no-overlap
constraints and the booking emails are exactly those of any booking.

Every service is one transaction that locks the request row, re-checks the
state under the lock, writes, and queues the email to the other party.
"""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import dateformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.emails import send_templated_email
from accounts.locks import lock_calendars
from accounts.models import User
from credits.services import account_for_update

from .allowance import booking_outlook
from .errors import SchedulingError
from .models import FlashRequest, ServiceType, Session
from .selectors import booking_window, pending_for_mentor_requests
from .services import booking_create, check_parties

F = FlashRequest.Status


class FlashError(SchedulingError):
    """A flash request can't do that; `message` says why."""


class FlashExpired(FlashError):
    pass


# The one list of legal moves: action → (from which states, to which state, whose move).
# Anything else is refused.
TRANSITIONS: dict[str, tuple[frozenset[str], str, str]] = {
    "accept": (frozenset({F.PENDING}), F.ACCEPTED, "mentor"),
    "decline": (frozenset({F.PENDING}), F.DECLINED, "mentor"),
    "counter": (frozenset({F.PENDING}), F.COUNTERED, "mentor"),
    "counter_accept": (frozenset({F.COUNTERED}), F.ACCEPTED, "student"),
    "counter_decline": (frozenset({F.COUNTERED}), F.DECLINED, "student"),
    "withdraw": (frozenset({F.PENDING, F.COUNTERED}), F.WITHDRAWN, "student"),
}

ALREADY = {
    F.ACCEPTED: gettext_lazy("This request was already accepted — the session is booked."),
    F.DECLINED: gettext_lazy("This request was already declined."),
    F.WITHDRAWN: gettext_lazy("This request was withdrawn."),
    F.EXPIRED: gettext_lazy("This request has expired: its time has passed."),
    F.COUNTERED: gettext_lazy("The mentor already suggested another time; it's the student's turn to answer."),
    F.PENDING: gettext_lazy("The mentor hasn't answered this request yet."),
}

# Shared by the mentor's answers: the request's time came too close (or went) before they answered.
EXPIRED_FOR_MENTOR = gettext_lazy("This request has expired: its time is too close or already past.")

NOTE_MAX = 500


def _flash_path(request: FlashRequest) -> str:
    return f"{reverse('scheduling:flash-list')}#flash-{request.pk}"


def _email(name: str, request: FlashRequest, *, to: User, key: str = "") -> None:
    send_templated_email(
        name=name, to=to, context={"flash": request, "flash_path": _flash_path(request)},
        topic=f"flash:{request.pk}", dedupe_key=f"{name}:{request.pk}{key}",
    )


def _check_time(*, student: User, mentor: User, service: ServiceType, starts_at: datetime, now: datetime,
                who: str) -> None:
    """A time worth asking about: bookable ahead, and not already taken by either person."""
    earliest, horizon = booking_window(now)
    ends_at = starts_at + service.duration
    if starts_at < earliest:
        if starts_at <= now:
            raise FlashError(_("That time has already passed. Pick a time in the future."))
        raise FlashError(_("That time is too soon — sessions need a little notice. Pick a later time."))
    if ends_at > horizon:
        viewer = student if who == "student" else mentor
        # A day and a month name ("5 December"), in the viewer's language and zone.
        day = dateformat.format(horizon.astimezone(viewer.tzinfo), _("j F"))
        raise FlashError(_("That time is too far ahead; pick one before %(day)s.") % {"day": day})
    overlapping = Session.objects.overlapping(starts_at, ends_at)
    if overlapping.filter(student=student).exists():
        raise FlashError(_("You already have a session at that time.") if who == "student"
                         else _("%(name)s already has a session at that time.") % {"name": student.get_full_name()})
    if overlapping.filter(mentor=mentor).exists():
        raise FlashError(_("%(name)s already has a session at that time. Pick another time.")
                         % {"name": mentor.get_full_name()}
                         if who == "student" else _("You already have a session at that time."))


def _can_book(student: User, *, now: datetime, who: str = "student") -> None:
    """The allowance booking checks (credits, plan, pause, the cap on upcoming
    sessions), asked at every step so an agreed time never fails at "Accept"."""
    outlook = booking_outlook(student, now=now)
    if outlook.can_book:
        return
    raise FlashError(outlook.message if who == "student" else outlook.for_mentor(student))


def _locked(request: FlashRequest) -> FlashRequest:
    return FlashRequest.objects.select_for_update().select_related("student", "mentor", "service").get(pk=request.pk)


def _expire_if_due(request: FlashRequest, now: datetime) -> bool:
    """Record that an open request's time has gone; True when it has."""
    if not request.is_expired(now):
        return False
    if request.status != F.EXPIRED:
        request.status, request.decided_at = F.EXPIRED, now
        request.save(update_fields=["status", "decided_at"])
    return True


def _require(request: FlashRequest, action: str, *, actor: User) -> str:
    """The state `action` leads to, if this actor may take it from here."""
    sources, to, who = TRANSITIONS[action]
    if getattr(request, f"{who}_id") != actor.pk:
        raise FlashError(_("Only the mentor can answer this request.") if who == "mentor"
                         else _("Only the student who asked can do that."))
    if request.status not in sources:
        raise FlashError(str(ALREADY.get(request.status, _("This request can't change like that."))))
    return to


def _move(request: FlashRequest, action_name: str, *, actor: User, now: datetime, action, expired_message: str,
          books: bool = False) -> FlashRequest:
    """Lock, expire if due, check the move, run `action`, save. One transaction.

    An expired request is marked expired and committed, then refused: the
    record stays true even though the person's action was not carried out.
    """
    with transaction.atomic():
        if books:
            # The fixed lock order of booking: both calendars (mentor, then student), then the credit account.
            lock_calendars(mentors=[request.mentor_id], students=[request.student_id])
            account_for_update(student=User(pk=request.student_id))
        request = _locked(request)
        if not _expire_if_due(request, now):
            # The new state is set first so the action's email already tells it.
            request.status = _require(request, action_name, actor=actor)
            fields = action(request)
            request.save(update_fields=["status", *fields])
            return request
    raise FlashExpired(str(expired_message))


# --- the student asks -------------------------------------------------------------


def flash_request_create(*, student: User, mentor: User, service: ServiceType, starts_at: datetime, topic: str,
                         message: str, now: datetime) -> FlashRequest:
    topic, message = topic.strip(), message.strip()
    if student.pk == mentor.pk:
        raise FlashError(_("You can't send a request to yourself."))
    check_parties(student=student, mentor=mentor, service=service)
    if not topic:
        raise FlashError(_("Say briefly what you'd like to talk about."))
    if len(topic) > 120 or len(message) > 1000:
        raise FlashError(_("Keep the topic under 120 characters and the message under 1,000."))
    _check_time(student=student, mentor=mentor, service=service, starts_at=starts_at, now=now, who="student")
    _can_book(student, now=now)
    with transaction.atomic():
        lock_calendars(students=[student.pk])  # one request at a time per student
        duplicate = FlashRequest.objects.filter(student=student, mentor=mentor, proposed_starts_at=starts_at,
                                                status__in=FlashRequest.OPEN_STATUSES)
        if duplicate.exists():
            raise FlashError(_("You already asked this mentor for that time; the request is waiting for an answer."))
        try:
            with transaction.atomic():
                request = FlashRequest.objects.create(
                    student=student, mentor=mentor, service=service, proposed_starts_at=starts_at, topic=topic,
                    message=message, created_at=now,
                )
        except IntegrityError:  # the unique open-request constraint caught a race
            raise FlashError(
                _("You already asked this mentor for that time; the request is waiting for an answer.")
            ) from None
        _email("flash_requested", request, to=mentor)
    return request


def flash_withdraw(*, request: FlashRequest, student: User, now: datetime) -> FlashRequest:
    def action(r):
        r.decided_at = now
        _email("flash_withdrawn", r, to=r.mentor)
        return ["decided_at"]

    return _move(request, "withdraw", actor=student, now=now, action=action,
                 expired_message=gettext_lazy("This request has already expired; there's nothing to withdraw."))


# --- the mentor answers -----------------------------------------------------------


def flash_accept(*, request: FlashRequest, mentor: User, now: datetime) -> FlashRequest:
    """Book the proposed time; a clash or no credit refuses with nothing changed."""

    def action(r):
        # Worded for the mentor first; booking_create (and the database) stay the truth.
        _check_time(student=r.student, mentor=r.mentor, service=r.service, starts_at=r.proposed_starts_at, now=now,
                    who="mentor")
        _can_book(r.student, now=now, who="mentor")
        r.session = booking_create(student=r.student, mentor=r.mentor, service=r.service,
                                   starts_at=r.proposed_starts_at, actor=mentor, now=now, mentor_agreed=True)
        r.responded_at = r.decided_at = now
        _email("flash_accepted", r, to=r.student)
        return ["session", "responded_at", "decided_at"]

    return _move(request, "accept", actor=mentor, now=now, action=action, books=True,
                 expired_message=EXPIRED_FOR_MENTOR)


def flash_decline(*, request: FlashRequest, mentor: User, note: str, now: datetime) -> FlashRequest:
    def action(r):
        r.mentor_note = note.strip()[:NOTE_MAX]
        r.responded_at = r.decided_at = now
        _email("flash_declined", r, to=r.student)
        return ["mentor_note", "responded_at", "decided_at"]

    return _move(request, "decline", actor=mentor, now=now, action=action,
                 expired_message=EXPIRED_FOR_MENTOR)


def flash_counter(*, request: FlashRequest, mentor: User, starts_at: datetime, note: str,
                  now: datetime) -> FlashRequest:
    """Suggest another time; it must be one the student could book."""

    def action(r):
        if starts_at == r.proposed_starts_at:
            raise FlashError(_("That's the time the student asked for — accept the request instead."))
        _check_time(student=r.student, mentor=r.mentor, service=r.service, starts_at=starts_at, now=now,
                    who="mentor")
        _can_book(r.student, now=now, who="mentor")
        r.counter_starts_at = starts_at
        r.mentor_note = note.strip()[:NOTE_MAX]
        r.responded_at = now
        _email("flash_countered", r, to=r.student)
        return ["counter_starts_at", "mentor_note", "responded_at"]

    return _move(request, "counter", actor=mentor, now=now, action=action,
                 expired_message=EXPIRED_FOR_MENTOR)


# --- the student answers the mentor's suggestion -------------------------------------


def flash_counter_accept(*, request: FlashRequest, student: User, now: datetime) -> FlashRequest:
    def action(r):
        _check_time(student=r.student, mentor=r.mentor, service=r.service, starts_at=r.counter_starts_at, now=now,
                    who="student")
        _can_book(r.student, now=now)
        r.session = booking_create(student=r.student, mentor=r.mentor, service=r.service,
                                   starts_at=r.counter_starts_at, actor=student, now=now, mentor_agreed=True)
        r.decided_at = now
        _email("flash_accepted", r, to=r.mentor)
        return ["session", "decided_at"]

    return _move(request, "counter_accept", actor=student, now=now, action=action, books=True,
                 expired_message=gettext_lazy("The suggested time has passed, so it can't be booked any more. "
                                              "Send a new request for another time."))


def flash_counter_decline(*, request: FlashRequest, student: User, now: datetime) -> FlashRequest:
    def action(r):
        r.decided_at = now
        _email("flash_counter_declined", r, to=r.mentor)
        return ["decided_at"]

    return _move(request, "counter_decline", actor=student, now=now, action=action,
                 expired_message=gettext_lazy("The suggested time has already passed; there's nothing to decline."))


# --- reads ---------------------------------------------------------------------------


def flash_requests_for(user: User, *, now: datetime, limit: int = 100) -> dict:
    """The Flash page: open requests first (soonest first), then recent history.

    Each request carries `shown_status` (expiry is computed) so templates
    don't need `now`. A fixed number of queries whatever the count.
    """
    rows = list(
        FlashRequest.objects.for_user(user).select_related("student", "mentor", "service", "session")
        .order_by("-created_at", "-pk")[:limit]
    )
    open_, closed = [], []
    for row in rows:
        row.shown_status = row.status_at(now)
        row.shown_status_label = F(row.shown_status).label
        row.i_am_mentor = row.mentor_id == user.pk
        (open_ if row.is_open and row.shown_status != F.EXPIRED else closed).append(row)
    open_.sort(key=lambda r: r.starts_at)
    return {"open_requests": open_, "past_requests": closed}


def pending_for_mentor(mentor: User, *, now: datetime) -> int:
    """How many requests wait for this mentor's answer (selectors.pending_for_mentor_requests)."""
    return pending_for_mentor_requests(mentor, now=now).count()
