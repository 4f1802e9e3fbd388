"""Every write to credits: one transaction each, keyword-only, taking `now`.

Lock order (shared with the booking code): the student's credit account first,
then anything else (the enrolment, the caller's session). The account row is
the mutex for everything that touches one student's credits.
"""

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import dateformat
from django.utils.translation import gettext, gettext_lazy

from accounts.audit import audit_record
from accounts.emails import send_templated_email
from accounts.models import Role

from .errors import (
    CreditsError,
    EnrolmentPaused,
    InvalidCreditChange,
    NoActivePlan,
    NoCreditsLeft,
    RequestAlreadySent,
)
from .models import (
    GROUP_KINDS,
    REQUEST_COOLDOWN,
    CreditAccount,
    CreditRequest,
    Enrolment,
    EnrolmentStatus,
    EntryKind,
    ForfeitReason,
    LedgerEntry,
    Plan,
    first_of_next_month,
    month_of,
)
from .resets import credits_reset_due  # noqa: F401  (re-exported: the sweep is a service too)
from .wording import no_credits_message

User = get_user_model()


def account_for_update(*, student) -> CreditAccount:
    """The student's account, created if missing, locked until the transaction ends.

    Call inside transaction.atomic, before locking any other row. One query
    when the account exists (it does after the first enrolment).
    """
    account = CreditAccount.objects.select_for_update().filter(student=student).first()
    if account is None:
        CreditAccount.objects.get_or_create(student=student)
        account = CreditAccount.objects.select_for_update().get(student=student)
    return account


def _append(
    *, account: CreditAccount, kind: str, amount: int, actor, now: dt.datetime, note: str = "",
    session_id: int | None = None, enrolment: Enrolment | None = None, period: dt.date | None = None,
    group_seat_id: int | None = None,
    reason: str = "",
) -> LedgerEntry:
    """Write one entry and move the cached balance with it (the group balance for
    group kinds); the account must be locked."""
    field = "group_balance" if kind in GROUP_KINDS else "balance"
    if amount:
        setattr(account, field, getattr(account, field) + amount)
        # The CHECK constraint refuses a negative balance even if a caller forgot to check.
        account.save(update_fields=[field, "updated_at"])
    return LedgerEntry.objects.create(
        account=account, kind=kind, amount=amount, balance_after=getattr(account, field), actor=actor,
        note=note[:300], session_id=session_id, enrolment=enrolment, period=period, created_at=now,
        group_seat_id=group_seat_id, reason=reason,
    )


def _current_enrolment(student) -> Enrolment | None:
    # Not locked: the account lock already serialises every credit change of this student.
    return Enrolment.objects.current().select_related("plan").filter(student=student).first()


# --- Enrolments -------------------------------------------------------------------


def _open_enrolment(*, account: CreditAccount, student, plan: Plan, actor, now: dt.datetime) -> Enrolment:
    tz = student.tzinfo
    enrolment = Enrolment.objects.create(
        student=student, plan=plan, starts_on=now.astimezone(tz).date(), status=EnrolmentStatus.ACTIVE,
        next_reset_at=first_of_next_month(now, tz) if plan.needs_monthly_reset else None,
    )
    _open_group_allowance(account=account, plan=plan, enrolment=enrolment, actor=actor, now=now, tz=tz)
    if plan.is_monthly:
        # Leftovers of an earlier plan expire now, so the month starts with exactly the allowance.
        if account.balance:
            _append(account=account, kind=EntryKind.EXPIRE, amount=-account.balance, actor=actor, now=now,
                    enrolment=enrolment, note=f"moved to {plan.name}")
        _append(account=account, kind=EntryKind.GRANT, amount=plan.sessions, actor=actor, now=now,
                enrolment=enrolment, period=month_of(now, tz))
    elif plan.is_pack:
        _append(account=account, kind=EntryKind.GRANT, amount=plan.sessions, actor=actor, now=now,
                enrolment=enrolment, period=month_of(now, tz), note=plan.name)
    return enrolment


def _open_group_allowance(*, account: CreditAccount, plan: Plan, enrolment: Enrolment, actor, now: dt.datetime,
                          tz) -> None:
    """The group allowance follows the same rules as the 1-1 one, on its own balance."""
    if plan.group_is_monthly:
        if account.group_balance:
            _append(account=account, kind=EntryKind.GROUP_EXPIRE, amount=-account.group_balance, actor=actor,
                    now=now, enrolment=enrolment, note=f"moved to {plan.name}")
        _append(account=account, kind=EntryKind.GROUP_GRANT, amount=plan.group_sessions, actor=actor, now=now,
                enrolment=enrolment, period=month_of(now, tz))
    elif plan.group_allowance_kind == "pack":
        _append(account=account, kind=EntryKind.GROUP_GRANT, amount=plan.group_sessions, actor=actor, now=now,
                enrolment=enrolment, period=month_of(now, tz), note=plan.name)


def enrolment_start(*, student, plan: Plan, actor, now: dt.datetime) -> Enrolment:
    """Put a student on a plan and grant its first allowance."""
    if student.role != Role.STUDENT:
        raise CreditsError(gettext("Only students can be enrolled on a plan."))
    if not plan.is_active:
        raise CreditsError(gettext("The plan “%(plan)s” is no longer offered.") % {"plan": plan.name})
    with transaction.atomic():
        account = account_for_update(student=student)
        if Enrolment.objects.current().filter(student=student).exists():
            raise CreditsError(gettext("%(student)s already has a plan; change or end that one instead.") % {
                "student": student})
        return _open_enrolment(account=account, student=student, plan=plan, actor=actor, now=now)


def _lock_enrolment(enrolment: Enrolment) -> tuple[CreditAccount, Enrolment]:
    account = account_for_update(student=enrolment.student)
    # of=self: the plan and the user are read, not locked (a plan is shared by many students).
    locked = Enrolment.objects.select_for_update(of=("self",)).select_related("plan", "student").get(pk=enrolment.pk)
    return account, locked


def _close(enrolment: Enrolment, *, now: dt.datetime) -> None:
    enrolment.status = EnrolmentStatus.ENDED
    enrolment.ended_at = now
    enrolment.next_reset_at = None
    enrolment.save(update_fields=["status", "ended_at", "next_reset_at"])


def enrolment_change_plan(*, enrolment: Enrolment, plan: Plan, actor, now: dt.datetime) -> Enrolment:
    """End the current enrolment and start the student on `plan` (a new enrolment, so history stays true)."""
    if not plan.is_active:
        raise CreditsError(gettext("The plan “%(plan)s” is no longer offered.") % {"plan": plan.name})
    with transaction.atomic():
        account, current = _lock_enrolment(enrolment)
        if current.status == EnrolmentStatus.ENDED:
            raise CreditsError(gettext("This enrolment has ended; start a new one instead."))
        if current.plan_id == plan.pk:
            return current
        _close(current, now=now)
        return _open_enrolment(account=account, student=current.student, plan=plan, actor=actor, now=now)


def enrolment_pause(*, enrolment: Enrolment, actor, now: dt.datetime) -> Enrolment:
    with transaction.atomic():
        _, current = _lock_enrolment(enrolment)
        if current.status != EnrolmentStatus.ACTIVE:
            raise CreditsError(gettext("Only an active enrolment can be paused (this one is %(status)s).") % {
                "status": current.get_status_display().lower()})
        current.status, current.paused_at = EnrolmentStatus.PAUSED, now
        current.save(update_fields=["status", "paused_at"])
        return current


def enrolment_resume(*, enrolment: Enrolment, actor, now: dt.datetime) -> Enrolment:
    """Resume a paused enrolment; a reset missed while paused happens at once."""
    with transaction.atomic():
        _, current = _lock_enrolment(enrolment)
        if current.status != EnrolmentStatus.PAUSED:
            raise CreditsError(gettext("Only a paused enrolment can be resumed (this one is %(status)s).") % {
                "status": current.get_status_display().lower()})
        current.status, current.paused_at = EnrolmentStatus.ACTIVE, None
        current.save(update_fields=["status", "paused_at"])
        if current.next_reset_at is not None and current.next_reset_at <= now:
            credits_reset_due(now=now, enrolment_ids=[current.pk])
            current.refresh_from_db()
        return current


def enrolment_end(*, enrolment: Enrolment, actor, now: dt.datetime) -> Enrolment:
    with transaction.atomic():
        _, current = _lock_enrolment(enrolment)
        if current.status == EnrolmentStatus.ENDED:
            return current
        _close(current, now=now)
        return current


# --- What the booking code calls --------------------------------------------------


def _ready_to_spend(enrolment: Enrolment, *, account: CreditAccount, now: dt.datetime) -> None:
    """Refuse a paused enrolment; if the 1st has come in the student's zone but the hourly
    sweep hasn't reached them yet, reset now, so the first booking of the month spends the
    new month's credit (the locked account and the enrolment are re-read after)."""
    if enrolment.status == EnrolmentStatus.PAUSED:
        raise EnrolmentPaused()
    if enrolment.next_reset_at is not None and enrolment.next_reset_at <= now:
        credits_reset_due(now=now, enrolment_ids=[enrolment.pk])
        account.refresh_from_db()
        enrolment.refresh_from_db()


def credits_spend_locked(*, account: CreditAccount, enrolment: Enrolment, student, session_id: int, actor,
                         now: dt.datetime, note: str = "") -> LedgerEntry:
    """Spend one credit on a session the caller has just created, with the account
    it already locked and the enrolment it already read in this transaction
    (the booking path: no second lock, no second allowance check). Two writes;
    the unique key on (consume, session) is the last line against a double charge.
    """
    _ready_to_spend(enrolment, account=account, now=now)
    amount = 0 if enrolment.plan.is_unlimited else -1
    if amount and account.balance < 1:
        raise NoCreditsLeft(no_credits_message(enrolment, student=student))
    return _append(account=account, kind=EntryKind.CONSUME, amount=amount, actor=actor, now=now,
                   note=note, session_id=session_id, enrolment=enrolment)


def credits_consume(*, student, session_id: int, actor, now: dt.datetime, note: str = "") -> LedgerEntry:
    """Spend one credit on a session (0 on unlimited plans, recorded all the same).

    Calling it again for the same session returns the first entry: never two charges.
    """
    with transaction.atomic():
        account = account_for_update(student=student)
        existing = LedgerEntry.objects.filter(kind=EntryKind.CONSUME, session_id=session_id).first()
        if existing is not None:
            if existing.account_id != account.pk:
                raise CreditsError(gettext("This session was paid for by someone else."))
            return existing
        enrolment = _current_enrolment(student)
        if enrolment is None:
            raise NoActivePlan()
        _ready_to_spend(enrolment, account=account, now=now)
        amount = 0 if enrolment.plan.is_unlimited else -1
        if amount and account.balance < 1:
            raise NoCreditsLeft(no_credits_message(enrolment, student=student))
        try:
            with transaction.atomic():
                return _append(account=account, kind=EntryKind.CONSUME, amount=amount, actor=actor, now=now,
                               note=note, session_id=session_id, enrolment=enrolment)
        except IntegrityError as exc:  # only reachable if a caller bypassed the account lock
            raise CreditsError(gettext("This session has already been paid for.")) from exc


def credits_refund(*, student, session_id: int, actor, reason: str, now: dt.datetime) -> LedgerEntry | None:
    """Give back what a session consumed. Nothing (None) if it consumed nothing or was refunded already."""
    with transaction.atomic():
        account = account_for_update(student=student)
        consume = LedgerEntry.objects.filter(kind=EntryKind.CONSUME, session_id=session_id, account=account).first()
        if consume is None:
            return None
        if LedgerEntry.objects.filter(kind=EntryKind.REFUND, session_id=session_id).exists():
            return None
        return _append(account=account, kind=EntryKind.REFUND, amount=-consume.amount, actor=actor, now=now,
                       note=reason, session_id=session_id, enrolment=consume.enrolment)


def credits_record_forfeit(*, student, session_id: int, actor, reason: str, now: dt.datetime,
                           note: str = "") -> LedgerEntry:
    """Record that a session's credit is kept; moves nothing. Once per session.

    `reason` (a ForfeitReason) says why, and is what the student's history
    reads; `note` adds the detail ("cancelled 3 h before start").
    """
    reason = ForfeitReason(reason)
    with transaction.atomic():
        account = account_for_update(student=student)
        existing = LedgerEntry.objects.filter(kind=EntryKind.FORFEIT, session_id=session_id).first()
        if existing is not None:
            return existing
        consume = LedgerEntry.objects.filter(kind=EntryKind.CONSUME, session_id=session_id).first()
        return _append(account=account, kind=EntryKind.FORFEIT, amount=0, actor=actor, now=now, note=note,
                       session_id=session_id, enrolment=consume.enrolment if consume else None, reason=reason)


# --- What group bookings call: the same rules, on the group balance ---------------


def credits_group_consume(*, student, seat_id: int, actor, now: dt.datetime, note: str = "",
                          account: CreditAccount | None = None) -> LedgerEntry:
    """Spend one group credit on a seat (0 on unlimited group allowances); once per seat.

    `account`: the caller already holds the lock on it in its transaction (saves the round trips).
    """
    from .wording import no_group_credits_message

    with transaction.atomic(savepoint=account is None):
        account = account or account_for_update(student=student)
        existing = LedgerEntry.objects.filter(kind=EntryKind.GROUP_CONSUME, group_seat_id=seat_id).first()
        if existing is not None:
            return existing
        enrolment = _current_enrolment(student)
        if enrolment is None:
            raise NoActivePlan()
        _ready_to_spend(enrolment, account=account, now=now)
        plan = enrolment.plan
        if not plan.has_group:
            raise NoCreditsLeft(no_group_credits_message(enrolment, student=student))
        amount = 0 if plan.group_is_unlimited else -1
        if amount and account.group_balance < 1:
            raise NoCreditsLeft(no_group_credits_message(enrolment, student=student))
        return _append(account=account, kind=EntryKind.GROUP_CONSUME, amount=amount, actor=actor, now=now,
                       note=note, group_seat_id=seat_id, enrolment=enrolment)


def credits_group_refund(*, student, seat_id: int, actor, reason: str, now: dt.datetime) -> LedgerEntry | None:
    """Give back what a seat consumed; None if nothing was consumed or it was refunded already."""
    with transaction.atomic():
        account = account_for_update(student=student)
        consume = LedgerEntry.objects.filter(kind=EntryKind.GROUP_CONSUME, group_seat_id=seat_id,
                                             account=account).first()
        if consume is None or LedgerEntry.objects.filter(kind=EntryKind.GROUP_REFUND, group_seat_id=seat_id).exists():
            return None
        return _append(account=account, kind=EntryKind.GROUP_REFUND, amount=-consume.amount, actor=actor, now=now,
                       note=reason, group_seat_id=seat_id, enrolment=consume.enrolment)


def credits_group_record_forfeit(*, student, seat_id: int, actor, note: str, now: dt.datetime) -> LedgerEntry:
    """Record that a seat's credit is kept (late cancellation, no-show); moves nothing. Once per seat."""
    with transaction.atomic():
        account = account_for_update(student=student)
        existing = LedgerEntry.objects.filter(kind=EntryKind.GROUP_FORFEIT, group_seat_id=seat_id).first()
        if existing is not None:
            return existing
        consume = LedgerEntry.objects.filter(kind=EntryKind.GROUP_CONSUME, group_seat_id=seat_id).first()
        return _append(account=account, kind=EntryKind.GROUP_FORFEIT, amount=0, actor=actor, now=now, note=note,
                       group_seat_id=seat_id, enrolment=consume.enrolment if consume else None)


# --- Success managers -------------------------------------------------------------

MANUAL_KINDS = {EntryKind.GRANT: "grant", EntryKind.TOPUP: "top-up", EntryKind.ADJUST: "adjustment",
                EntryKind.GROUP_TOPUP: "group top-up", EntryKind.GROUP_ADJUST: "group adjustment"}
# Whole sentences per kind (not "this %(kind)s"): the kind's gender changes the sentence in Spanish.
REASON_REQUIRED = {
    EntryKind.GRANT: gettext_lazy("Give a reason for this grant; the student sees it in their history."),
    EntryKind.TOPUP: gettext_lazy("Give a reason for this top-up; the student sees it in their history."),
    EntryKind.ADJUST: gettext_lazy("Give a reason for this adjustment; the student sees it in their history."),
    EntryKind.GROUP_TOPUP: gettext_lazy("Give a reason for this group top-up; the student sees it in their history."),
    EntryKind.GROUP_ADJUST: gettext_lazy(
        "Give a reason for this group adjustment; the student sees it in their history."),
}
ADDS_CREDITS = {
    EntryKind.GRANT: gettext_lazy(
        "A grant adds credits: enter a positive number (use an adjustment to take credits away)."),
    EntryKind.TOPUP: gettext_lazy(
        "A top-up adds credits: enter a positive number (use an adjustment to take credits away)."),
    EntryKind.GROUP_TOPUP: gettext_lazy(
        "A group top-up adds credits: enter a positive number (use an adjustment to take credits away)."),
}


def credits_admin_change(*, student, kind: str, amount: int, reason: str, actor, now: dt.datetime) -> LedgerEntry:
    """A success manager's grant, top-up (adds) or adjustment (adds or takes), always with a reason."""
    reason = (reason or "").strip()
    if kind not in MANUAL_KINDS:
        raise InvalidCreditChange(gettext("Choose a grant, a top-up or an adjustment."))
    if not reason:
        raise InvalidCreditChange(REASON_REQUIRED[kind])
    if kind in ADDS_CREDITS and amount <= 0:
        raise InvalidCreditChange(ADDS_CREDITS[kind])
    if kind in (EntryKind.ADJUST, EntryKind.GROUP_ADJUST) and amount == 0:
        raise InvalidCreditChange(gettext("An adjustment of 0 changes nothing: enter a positive or negative number."))
    if student.role != Role.STUDENT:
        raise InvalidCreditChange(gettext("Only students hold credits."))
    with transaction.atomic():
        account = account_for_update(student=student)
        current = account.group_balance if kind in GROUP_KINDS else account.balance
        if current + amount < 0:
            raise InvalidCreditChange(
                gettext("That would take the balance below zero: it is %(n)s, so the most you can take away is %(n)s.")
                % {"n": current}
            )
        entry = _append(account=account, kind=kind, amount=amount, actor=actor, now=now, note=reason,
                        enrolment=_current_enrolment(student))
        audit_record(actor=actor, obj=account, message=f"{MANUAL_KINDS[kind].capitalize()} of {amount:+d}: {reason}")
        return entry


# --- Students ---------------------------------------------------------------------


def credits_request_more(*, student, message: str, now: dt.datetime) -> CreditRequest:
    """Ask the success managers for more sessions; at most once a day."""
    with transaction.atomic():
        # The account lock serialises two submits of the same form.
        account_for_update(student=student)
        recent = CreditRequest.objects.filter(student=student, created_at__gt=now - REQUEST_COOLDOWN).first()
        if recent is not None:
            when = recent.created_at.astimezone(student.tzinfo)
            raise RequestAlreadySent(
                gettext("We already have your request from %(day)s at %(time)s; your success manager will be in "
                  "touch. You can send another one a day later.") % {
                    "day": dateformat.format(when, gettext("j M")), "time": dateformat.format(when, gettext("H:i"))}
            )
        request = CreditRequest.objects.create(student=student, message=message.strip(), created_at=now)
        managers = list(User.objects.filter(role=Role.MANAGER, is_active=True))
        enrolment = _current_enrolment(student)
        send_templated_email(
            name="credits_request",
            to=managers,
            context={"student": student, "credit_request": request, "enrolment": enrolment,
                     "balance": CreditAccount.objects.get(student=student).balance},
        )
        return request
