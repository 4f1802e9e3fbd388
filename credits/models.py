"""Plans, enrolments, credit accounts and the append-only credit ledger.

Credits are treated like money: every movement is a ledger entry, the account
only caches the balance (updated in the same transaction as the entry), and
the database itself refuses what must never happen (a negative balance, a
second consume for one session, a second grant for one month, an edited entry).
"""

import datetime as dt
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import dateformat
from django.utils.translation import gettext, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from .wording import ledger_note


class AllowanceKind(models.TextChoices):
    MONTHLY = "monthly", _("Monthly (resets on the 1st)")
    PACK = "pack", _("Pack (never resets)")
    UNLIMITED = "unlimited", _("Unlimited")


class GroupAllowanceKind(models.TextChoices):
    NONE = "none", _("No group sessions")
    MONTHLY = "monthly", _("Monthly (resets on the 1st)")
    PACK = "pack", _("Pack (never resets)")
    UNLIMITED = "unlimited", _("Unlimited")


class Plan(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    allowance_kind = models.CharField(_("allowance kind"), max_length=16, choices=AllowanceKind.choices, default=AllowanceKind.MONTHLY)
    sessions = models.PositiveIntegerField(
        _("sessions"),
        default=0,
        help_text=_("Monthly: sessions per calendar month. Pack: sessions in the pack. Ignored for unlimited. "
                    "0 is allowed (e.g. a programme that only runs group events)."),
    )
    max_upcoming = models.PositiveSmallIntegerField(
        _("max upcoming"),
        null=True,
        blank=True,
        help_text=_("The most upcoming sessions a student may hold at once. Empty means no limit."),
    )
    # Group sessions have their own allowance, apart from 1-1 sessions.
    group_allowance_kind = models.CharField(
        _("group allowance"), max_length=16, choices=GroupAllowanceKind.choices, default=GroupAllowanceKind.NONE,
    )
    group_sessions = models.PositiveIntegerField(
        _("group sessions"),
        default=0, help_text=_("Monthly: group seats per calendar month. Pack: seats in the pack. "
                               "Ignored for none and unlimited."),
    )
    is_active = models.BooleanField(_("is active"), default=True,
                                    help_text=_("Inactive plans can no longer be given to students."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("plan")
        verbose_name_plural = _("plans")

    def __str__(self):
        return self.name

    @property
    def is_unlimited(self) -> bool:
        return self.allowance_kind == AllowanceKind.UNLIMITED

    @property
    def is_monthly(self) -> bool:
        return self.allowance_kind == AllowanceKind.MONTHLY

    @property
    def is_pack(self) -> bool:
        return self.allowance_kind == AllowanceKind.PACK

    @property
    def group_is_monthly(self) -> bool:
        return self.group_allowance_kind == GroupAllowanceKind.MONTHLY

    @property
    def group_is_unlimited(self) -> bool:
        return self.group_allowance_kind == GroupAllowanceKind.UNLIMITED

    @property
    def has_group(self) -> bool:
        return self.group_allowance_kind != GroupAllowanceKind.NONE

    @property
    def needs_monthly_reset(self) -> bool:
        """Either allowance resets on the 1st, so the enrolment carries a `next_reset_at`."""
        return self.is_monthly or self.group_is_monthly

    def describe_group(self) -> str:
        kind, n = self.group_allowance_kind, self.group_sessions
        if kind == GroupAllowanceKind.UNLIMITED:
            return gettext("Unlimited group sessions")
        if kind == GroupAllowanceKind.NONE or n == 0:
            return gettext("No group sessions included")
        if kind == GroupAllowanceKind.MONTHLY:
            return ngettext("%(n)s group session a month", "%(n)s group sessions a month", n) % {"n": n}
        return ngettext("A pack of %(n)s group session", "A pack of %(n)s group sessions", n) % {"n": n}

    def describe(self) -> str:
        n = self.sessions
        if self.is_unlimited:
            text = gettext("Unlimited sessions")
        elif n == 0:
            text = gettext("No one-to-one sessions included")
        elif self.is_monthly:
            text = ngettext("%(n)s session a month; unused ones expire on the 1st",
                            "%(n)s sessions a month; unused ones expire on the 1st", n) % {"n": n}
        else:
            text = ngettext("A pack of %(n)s session that never expire",
                            "A pack of %(n)s sessions that never expire", n) % {"n": n}
        if self.max_upcoming is not None:
            text += " · " + gettext("at most %(n)s booked ahead") % {"n": self.max_upcoming}
        return text

    def clean(self):
        if self.is_unlimited and self.sessions:
            raise ValidationError({"sessions": gettext("Unlimited plans have no session count; leave it at 0.")})
        if self.group_allowance_kind in (GroupAllowanceKind.NONE, GroupAllowanceKind.UNLIMITED) and self.group_sessions:
            raise ValidationError({"group_sessions": gettext("Leave it at 0 for no or unlimited group sessions.")})


class EnrolmentStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")
    ENDED = "ended", _("Ended")


class EnrolmentQuerySet(models.QuerySet):
    def current(self):
        """The enrolment that governs a student now (active or paused)."""
        return self.filter(status__in=[EnrolmentStatus.ACTIVE, EnrolmentStatus.PAUSED])


class Enrolment(models.Model):
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolments",
                                verbose_name=_("student"))
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="enrolments", verbose_name=_("plan"))
    starts_on = models.DateField(_("starts on"))
    status = models.CharField(_("status"), max_length=16, choices=EnrolmentStatus.choices, default=EnrolmentStatus.ACTIVE)
    # The next first of the month, 00:00 in the student's zone, stored in UTC.
    # The reset sweep is driven by this stamp, never by "today is the 1st".
    next_reset_at = models.DateTimeField(_("next reset at"), null=True, blank=True)
    paused_at = models.DateTimeField(_("paused at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            # A student follows one plan at a time; a paused enrolment still counts,
            # otherwise resuming it could produce two live plans.
            models.UniqueConstraint(
                fields=["student"],
                condition=Q(status__in=["active", "paused"]),
                name="credits_one_current_enrolment_per_student",
            ),
        ]
        indexes = [
            # The hourly sweep's only question: which active enrolments are due?
            # (…, id) so the sweep's keyset walk (next_reset_at, id) is a plain range scan even when
            # thousands of students share one reset instant.
            models.Index(fields=["next_reset_at", "id"], condition=Q(status="active"),
                         name="credits_enrolment_due_idx2"),
        ]

    def __str__(self):
        return gettext("%(student)s on %(plan)s (%(status)s)") % {
            "student": self.student, "plan": self.plan, "status": self.get_status_display().lower()}


def first_of_next_month(instant: dt.datetime, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    """00:00 on the next 1st in `tz` after `instant`, as an aware UTC datetime."""
    local = instant.astimezone(tz)
    year, month = (local.year + 1, 1) if local.month == 12 else (local.year, local.month + 1)
    return dt.datetime(year, month, 1, tzinfo=tz).astimezone(dt.UTC)


def month_of(instant: dt.datetime, tz: zoneinfo.ZoneInfo) -> dt.date:
    """The first day of the calendar month that `instant` falls in, in `tz`."""
    return instant.astimezone(tz).date().replace(day=1)


class CreditAccount(models.Model):
    student = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="credit_account",
                                   verbose_name=_("student"))
    # A cache of sum(ledger amounts), updated in the same transaction as each
    # entry; credits_audit proves the two agree.
    balance = models.IntegerField(_("balance"), default=0)
    # Group seats are their own allowance: a cache of sum(group entries), audited the same way.
    group_balance = models.IntegerField(_("group balance"), default=0)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("credit account")
        verbose_name_plural = _("credit accounts")
        constraints = [
            models.CheckConstraint(condition=Q(balance__gte=0), name="credits_account_balance_not_negative"),
            models.CheckConstraint(condition=Q(group_balance__gte=0),
                                   name="credits_account_group_balance_not_negative"),
        ]

    def __str__(self):
        return ngettext("%(student)s · %(n)s credit", "%(student)s · %(n)s credits", self.balance) % {
            "student": self.student, "n": self.balance}


class EntryKind(models.TextChoices):
    GRANT = "grant", pgettext_lazy("credit ledger", "Granted")
    EXPIRE = "expire", pgettext_lazy("credit ledger", "Expired")
    CONSUME = "consume", pgettext_lazy("credit ledger", "Booked")
    REFUND = "refund", pgettext_lazy("credit ledger", "Refunded")
    FORFEIT = "forfeit", pgettext_lazy("credit ledger", "Forfeited")
    ADJUST = "adjust", pgettext_lazy("credit ledger", "Adjusted")
    TOPUP = "topup", pgettext_lazy("credit ledger", "Topped up")
    # Group seats: their own kinds of movement, against the account's group balance.
    GROUP_GRANT = "group_grant", pgettext_lazy("credit ledger", "Group seats granted")
    GROUP_EXPIRE = "group_expire", pgettext_lazy("credit ledger", "Group seats expired")
    GROUP_CONSUME = "group_consume", pgettext_lazy("credit ledger", "Group seat booked")
    GROUP_REFUND = "group_refund", pgettext_lazy("credit ledger", "Group seat refunded")
    GROUP_FORFEIT = "group_forfeit", pgettext_lazy("credit ledger", "Group seat forfeited")
    GROUP_ADJUST = "group_adjust", pgettext_lazy("credit ledger", "Group seats adjusted")
    GROUP_TOPUP = "group_topup", pgettext_lazy("credit ledger", "Group seats topped up")


# Kinds that move `group_balance`; every other kind moves `balance`.
GROUP_KINDS = frozenset({
    EntryKind.GROUP_GRANT, EntryKind.GROUP_EXPIRE, EntryKind.GROUP_CONSUME, EntryKind.GROUP_REFUND,
    EntryKind.GROUP_FORFEIT, EntryKind.GROUP_ADJUST, EntryKind.GROUP_TOPUP,
})


class ForfeitReason(models.TextChoices):
    """Why a forfeit kept the credit; the student's history reads the label."""

    LATE_CANCELLATION = "late_cancellation", _("cancelled less than 24 hours before the start")
    STUDENT_NO_SHOW = "student_no_show", _("the student did not attend")


class AppendOnlyError(Exception):
    """Ledger entries are facts: they are never edited or deleted."""


class LedgerQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Ledger entries cannot be changed; record a new entry instead.")

    def delete(self):
        raise AppendOnlyError("Ledger entries cannot be deleted; record a new entry instead.")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnlyError("Ledger entries cannot be changed; record a new entry instead.")

    _update = update  # anything else that writes through the queryset


class LedgerEntry(models.Model):
    # Indexed by credits_entry_history_idx (account first); a separate FK index
    # would only slow the reset sweep's inserts down.
    account = models.ForeignKey(CreditAccount, on_delete=models.PROTECT, related_name="entries", db_index=False,
                                verbose_name=_("account"))
    kind = models.CharField(_("kind"), max_length=16, choices=EntryKind.choices)
    amount = models.IntegerField(_("amount"), help_text=_("Credits added (positive) or taken (negative)."))
    balance_after = models.IntegerField(_("balance after"))
    # A plain integer, not a foreign key: credits must not depend on scheduling.
    session_id = models.PositiveBigIntegerField(_("session id"), null=True, blank=True)
    # The group seat a group_consume/refund/forfeit is about (a plain integer too).
    group_seat_id = models.PositiveBigIntegerField(_("group seat id"), null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False,
        verbose_name=_("actor"), help_text=_("Who made this happen; empty for the automatic monthly reset."),
    )
    # Looked up through the (enrolment, period) unique keys; enrolments are never deleted.
    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.PROTECT, null=True, blank=True, related_name="entries", db_index=False,
        verbose_name=_("enrolment"),
    )
    period = models.DateField(_("period"), null=True, blank=True,
                              help_text=_("The month (its 1st) a grant or expiry belongs to."))
    note = models.CharField(_("note"), max_length=300, blank=True)
    # Why, for kinds that need one (forfeits); the history's wording comes from it, never from the note.
    # db_default: the reset sweep's set-wise INSERTs name their columns and leave this one out.
    reason = models.CharField(_("reason"), max_length=32, choices=ForfeitReason.choices, blank=True, default="",
                              db_default="")
    created_at = models.DateTimeField(_("created at"))

    objects = LedgerQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        constraints = [
            models.UniqueConstraint(
                fields=["session_id"], condition=Q(kind="consume"), name="credits_one_consume_per_session"
            ),
            models.UniqueConstraint(
                fields=["session_id"], condition=Q(kind="refund"), name="credits_one_refund_per_session"
            ),
            models.UniqueConstraint(
                fields=["session_id"], condition=Q(kind="forfeit"), name="credits_one_forfeit_per_session"
            ),
            models.UniqueConstraint(
                fields=["enrolment", "period"], condition=Q(kind="grant"), name="credits_one_grant_per_period"
            ),
            models.UniqueConstraint(
                fields=["enrolment", "period"], condition=Q(kind="expire"), name="credits_one_expiry_per_period"
            ),
            models.UniqueConstraint(
                fields=["group_seat_id"], condition=Q(kind="group_consume"), name="credits_one_consume_per_seat"
            ),
            models.UniqueConstraint(
                fields=["group_seat_id"], condition=Q(kind="group_refund"), name="credits_one_refund_per_seat"
            ),
            models.UniqueConstraint(
                fields=["group_seat_id"], condition=Q(kind="group_forfeit"), name="credits_one_forfeit_per_seat"
            ),
            models.UniqueConstraint(
                fields=["enrolment", "period"], condition=Q(kind="group_grant"),
                name="credits_one_group_grant_per_period",
            ),
            models.UniqueConstraint(
                fields=["enrolment", "period"], condition=Q(kind="group_expire"),
                name="credits_one_group_expiry_per_period",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=["group_consume", "group_refund", "group_forfeit"])
                | Q(group_seat_id__isnull=False),
                name="credits_seat_entries_name_their_seat",
            ),
            models.CheckConstraint(condition=Q(balance_after__gte=0), name="credits_entry_balance_not_negative"),
            models.CheckConstraint(
                condition=~Q(kind__in=["consume", "refund", "forfeit"]) | Q(session_id__isnull=False),
                name="credits_session_entries_name_their_session",
            ),
            models.CheckConstraint(
                condition=Q(reason="") | Q(kind="forfeit"), name="credits_only_forfeits_carry_a_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["account", "-created_at", "-id"], name="credits_entry_history_idx"),
            # The automatic reset writes no actor, so those rows stay out of this index.
            models.Index(fields=["actor"], condition=Q(actor__isnull=False), name="credits_entry_actor_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount:+d} → {self.balance_after}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Ledger entries cannot be changed; record a new entry instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Ledger entries cannot be deleted; record a new entry instead.")

    @property
    def is_group(self) -> bool:
        return self.kind in GROUP_KINDS

    @property
    def description(self) -> str:
        """How the entry reads in the student's history."""
        month = dateformat.format(self.period, gettext("F Y")) if self.period else ""
        if self.kind == EntryKind.GROUP_GRANT and self.period and not self.note:
            return gettext("Group seats granted for %(month)s") % {"month": month}
        if self.kind == EntryKind.GROUP_EXPIRE and self.period and not self.note:
            return gettext("Group seats expired — unused seats of %(month)s") % {"month": month}
        if self.kind == EntryKind.FORFEIT:
            # The detail when there is one ("cancelled 3 h before start"), else why (the reason's label).
            detail = ledger_note(self.note, self.kind) or (self.get_reason_display() if self.reason else "")
            return (gettext("Forfeited — %(detail)s") % {"detail": detail} if detail
                    else _kind_label(self.kind))
        if self.period and not self.note and self.kind == EntryKind.GRANT:
            return gettext("Granted for %(month)s") % {"month": month}
        if self.period and not self.note and self.kind == EntryKind.EXPIRE:
            return gettext("Expired — unused sessions of %(month)s") % {"month": month}
        label = _kind_label(self.kind)
        # The note is the record (a manager's reason as written; the services' own notes worded for the reader).
        note = ledger_note(self.note, self.kind)
        return gettext("%(kind)s — %(note)s") % {"kind": label, "note": note} if note else str(label)


def _kind_label(kind: str) -> str:
    """What get_kind_display() says, without hashing every kind's lazy label on each call (the history page
    describes 25 entries: that was ~300 translations per page)."""
    try:
        return str(EntryKind(kind).label)
    except ValueError:
        return kind


# A student may ask for more sessions once a day; a double submit mails nobody twice.
REQUEST_COOLDOWN = dt.timedelta(hours=24)


class CreditRequest(models.Model):
    """A student's "Get more sessions" request; success managers follow it up."""

    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="credit_requests",
                                verbose_name=_("student"))
    message = models.TextField(_("message"), blank=True, max_length=2000)
    created_at = models.DateTimeField(_("created at"))
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("handled by"),
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("credit request")
        verbose_name_plural = _("credit requests")
        indexes = [models.Index(fields=["student", "-created_at"], name="credits_request_recent_idx")]

    def __str__(self):
        return gettext("Request from %(student)s on %(date)s") % {
            "student": self.student, "date": f"{self.created_at:%Y-%m-%d}"}
