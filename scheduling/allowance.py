"""May this student book now, and if not, why and what to do — asked before any time is offered.

One answer for every place that offers a booking (the overview's call to
action, the mentor pages, the slot picker, the confirm page) and for every
place that books (`booking_create`, and flash requests when asked, countered
and accepted), so a student learns a rule before choosing a time, in the same
words the booking would refuse with.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from config.prepared import PreparedShapes, first_of
from credits.selectors import Allowance, allowance_for, current_enrolment_query

from .errors import BookingNotAllowed
from .models import Session


@dataclass(frozen=True)
class BookingOutlook:
    can_book: bool
    kind: str  # "" | "no_plan" | "paused" | "no_credits" | "cap"
    reason: str  # why not, for the student; empty when can_book
    advice: str  # what to do about it
    action_label: str  # a link that helps ("Your sessions", "Your credits"); empty for none
    action_url: str
    unlimited: bool
    balance: int | None  # None on unlimited plans
    max_upcoming: int | None
    upcoming: int

    @property
    def room(self) -> int | None:
        """How many more sessions fit right now (credits and the cap on upcoming sessions); None: no limit."""
        limits = []
        if not self.unlimited and self.balance is not None:
            limits.append(self.balance)
        if self.max_upcoming is not None:
            limits.append(self.max_upcoming - self.upcoming)
        if not self.can_book:
            return 0
        return max(min(limits), 0) if limits else None

    @property
    def message(self) -> str:
        """What a refused booking says: the reason, then what to do."""
        return f"{self.reason} {self.advice}".strip()  # two translated sentences

    def for_mentor(self, student: User) -> str:
        """The same refusal, told to the mentor answering a flash request."""
        name = student.get_full_name()
        if self.kind == "cap":
            return _("%(name)s already holds as many upcoming sessions as their plan allows (%(max)s), so this "
                     "can't be booked. Decline it or suggest a later time.") % {"name": name, "max": self.max_upcoming}
        if self.kind == "paused":
            return _("%(name)s's plan is paused, so this can't be booked. Decline it or suggest a later time."
                     ) % {"name": name}
        return _("%(name)s has no session credits available (none left, or a plan without one-to-one sessions), "
                 "so this can't be booked. Decline it or suggest a later time.") % {"name": name}

    def weeks_note(self, max_weeks: int) -> str:
        """What a weekly series can hold, said up front."""
        room = self.room
        if room is None or room >= max_weeks:
            return ""
        parts = []
        if not self.unlimited and self.balance is not None:
            parts.append(ngettext("you have %(n)d credit left", "you have %(n)d credits left",
                                  self.balance) % {"n": self.balance})
        if self.max_upcoming is not None:
            parts.append(ngettext("your plan holds %(max)d upcoming at a time and you have %(upcoming)d",
                                  "your plan holds %(max)d upcoming at a time and you have %(upcoming)d",
                                  self.max_upcoming) % {"max": self.max_upcoming, "upcoming": self.upcoming})
        why = _("%(first)s and %(second)s") % {"first": parts[0], "second": parts[1]} if len(parts) == 2 else "".join(parts)
        return ngettext("Up to %(n)d week fits: %(why)s.", "Up to %(n)d weeks fit: %(why)s.", room) % {
            "n": room, "why": why}


def cap_message(max_upcoming: int) -> str:
    return ngettext(
        "Your plan lets you hold %(n)d upcoming session at a time, and you have it booked.",
        "Your plan lets you hold %(n)d upcoming sessions at a time, and you have them booked.",
        max_upcoming,
    ) % {"n": max_upcoming}


def booking_outlook(student: User, *, now: datetime) -> BookingOutlook:
    """Credits, plan and pause (credits' `allowance_for`), then the plan's cap on upcoming sessions."""
    return outlook_and_enrolment(student, now=now)[0]


def outlook_and_enrolment(student: User, *, now: datetime, flags=None) -> tuple[BookingOutlook, object]:
    """The outlook and the current enrolment it was read from (pages pass it on to the credits card).

    One query: the upcoming count rides along with the enrolment and its balance; only a student with no
    current plan needs a second one. `flags`: a module-level function (student id, now) -> {name: expression}
    for what the page wants read in the same query (on the enrolment; None without a current plan).

    Five pages read this on every view, so the query is compiled once per process for each `flags`
    (config/prepared.py), which costs about as much Python as the rest of such a page's reads."""
    enrolment = _OUTLOOK_READ.fetch_first({"student": student.pk, "now": now}, shape=flags)
    allowance = allowance_for(student, enrolment=enrolment, now=now)
    if enrolment is not None:
        upcoming = enrolment.upcoming_count
    else:
        upcoming = Session.objects.filter(student=student).upcoming(now, started=False).count()
    return outlook_from(allowance, enrolment=enrolment, upcoming=upcoming), enrolment


def _outlook_enrolment_query(student: int, now: datetime, *, shape):
    """`current_enrolment(student, upcoming_count=..., **shape(student, now))` as a queryset of its one row."""
    upcoming_count = (Session.objects.filter(student=OuterRef("student")).upcoming(now, started=False)
                      .order_by().values("student").annotate(n=Count("pk")).values("n")[:1])
    query = current_enrolment_query(student, upcoming_count=Coalesce(Subquery(upcoming_count), 0),
                                    **(shape(student, now) if shape else {}))
    return first_of(query)


_OUTLOOK_READ = PreparedShapes(_outlook_enrolment_query, student="int", now="datetime")


def outlook_from(allowance: Allowance, *, enrolment, upcoming: int) -> BookingOutlook:
    """The outlook from what was already read (no query): the enrolment, its allowance, the upcoming count."""
    sessions_url = reverse("scheduling:session-list")
    credits_url = reverse("credits:history")
    common = {"unlimited": allowance.unlimited, "balance": allowance.balance, "max_upcoming": allowance.max_upcoming,
              "upcoming": upcoming}
    if not allowance.can_book:
        if enrolment is None or enrolment.status == "paused":
            kind = "no_plan" if enrolment is None else "paused"
            return BookingOutlook(False, kind, allowance.reason, "", "", "", **common)
        if enrolment.plan.is_monthly and enrolment.plan.sessions:
            advice = _("Wait for the reset date, or ask your success manager for more.")
        else:
            advice = _("Ask your success manager for more sessions.")
        return BookingOutlook(False, "no_credits", allowance.reason, advice, _("Your credits"), credits_url, **common)
    if allowance.max_upcoming is not None and upcoming >= allowance.max_upcoming:
        return BookingOutlook(
            False, "cap", cap_message(allowance.max_upcoming),
            _("Book another once one has taken place, or cancel one to choose a different time."),
            _("Your sessions"), sessions_url, **common,
        )
    return BookingOutlook(True, "", "", "", "", "", **common)


def require_can_book(student: User, *, now: datetime, allowance: Allowance | None = None, enrolment=None,
                     upcoming: int | None = None) -> BookingOutlook:
    """Refuse with the same words the pages showed.

    Booking passes what it already read under its locks (the allowance from the
    locked balance, the enrolment, the upcoming count), so this adds no query there;
    other callers pass nothing and it reads them.
    """
    if allowance is None or upcoming is None:
        outlook = booking_outlook(student, now=now)
    else:
        outlook = outlook_from(allowance, enrolment=enrolment, upcoming=upcoming)
    if not outlook.can_book:
        raise BookingNotAllowed(outlook.message)
    return outlook
