"""The one place that words the 24-hour rule and a session's phase, for every page and email.

Pages, emails and calendar invites all call `cancellation_terms`, so a slot
three hours ahead never reads "Free cancellation until <a time already past>"
anywhere. Times are shown in the zone passed in (the viewer's), or in the
zone Django has active (the middleware activates each user's own; emails are
rendered with the recipient's).
"""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ObjectDoesNotExist
from django.utils import translation
from django.utils.dates import MONTHS_3, WEEKDAYS_ABBR
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
    """Round down, so a cancellation one second late never reads "24 h before".

    English on purpose: it words the notes stored as a session's record, which
    `note_text` words again for each reader ("3 days" → "3 días")."""
    minutes = max(int(delta.total_seconds() // 60), 0)
    if minutes >= 48 * 60:
        return f"{minutes // (24 * 60)} days"
    hours, minutes = divmod(minutes, 60)
    if not hours:
        return f"{minutes} min"
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


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


# --- session notes: stored in English (the record), worded for each reader ------------


def for_the_record(func, *args, **kwargs) -> str:
    """`func`'s text (hours_text, when_text) in English, whoever is acting: a session's notes are stored
    once, in English, and `note_text` words them in the reader's language."""
    with translation.override("en"):
        return func(*args, **kwargs)


_DAYS = {"Mon": 0, "Tue": 1, "Wed": 2, "Thu": 3, "Fri": 4, "Sat": 5, "Sun": 6}
_MONTHS = {"Jan": 1, "Feb": 2, "Mar": 3, "Apr": 4, "May": 5, "Jun": 6, "Jul": 7, "Aug": 8, "Sep": 9, "Oct": 10,
           "Nov": 11, "Dec": 12}
# A stored when_text: "Wed 13 Jan, 15:00" or "Wed 13 Jan 2027, 15:00" (the English of "D j M, H:i").
_WHEN = re.compile(r"\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (\d{1,2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
                   r"(?: (\d{4}))?, (\d{2}:\d{2})")
_DAYS_TEXT = re.compile(r"\b(\d+) days\b")


def _when_again(match: re.Match) -> str:
    day, date, month, year, time = match.groups()
    if not _translated():
        return match.group(0)
    words = f"{WEEKDAYS_ABBR[_DAYS[day]]} {date} {MONTHS_3[_MONTHS[month]]}"
    return f"{words} {year}, {time}" if year else f"{words}, {time}"


def _again(text: str) -> str:
    """Dates and "3 days" inside a stored note, in the active language."""
    text = _WHEN.sub(_when_again, text)
    return _DAYS_TEXT.sub(lambda m: ngettext("%(days)d day", "%(days)d days", int(m.group(1))) % {
        "days": int(m.group(1))}, text)


# The notes services write (lifecycle, proposals, reassign, group seats), as (pattern, wording). "rest" is what a
# person added after ": " (a reason, a note) and stays as they wrote it.
_NOTES = [
    (r"cancelled by your mentor", lambda: _("cancelled by your mentor")),
    (r"cancelled by your success manager", lambda: _("cancelled by your success manager")),
    (r"cancelled by you (?P<hours>[^:]+?) before start", lambda: _("cancelled by you %(hours)s before start")),
    (r"forfeited — cancelled (?P<hours>[^:]+?) before start",
     lambda: _("forfeited — cancelled %(hours)s before start")),
    (r"cancelled (?P<hours>[^:]+?) before start", lambda: _("cancelled %(hours)s before start")),
    (r"forfeited — left (?P<hours>[^:]+?) before start", lambda: _("forfeited — left %(hours)s before start")),
    (r"attended", lambda: _("attended")),
    (r"forfeited — did not attend", lambda: _("forfeited — did not attend")),
    (r"forfeited — the student did not attend", lambda: _("forfeited — the student did not attend")),
    (r"proposed (?P<when>.+?)", lambda: _("proposed %(when)s")),
    (r"asked for (?P<when>.+?)", lambda: _("asked for %(when)s")),
    (r"moved at the mentor's proposal, agreed by both — credit kept",
     lambda: _("moved at the mentor's proposal, agreed by both — credit kept")),
    (r"moved at the student's request, agreed by both — credit kept",
     lambda: _("moved at the student's request, agreed by both — credit kept")),
    (r"(?P<when>.+?) declined — the session stays", lambda: _("%(when)s declined — the session stays")),
    (r"Mentor changed from (?P<old>.+?) to (?P<new>.+?)", lambda: _("Mentor changed from %(old)s to %(new)s")),
]
_NOTES = [(re.compile(rf"^{pattern}(?P<rest>: .*)?$", re.DOTALL), wording) for pattern, wording in _NOTES]


# Reasons the services themselves give (after ": "); anything else there is a person's own words.
_PAUSED = re.compile(r"^: paused (\d{2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) – "
                     r"(\d{2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)$")


def _rest_again(rest: str) -> str:
    if rest == ": your mentor is changing":
        return ": " + _("your mentor is changing")
    paused = _PAUSED.match(rest)
    if paused:
        first_day, first_month, last_day, last_month = paused.groups()
        return ": " + _("paused %(first)s – %(last)s") % {
            "first": f"{first_day} {MONTHS_3[_MONTHS[first_month]]}" if _translated() else f"{first_day} {first_month}",
            "last": f"{last_day} {MONTHS_3[_MONTHS[last_month]]}" if _translated() else f"{last_day} {last_month}",
        }
    return rest


def _translated() -> bool:
    language = translation.get_language() or "en"
    return not (language == "en" or language.startswith("en-"))


def note_text(note: str) -> str:
    """A stored session note ("cancelled by your mentor: I'm ill") in the active language; a note in
    no known form (a success manager's own words) is shown as written."""
    if not note:
        return note
    for pattern, wording in _NOTES:
        match = pattern.match(note)
        if match:
            values = {k: _again(v) for k, v in match.groupdict().items() if k != "rest" and v is not None}
            return wording() % values + _rest_again(match.group("rest") or "")
    return note
