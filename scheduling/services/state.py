"""Session states: the one list of legal transitions, and the lock every change of a session takes."""

from datetime import datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Role, User
from credits.services import account_for_update

from ..errors import IllegalTransition, NotYourSession
from ..models import Session, SessionStatus
from ..wording import hours_text  # noqa: F401  (re-exported: lifecycle words its notes with it)

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

# Lazy: worded in the language of the person who meets the refusal (SchedulingError makes it a str then).
ALREADY = {
    S.COMPLETED: gettext_lazy("This session is already marked as completed."),
    S.CANCELLED: gettext_lazy("This session is already cancelled."),
    S.FORFEITED: gettext_lazy("This session was already forfeited."),
    S.MENTOR_NO_SHOW: gettext_lazy("This session is already recorded as a mentor no-show."),
}


def transition(session: Session, to: str, *, actor: User, now: datetime, note: str = "") -> None:
    if (session.status, to) not in TRANSITIONS:
        raise IllegalTransition(ALREADY.get(session.status, _("A %(status)s session can't change like that.") % {
            "status": session.get_status_display().lower()}))
    session.status = to
    session.status_changed_at = now
    session.status_changed_by = actor
    session.status_note = note[:500]
    session.save(update_fields=["status", "status_changed_at", "status_changed_by", "status_note"])


def lock_session(session_id: int) -> Session:
    """Lock the student's account, then the session (the fixed order)."""
    student_id = Session.objects.values_list("student_id", flat=True).get(pk=session_id)
    account_for_update(student=User(pk=student_id))
    return Session.objects.select_for_update().select_related("student", "mentor", "service").get(pk=session_id)


def require_manager(actor: User) -> None:
    if not (actor.role == Role.MANAGER or actor.is_superuser):
        raise NotYourSession(_("Only a success manager can do this."))
