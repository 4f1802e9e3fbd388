"""The one place that words the 24-hour rule and a session's phase, for every page and email.

Pages, emails and calendar invites all call `cancellation_terms`, so a slot
three hours ahead never reads "Free cancellation until <a time already past>"
anywhere. Times are shown in the zone passed in (the viewer's), or in the
zone Django has active (the middleware activates each user's own; emails are
rendered with the recipient's).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ObjectDoesNotExist
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.timefmt import format_when

# The 24-hour rule, measured in real elapsed time (UTC), not wall-clock days.
FREE_CANCELLATION_WINDOW = timedelta(hours=24)
# The join link opens this long before the start ("In progress — join now").
JOIN_OPENS_BEFORE = timedelta(minutes=10)
# A mentor may record a student no-show only this long after the start.
NO_SHOW_AFTER = timedelta(minutes=10)


def hours_text(delta: timedelta) -> str:
    """Round down, so a cancellation one second late never reads "24 h before"."""
    minutes = max(int(delta.total_seconds() // 60), 0)
    if minutes >= 48 * 60:
        days = minutes // (24 * 60)
        return ngettext("%(days)d day", "%(days)d days", days) % {"days": days}
    hours, minutes = divmod(minutes, 60)
    if not hours:
        return _("%(minutes)d min") % {"minutes": minutes}
    if minutes:
        return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": minutes}
    return _("%(hours)d h") % {"hours": hours}


def starts_in_text(delta: timedelta) -> str:
    """"5 h", "45 min": whole hours from an hour on (rounded down), so it never overstates the notice."""
    minutes = max(int(delta.total_seconds() // 60), 0)
    if minutes < 60:
        return _("%(minutes)d min") % {"minutes": minutes}
    return _("%(hours)d h") % {"hours": minutes // 60}


def when_text(instant: datetime, tz=None, *, now: datetime | None = None) -> str:
    """"Tue 24 Nov, 11:30" in `tz` (default: the active zone): the one time format (accounts/timefmt.py);
    the year only when it isn't `now`'s."""
    return format_when(instant, tz, now=now, with_zone=False)


def starts_within_free_cancellation_window(starts_at: datetime, *, now: datetime) -> bool:
    """Booked (or moved) now, could this session still be cancelled for free? No, inside 24 hours.

    The one decision behind every "no free cancellation" on the pages; exactly
    24 hours ahead is still free, as `session_cancel` decides.
    """
    return starts_at - now < FREE_CANCELLATION_WINDOW


@dataclass(frozen=True)
class CancellationTerms:
    """What the 24-hour rule means for a session starting at `starts_at`, seen at `now`.

    kind: "free"   — cancelling now gives the credit back, until `deadline`;
          "late"   — not started, but inside 24 h: cancelling or missing it forfeits the credit;
          "started" — in progress or over: there is nothing to cancel any more.
    """

    kind: str
    deadline: datetime  # UTC; shown only while it lies ahead
    starts_in: timedelta
    text: str  # the full sentence for pages and emails
    short: str  # the slot picker's note; empty when cancellation is free

    @property
    def is_free(self) -> bool:
        return self.kind == "free"

    @property
    def is_late(self) -> bool:
        return self.kind == "late"


def cancellation_terms(starts_at: datetime, *, now: datetime, tz=None) -> CancellationTerms:
    """The one function deciding the wording of the 24-hour rule.

    Exactly 24 hours before the start is still free (as `session_cancel`
    decides); one second later is not. The deadline is only ever shown while
    it lies ahead — once it has passed the sentence says how soon the session
    starts instead.
    """
    deadline = starts_at - FREE_CANCELLATION_WINDOW
    starts_in = starts_at - now
    if now >= starts_at:
        return CancellationTerms("started", deadline, starts_in, "", "")
    if not starts_within_free_cancellation_window(starts_at, now=now):
        text = _("Free cancellation until %(when)s your time. "
                 "After that, cancelling or missing it forfeits the credit.") % {"when": when_text(deadline, tz, now=now)}
        return CancellationTerms("free", deadline, starts_in, text, "")
    soon = starts_in_text(starts_in)
    text = _("Starts in %(soon)s, so there is no free cancellation: "
             "cancelling or missing it forfeits the credit.") % {"soon": soon}
    short = _("starts in %(soon)s — can't be cancelled for free") % {"soon": soon}
    return CancellationTerms("late", deadline, starts_in, text, short)


def phase(session, now: datetime) -> str:
    """Where a session is in its life, as the pages show it.

    "upcoming" → "in_progress" (from 10 minutes before the start to the end)
    → "awaiting_attendance" (ended, not yet marked) → "awaiting_feedback"
    (completed, not yet rated) → "done"; or "closed" (cancelled, forfeited,
    mentor no-show).
    """
    if session.status == "scheduled":
        if now < session.starts_at - JOIN_OPENS_BEFORE:
            return "upcoming"
        if now < session.ends_at:
            return "in_progress"
        return "awaiting_attendance"
    if session.status == "completed":
        try:
            rated = session.feedback is not None
        except ObjectDoesNotExist:
            rated = False
        return "done" if rated else "awaiting_feedback"
    return "closed"
