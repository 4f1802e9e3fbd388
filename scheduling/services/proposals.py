"""Another time for a booked session, agreed by both sides.

A mentor proposes a time within their hours (or a date override); the student
accepts — the session moves, its credit is kept, the invite's SEQUENCE goes
up — or declines, and the session stays. Inside the 24 hours, when a student
can no longer move a session alone, they may ask the mentor for another time;
only the mentor can agree, and then nothing is forfeited. A pending proposal
expires when the session starts (or when its own time has come).

Each service is one transaction. Accepting takes the locks in the fixed order
of `services/__init__.py`: the student's credit account, the session, then
the mentor's calendar, as `session_reschedule` does.
"""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.locks import lock_calendars
from accounts.models import User

from .. import notifications
from ..errors import IllegalTransition, NotYourSession, SchedulingError, TooLate
from ..models import RescheduleProposal, Session, SessionEvent
from ..selectors import free_slot_starts
from ..wording import for_the_record, when_text
from .booking import why_unavailable
from .lifecycle import move_locked_session
from .state import ALREADY, S, lock_session

P = RescheduleProposal.Status
NOTE_MAX = 500


class ProposalError(SchedulingError):
    pass


def _side(session: Session, actor: User) -> str:
    if actor.pk == session.mentor_id:
        return "mentor"
    if actor.pk == session.student_id:
        return "student"
    raise NotYourSession(_("Only the student and the mentor of this session can propose another time."))


def proposal_create(*, session: Session, actor: User, starts_at: datetime, note: str = "",
                    now: datetime) -> RescheduleProposal:
    """Propose `starts_at` for `session`. The mentor may do so any time before
    the start; the student only inside the 24 hours (before that they simply
    reschedule). A pending proposal from either side is replaced."""
    with transaction.atomic():
        session = lock_session(session.pk)
        side = _side(session, actor)
        if session.status != S.SCHEDULED:
            raise IllegalTransition(ALREADY.get(session.status, _("This session can't be moved.")))
        if session.has_started(now):
            raise TooLate(_("This session has already started, so it can't be moved."))
        if side == "student" and not session.is_late_cancellation(now):
            raise ProposalError(_("You can still move this session yourself — use Reschedule."))
        if starts_at == session.starts_at:
            raise ProposalError(_("That is the session's current time. Pick another one."))
        ends_at = starts_at + session.service.duration
        free = free_slot_starts(mentor=session.mentor, duration=session.service.duration, now=now,
                                student=session.student, exclude_session_id=session.pk)
        if starts_at not in free:
            raise why_unavailable(student=session.student, mentor=session.mentor, starts_at=starts_at,
                                   ends_at=ends_at, now=now, exclude_session_id=session.pk)
        RescheduleProposal.objects.filter(session=session, status=P.PENDING).update(
            status=P.WITHDRAWN, decided_at=now, decided_by=actor, answer_note="replaced by a newer proposal")
        try:
            with transaction.atomic():
                proposal = RescheduleProposal.objects.create(
                    session=session, by_mentor=side == "mentor", proposed_by=actor, starts_at=starts_at,
                    ends_at=ends_at, note=note.strip()[:NOTE_MAX], created_at=now,
                )
        except IntegrityError as exc:
            raise ProposalError(_("Another proposal for this session was just made. Reload the page.")) from exc
        what = "proposed" if side == "mentor" else "asked for"
        SessionEvent.objects.create(session=session, kind=SessionEvent.Kind.PROPOSED, actor=actor, at=now,
                                    note=f"{what} {for_the_record(when_text, starts_at, now=now)}" + (f": {proposal.note}" if proposal.note else ""))
        notifications.proposal_made(proposal)
    return proposal


def _answerable(proposal: RescheduleProposal, *, actor: User, now: datetime) -> RescheduleProposal:
    """Lock the session then the proposal; expire it if due; check that `actor` is the one to answer."""
    session = lock_session(proposal.session_id)
    proposal = RescheduleProposal.objects.select_for_update().get(pk=proposal.pk)
    proposal.session = session
    side = _side(session, actor)
    if proposal.status == P.PENDING and session.status != S.SCHEDULED:
        raise ProposalError(_("This session is no longer scheduled, so it can't move."))
    if proposal.status == P.PENDING and proposal.is_expired(now):
        proposal.status, proposal.decided_at = P.EXPIRED, now
        proposal.save(update_fields=["status", "decided_at"])
    if proposal.status != P.PENDING:
        raise ProposalError({
            P.ACCEPTED: _("This proposal was already accepted."),
            P.DECLINED: _("This proposal was already declined."),
            P.WITHDRAWN: _("This proposal was withdrawn or replaced."),
            P.EXPIRED: _("This proposal has expired: the session has started or the time has passed."),
        }[proposal.status])
    answering = "student" if proposal.by_mentor else "mentor"
    if side != answering:
        raise NotYourSession(_("Only the mentor can agree to another time.") if answering == "mentor"
                             else _("Only the student can answer the mentor's proposal."))
    return proposal


def proposal_accept(*, proposal: RescheduleProposal, actor: User, now: datetime) -> Session:
    """Move the session to the proposed time; the credit stays spent on it, nothing is forfeited."""
    with transaction.atomic():
        # The fixed order: both calendars (mentor, then student), then the session and the proposal.
        mentor_id, student_id = Session.objects.values_list("mentor_id", "student_id").get(pk=proposal.session_id)
        lock_calendars(mentors=[mentor_id], students=[student_id])
        proposal = _answerable(proposal, actor=actor, now=now)
        session = proposal.session
        if session.mentor_id != mentor_id:
            raise IllegalTransition(_("This session just moved to another mentor; reload the page and try again."))
        who = "the mentor's proposal" if proposal.by_mentor else "the student's request"
        move_locked_session(session, new_starts_at=proposal.starts_at, actor=actor, now=now,
                            note=f"moved at {who}, agreed by both — credit kept")
        proposal.status, proposal.decided_at, proposal.decided_by = P.ACCEPTED, now, actor
        proposal.save(update_fields=["status", "decided_at", "decided_by"])
    return session


def proposal_decline(*, proposal: RescheduleProposal, actor: User, note: str = "", now: datetime) -> RescheduleProposal:
    """The session stays at its time."""
    with transaction.atomic():
        proposal = _answerable(proposal, actor=actor, now=now)
        proposal.status, proposal.decided_at, proposal.decided_by = P.DECLINED, now, actor
        proposal.answer_note = note.strip()[:NOTE_MAX]
        proposal.save(update_fields=["status", "decided_at", "decided_by", "answer_note"])
        SessionEvent.objects.create(session=proposal.session, kind=SessionEvent.Kind.PROPOSAL_DECLINED, actor=actor,
                                    at=now, note=f"{for_the_record(when_text, proposal.starts_at, now=now)} declined — the session stays"
                                    + (f": {proposal.answer_note}" if proposal.answer_note else ""))
        notifications.proposal_declined(proposal)
    return proposal


def proposal_withdraw(*, proposal: RescheduleProposal, actor: User, now: datetime) -> RescheduleProposal:
    with transaction.atomic():
        locked = RescheduleProposal.objects.select_for_update().select_related("session").get(pk=proposal.pk)
        if locked.proposed_by_id != actor.pk:
            raise NotYourSession(_("Only the person who proposed this time can withdraw it."))
        if locked.status != P.PENDING:
            raise ProposalError(_("This proposal is no longer open."))
        locked.status, locked.decided_at, locked.decided_by = P.WITHDRAWN, now, actor
        locked.save(update_fields=["status", "decided_at", "decided_by"])
    return locked
