"""Pause requests: a student asks, a success manager decides, the sweep applies.

"You can request a pause for the time you will miss." An approved pause
pauses the enrolment for its dates (no monthly grant for a fully paused
month), blocks booking inside it, and — once the manager confirms — cancels
the sessions inside it with their credits refunded.
"""

from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import dateformat
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.audit import audit_record
from accounts.emails import send_templated_email
from accounts.locks import lock_calendars
from accounts.models import Role, User
from credits.errors import CreditsError
from credits.models import EnrolmentStatus
from credits.selectors import current_enrolment
from credits.services import enrolment_pause, enrolment_resume

from ..errors import SchedulingError
from ..models import PauseRequest
from ..pauses import sessions_inside
from .lifecycle import session_cancel

MAX_PAUSE = timedelta(days=183)
BOOKABLE_AHEAD = timedelta(days=365)  # a pause is asked for within the next 12 months
P = PauseRequest.Status


class PauseError(SchedulingError):
    pass


def pause_request_create(*, student: User, starts_on: date, ends_on: date, reason: str, now: datetime) -> PauseRequest:
    today = now.astimezone(student.tzinfo).date()
    if student.role != Role.STUDENT:
        raise PauseError(_("Only students can request a pause."))
    if starts_on < today:
        raise PauseError(_("A pause can't start in the past."))
    if ends_on < starts_on:
        raise PauseError(_("The last day must be on or after the first day."))
    if ends_on > today + BOOKABLE_AHEAD:
        raise PauseError(_("A pause must fall within the next 12 months (ending by %(last)s).") % {
            "last": dateformat.format(today + BOOKABLE_AHEAD, _("j M Y"))})
    if ends_on - starts_on > MAX_PAUSE:
        raise PauseError(_("A pause can last at most six months. Talk to your success manager about a longer break."))
    if not reason.strip():
        raise PauseError(_("Tell your success manager briefly why you need the pause."))
    with transaction.atomic():
        lock_calendars(students=[student.pk])  # one request at a time per student
        overlapping = PauseRequest.objects.filter(
            student=student, status__in=[P.PENDING, P.APPROVED], starts_on__lte=ends_on, ends_on__gte=starts_on
        )
        if overlapping.exists():
            raise PauseError(_("You already have a pause requested or approved for some of those days."))
        request = PauseRequest.objects.create(student=student, starts_on=starts_on, ends_on=ends_on,
                                              reason=reason.strip(), created_at=now)
        managers = User.objects.filter(role=Role.MANAGER, is_active=True)
        send_templated_email(name="pause_requested", to=list(managers), context={"pause": request},
                             dedupe_key=f"pause_requested:{request.pk}")
    return request


def pause_request_withdraw(*, request: PauseRequest, student: User, now: datetime) -> PauseRequest:
    updated = PauseRequest.objects.filter(pk=request.pk, student=student, status=P.PENDING).update(
        status=P.WITHDRAWN, decided_at=now
    )
    if not updated:
        raise PauseError(_("Only a request still waiting for a decision can be withdrawn."))
    request.refresh_from_db()
    return request


def _decide(request: PauseRequest, status: str, *, actor: User, note: str, now: datetime) -> PauseRequest:
    if not (actor.role == Role.MANAGER or actor.is_superuser):
        raise PauseError(_("Only a success manager decides pause requests."))
    if not note.strip():
        raise PauseError(_("Add a note for the student explaining the decision."))
    updated = PauseRequest.objects.filter(pk=request.pk, status=P.PENDING).update(
        status=status, decided_by=actor, decided_at=now, decision_note=note.strip()
    )
    if not updated:
        raise PauseError(_("This request was already decided or withdrawn."))
    request.refresh_from_db()
    return request


def pause_approve(*, request: PauseRequest, actor: User, note: str, cancel_sessions: bool, now: datetime) -> PauseRequest:
    inside = list(sessions_inside(request))
    if inside and not cancel_sessions:
        raise PauseError(ngettext(
            "%(n)d session is booked inside the pause. Confirm that they are cancelled (credits refunded) to approve.",
            "%(n)d sessions are booked inside the pause. Confirm that they are cancelled (credits refunded) to approve.",
            len(inside)) % {"n": len(inside)})
    with transaction.atomic():
        request = _decide(request, P.APPROVED, actor=actor, note=note, now=now)
        for session in inside:
            session_cancel(session=session, actor=actor, now=now,
                           reason=f"paused {request.starts_on:%d %b} – {request.ends_on:%d %b}")
        audit_record(actor=actor, obj=request, message=f"Approved pause {request.starts_on} – {request.ends_on}; "
                     f"cancelled {len(inside)} session(s) with refunds. Note: {request.decision_note}")
        send_templated_email(name="pause_decided", to=request.student, context={"pause": request,
                             "cancelled": inside}, dedupe_key=f"pause_decided:{request.pk}")
        apply_due(now=now, request_ids=[request.pk])
    return request


def pause_decline(*, request: PauseRequest, actor: User, note: str, now: datetime) -> PauseRequest:
    with transaction.atomic():
        request = _decide(request, P.DECLINED, actor=actor, note=note, now=now)
        audit_record(actor=actor, obj=request, message=f"Declined pause {request.starts_on} – {request.ends_on}. "
                     f"Note: {request.decision_note}")
        send_templated_email(name="pause_decided", to=request.student, context={"pause": request, "cancelled": []},
                             dedupe_key=f"pause_decided:{request.pk}")
    return request


def apply_due(*, now: datetime, request_ids: list[int] | None = None) -> int:
    """Pause enrolments whose pause has begun and resume those whose pause ended.

    Runs from beat; local midnights differ by zone, so it looks a day either
    side of today in UTC and lets each request decide in its own zone.
    """
    rows = PauseRequest.objects.filter(status=P.APPROVED, resumed_at__isnull=True,
                                       starts_on__lte=(now + timedelta(days=1)).date()).select_related("student")
    if request_ids is not None:
        rows = rows.filter(pk__in=request_ids)
    changed = 0
    for request in rows:
        start, end = request.utc_range()
        enrolment = current_enrolment(request.student)
        try:
            if request.paused_at is None and start <= now < end:
                if enrolment is not None and enrolment.status == EnrolmentStatus.ACTIVE:
                    enrolment_pause(enrolment=enrolment, actor=request.decided_by, now=now)
                PauseRequest.objects.filter(pk=request.pk).update(paused_at=now)
                changed += 1
            elif now >= end:
                if enrolment is not None and enrolment.status == EnrolmentStatus.PAUSED:
                    enrolment_resume(enrolment=enrolment, actor=request.decided_by, now=now)
                PauseRequest.objects.filter(pk=request.pk).update(
                    paused_at=request.paused_at or now, resumed_at=now)
                changed += 1
        except CreditsError:
            continue  # e.g. the plan was ended meanwhile; nothing to pause
    return changed

