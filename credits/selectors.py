"""Reads about a student's credits, worded for the student."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from config.paging import counted_rows
from config.prepared import Prepared, PreparedShapes, first_of

from .errors import EnrolmentPaused, NoActivePlan
from .models import (
    REQUEST_COOLDOWN,
    CreditAccount,
    CreditRequest,
    Enrolment,
    EnrolmentStatus,
    LedgerEntry,
    first_of_next_month,
)
from .wording import no_credits_message, short_date


@dataclass(frozen=True)
class Allowance:
    """May this student book one more session, as far as credits go?

    The booking code counts the student's upcoming sessions itself and
    compares them with `max_upcoming` (None: no limit).
    """

    can_book: bool
    reason: str  # student-facing; empty when can_book
    unlimited: bool
    balance: int | None  # None on unlimited plans
    max_upcoming: int | None


@dataclass(frozen=True)
class CreditsSummary:
    state: str  # "none" | "paused" | "unlimited" | "monthly" | "pack" | "empty_plan"
    headline: str  # "3 of 4 sessions left this month"
    detail: str  # "Resets on 1 Dec — unused sessions expire then."
    plan_name: str | None
    balance: int | None
    allowance: int | None
    resets_on: str | None
    can_book: bool


def current_enrolment(student, **annotations) -> Enrolment | None:
    """The current enrolment with its plan, and the student's balances read in the same query
    (`account_balance`, `account_group_balance`): the summary, the allowance and the pages that show them need
    them. `annotations`: what a caller above wants read in the same query (the booking outlook's count).
    Without annotations the query is compiled once per process and prepared (config/prepared.py): bookings read
    it under their locks, the group pages and the credits card on every view."""
    if not annotations:
        return _CURRENT_ENROLMENT.fetch_first({"student": student.pk})
    return current_enrolment_query(student, **annotations).first()


def current_enrolment_query(student, **annotations):
    """What `current_enrolment` reads: its first row (for a caller that compiles it once, see
    scheduling.allowance). `student`: a user or their id."""
    account = CreditAccount.objects.filter(student=OuterRef("student"))
    return (Enrolment.objects.current().select_related("plan").filter(student=student)
            .annotate(account_balance=Subquery(account.values("balance")[:1]),
                      account_group_balance=Subquery(account.values("group_balance")[:1]), **annotations))


# "Not read yet" (None is an answer: no current enrolment).
UNREAD = object()


def _balance(student, enrolment: Enrolment | None = None) -> int:
    if enrolment is not None and hasattr(enrolment, "account_balance"):
        return enrolment.account_balance or 0
    return CreditAccount.objects.filter(student=student).values_list("balance", flat=True).first() or 0


def _reset_pending(enrolment: Enrolment, now: dt.datetime) -> bool:
    """The new month has begun for this student but the hourly sweep hasn't reset them yet."""
    return enrolment.plan.is_monthly and enrolment.next_reset_at is not None and enrolment.next_reset_at <= now


def _spendable(enrolment: Enrolment, student, now: dt.datetime, balance: int | None = None) -> int:
    # A pending reset happens at the student's next booking (credits_consume does it first).
    if _reset_pending(enrolment, now):
        return enrolment.plan.sessions
    return _balance(student, enrolment) if balance is None else balance


def booking_allowance(student, *, now: dt.datetime) -> Allowance:
    enrolment = current_enrolment(student)
    return allowance_for(student, enrolment=enrolment, now=now)


def allowance_for(student, *, enrolment: Enrolment | None, now: dt.datetime, balance: int | None = None) -> Allowance:
    """The allowance from an enrolment already read; `balance` from an account
    the caller holds locked (else it is read)."""
    if enrolment is None:
        return Allowance(False, NoActivePlan.default_message, False, None, None)
    plan = enrolment.plan
    if enrolment.status == EnrolmentStatus.PAUSED:
        return Allowance(False, EnrolmentPaused.default_message, plan.is_unlimited, None, plan.max_upcoming)
    if plan.is_unlimited:
        return Allowance(True, "", True, None, plan.max_upcoming)
    balance = _spendable(enrolment, student, now, balance)
    if balance < 1:
        return Allowance(False, no_credits_message(enrolment, student=student), False, balance, plan.max_upcoming)
    return Allowance(True, "", False, balance, plan.max_upcoming)


def credits_summary(student, *, now: dt.datetime, enrolment=UNREAD) -> CreditsSummary:
    """What the overview card and the credits page say, in one query (none when the page read the enrolment)."""
    if enrolment is UNREAD:
        enrolment = current_enrolment(student)
    if enrolment is None:
        return CreditsSummary("none", _("No plan yet"), _("Your success manager will set up your plan; until then you "
                                                          "can't book sessions."), None, None, None, None, False)
    plan = enrolment.plan
    if enrolment.status == EnrolmentStatus.PAUSED:
        paused = _balance(student, enrolment)
        kept = ngettext("You can't book while it is paused. %(n)s session kept on your balance.",
                        "You can't book while it is paused. %(n)s sessions kept on your balance.", paused) % {"n": paused}
        return CreditsSummary("paused", _("Your plan is paused"), kept,
                              plan.name, paused, plan.sessions, None, False)
    if plan.is_unlimited:
        detail = (_("Book as many sessions as you like (up to %(n)s ahead at a time).") % {"n": plan.max_upcoming}
                  if plan.max_upcoming else _("Book as many sessions as you like."))
        return CreditsSummary("unlimited", _("Unlimited"), detail,
                              plan.name, None, None, None, True)
    balance = _spendable(enrolment, student, now)
    if plan.sessions == 0 and balance == 0:
        return CreditsSummary("empty_plan", _("No sessions in your plan"),
                              _("%(plan)s doesn't include one-to-one sessions. Use “Get more sessions” to ask "
                                "your success manager about one that does.") % {"plan": plan.name},
                              plan.name, 0, 0, None, False)
    if plan.is_monthly:
        next_reset = enrolment.next_reset_at
        if _reset_pending(enrolment, now):
            next_reset = first_of_next_month(now, student.tzinfo)
        resets_on = short_date(next_reset, student.tzinfo) if next_reset else None
        headline = ngettext("%(balance)s of %(n)s session left this month",
                            "%(balance)s of %(n)s sessions left this month", plan.sessions) % {
            "balance": balance, "n": plan.sessions}
        detail = _("Resets on %(date)s — unused sessions expire then.") % {"date": resets_on} if resets_on else ""
        return CreditsSummary("monthly", headline, detail, plan.name, balance, plan.sessions, resets_on, balance > 0)
    headline = ngettext("%(n)s session left in your pack", "%(n)s sessions left in your pack", balance) % {"n": balance}
    detail = (
        _("Pack sessions never expire.") if balance
        else _("Your pack is used up. Use “Get more sessions” to ask for more.")
    )
    return CreditsSummary("pack", headline, detail, plan.name, balance, plan.sessions, None, balance > 0)


def ledger_for(student):
    """The student's history, newest first (paginate it): what the history page shows of each entry (its
    description, change and balance) and no more."""
    return LedgerEntry.objects.filter(account__student=student).select_related("enrolment__plan").only(
        "kind", "amount", "balance_after", "created_at", "note", "period", "reason", "enrolment__plan__allowance_kind",
    ).order_by("-created_at", "-id")


def recent_request(student, *, now: dt.datetime, enrolment=UNREAD):
    """The student's request of the last day (the newest), if any. `enrolment`: one read by
    `current_enrolment(student, recent_request_at=recent_request_at(now))`, which carries its time: then no
    query, and what comes back is an unsaved CreditRequest holding that time (all the page reads of it)."""
    if enrolment is not UNREAD and enrolment is not None and hasattr(enrolment, "recent_request_at"):
        at = enrolment.recent_request_at
        return CreditRequest(student=student, created_at=at) if at is not None else None
    return CreditRequest.objects.filter(student=student, created_at__gt=now - REQUEST_COOLDOWN).first()


def recent_request_at(now: dt.datetime) -> Subquery:
    """When the student's request of the last day was made (as `recent_request`), for `current_enrolment`."""
    return _requested_since(now - REQUEST_COOLDOWN)


def _requested_since(since: dt.datetime) -> Subquery:
    return Subquery(CreditRequest.objects.filter(student=OuterRef("student"), created_at__gt=since)
                    .order_by("-created_at").values("created_at")[:1])


_CURRENT_ENROLMENT = Prepared(lambda student: first_of(current_enrolment_query(student)), student="int")

# The credits page's two reads, compiled once per process and planned once per database connection
# (config/prepared.py): building and compiling them took longer than PostgreSQL took to answer.
_HISTORY_ENROLMENT = Prepared(
    lambda student, since: first_of(current_enrolment_query(student, recent_request_at=_requested_since(since))),
    student="int", since="datetime")
_LEDGER_PAGES = PreparedShapes(lambda student, shape: counted_rows(ledger_for(student), *shape), student="int")
_LEDGER_PAGES_COMPILED = 10  # the first pages (nearly every visit); later ones are read as they come


def history_enrolment(student, *, now: dt.datetime) -> Enrolment | None:
    """`current_enrolment(student, recent_request_at=recent_request_at(now))`: what the credits page reads."""
    return _HISTORY_ENROLMENT.fetch_first({"student": student.pk, "since": now - REQUEST_COOLDOWN})


def ledger_page_rows(student, bottom: int, top: int, *, per_page: int) -> list[LedgerEntry]:
    """`counted_rows(ledger_for(student), bottom, top)` as a list (for `counted_page`'s `read`)."""
    if bottom // per_page < _LEDGER_PAGES_COMPILED:
        return _LEDGER_PAGES.fetch({"student": student.pk}, shape=(bottom, top))
    return list(counted_rows(ledger_for(student), bottom, top))


@dataclass(frozen=True)
class GroupSummary:
    state: str  # "none" | "paused" | "unlimited" | "monthly" | "pack"
    headline: str  # "2 of 4 group sessions left this month"
    detail: str
    balance: int | None
    allowance: int | None
    can_book: bool


def _group_pending(enrolment: Enrolment, now: dt.datetime) -> bool:
    return enrolment.plan.group_is_monthly and enrolment.next_reset_at is not None and enrolment.next_reset_at <= now


def group_balance(student) -> int:
    return CreditAccount.objects.filter(student=student).values_list("group_balance", flat=True).first() or 0


def group_summary(student, *, now: dt.datetime, enrolment=UNREAD) -> GroupSummary:
    """The group allowance, worded for the student (apart from the 1-1 sessions)."""
    if enrolment is UNREAD:
        enrolment = current_enrolment(student)
    if enrolment is None or not enrolment.plan.has_group:
        return GroupSummary("none", _("No group sessions in your plan"),
                            _("Ask your success manager about a plan with group sessions."), None, None, False)
    plan = enrolment.plan
    if hasattr(enrolment, "account_group_balance"):
        balance = enrolment.account_group_balance or 0
    else:
        balance = group_balance(student)
    if enrolment.status == EnrolmentStatus.PAUSED:
        return GroupSummary("paused", _("Group sessions paused"), _("You can't book while your plan is paused."),
                            balance, plan.group_sessions, False)
    if plan.group_is_unlimited:
        return GroupSummary("unlimited", _("Unlimited group sessions"), _("Join as many group sessions as you like."),
                            None, None, True)
    if plan.group_is_monthly:
        if _group_pending(enrolment, now):
            balance = plan.group_sessions
            next_reset = first_of_next_month(now, student.tzinfo)
        else:
            next_reset = enrolment.next_reset_at
        resets_on = short_date(next_reset, student.tzinfo) if next_reset else None
        headline = ngettext("%(balance)s of %(n)s group session left this month",
                            "%(balance)s of %(n)s group sessions left this month", plan.group_sessions) % {
            "balance": balance, "n": plan.group_sessions}
        return GroupSummary("monthly", headline, _("Resets on %(date)s.") % {"date": resets_on} if resets_on else "",
                            balance, plan.group_sessions, balance > 0)
    headline = ngettext("%(n)s group session left in your pack", "%(n)s group sessions left in your pack",
                        balance) % {"n": balance}
    return GroupSummary("pack", headline,
                        _("Group pack seats never expire.") if balance else _("Your group pack is used up."),
                        balance, plan.group_sessions, balance > 0)
