"""The monthly reset: expire what is left of a month, grant the next month, once.

Due is decided by `Enrolment.next_reset_at` (00:00 on the 1st in the student's
zone, stored in UTC), not by the calendar of whoever runs the sweep. The sweep
works a batch at a time with a handful of statements per batch, never one
query per student:

1. claim a batch of due enrolments and their accounts (with the month each
   was last granted) using `FOR UPDATE SKIP LOCKED`: a second sweep running
   at the same time takes other rows instead of waiting, never the same ones;
2. insert every expiry and grant of the batch in one INSERT;
3. set the new balances (a few UPDATEs, grouped by value) and advance
   `next_reset_at` in one UPDATE, conditional on the row still being due.

A crash mid-batch rolls the whole batch back, so a rerun starts it afresh; the
unique key (enrolment, period) on grants is the last line should anything
ever slip past the locks.
"""

import datetime as dt
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from psycopg2.extras import execute_values

from .models import (
    AllowanceKind,
    CreditAccount,
    Enrolment,
    EnrolmentStatus,
    EntryKind,
    GroupAllowanceKind,
    LedgerEntry,
    Plan,
    first_of_next_month,
    month_of,
)

DEFAULT_BATCH_SIZE = 2000


@dataclass
class ResetResult:
    enrolments: int = 0  # due enrolments processed (advanced)
    grants: int = 0
    expired_credits: int = 0
    batches: int = 0
    _zones: dict = field(default_factory=dict, repr=False)

    def as_dict(self) -> dict:
        return {"enrolments": self.enrolments, "grants": self.grants, "expired_credits": self.expired_credits,
                "batches": self.batches}


def _due_filter_sql(enrolment_ids) -> tuple[str, list]:
    if not enrolment_ids:
        return "", []
    return f" AND e.id IN ({', '.join(['%s'] * len(enrolment_ids))})", list(enrolment_ids)


def _create_missing_accounts(*, now: dt.datetime, enrolment_ids) -> None:
    # Enrolling creates the account, so this finds nothing in practice; it keeps
    # a hand-made enrolment from being skipped by the claim's inner join forever.
    due = Enrolment.objects.filter(status=EnrolmentStatus.ACTIVE, next_reset_at__lte=now,
                                   student__credit_account__isnull=True)
    if enrolment_ids:
        due = due.filter(id__in=enrolment_ids)
    missing = list(due.values_list("student_id", flat=True)[:10_000])
    if missing:
        CreditAccount.objects.bulk_create(
            [CreditAccount(student_id=sid, balance=0) for sid in missing], ignore_conflicts=True
        )


def _claim_batch(*, now: dt.datetime, batch_size: int, enrolment_ids, after: tuple | None) -> list[tuple]:
    user_table = get_user_model()._meta.db_table
    extra, extra_params = _due_filter_sql(enrolment_ids)
    if after is not None:
        # Keyset: continue after the last row this sweep claimed instead of walking the
        # index again past every row already reset (their old versions linger until vacuum).
        extra += " AND (e.next_reset_at, e.id) > (%s, %s)"
        extra_params += [after[0], after[1]]
    # Enrolments another sweep holds are skipped, never waited for. Accounts are skipped too:
    # services lock the account first and the enrolment second, so waiting here could
    # deadlock with a manager pausing a plan; a skipped row stays due for the next run.
    lock_enrolments = " FOR UPDATE SKIP LOCKED"
    lock_accounts = " FOR UPDATE OF a SKIP LOCKED"
    # The batch is picked from the enrolments alone (an ordered walk of the partial due
    # index, LIMIT n) before joining, so each batch costs the same however many are due.
    sql = (
        "WITH batch AS ("
        f" SELECT e.id FROM {Enrolment._meta.db_table} e"
        " WHERE e.status = %s AND e.next_reset_at <= %s"
        f" AND e.plan_id IN (SELECT id FROM {Plan._meta.db_table} WHERE allowance_kind = %s"
        " OR group_allowance_kind = %s)" + extra +
        " ORDER BY e.next_reset_at, e.id LIMIT %s" + lock_enrolments +
        ")"
        " SELECT e.id, e.student_id, p.sessions, u.timezone, a.id, a.balance, e.next_reset_at,"
        # The last month granted, through the (enrolment, period) unique key of grants.
        f" (SELECT MAX(g.period) FROM {LedgerEntry._meta.db_table} g WHERE g.kind = %s AND g.enrolment_id = e.id),"
        # The group allowance rides the same sweep: its own kind, balance and unique key.
        " p.allowance_kind, p.group_allowance_kind, p.group_sessions, a.group_balance,"
        f" (SELECT MAX(g.period) FROM {LedgerEntry._meta.db_table} g WHERE g.kind = %s AND g.enrolment_id = e.id)"
        f" FROM batch JOIN {Enrolment._meta.db_table} e ON e.id = batch.id"
        f" JOIN {Plan._meta.db_table} p ON p.id = e.plan_id"
        f" JOIN {user_table} u ON u.id = e.student_id"
        f" JOIN {CreditAccount._meta.db_table} a ON a.student_id = e.student_id"
        " ORDER BY e.next_reset_at, e.id" + lock_accounts
    )
    params = [EnrolmentStatus.ACTIVE.value, connection.ops.adapt_datetimefield_value(now),
              AllowanceKind.MONTHLY.value, GroupAllowanceKind.MONTHLY.value, *extra_params, batch_size,
              EntryKind.GRANT.value, EntryKind.GROUP_GRANT.value]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _zone(result: ResetResult, name: str) -> zoneinfo.ZoneInfo:
    if name not in result._zones:
        result._zones[name] = zoneinfo.ZoneInfo(name)
    return result._zones[name]


def _insert_entries(entries: list[tuple], *, now: dt.datetime) -> None:
    """One multi-row INSERT for the batch (in order, so an expiry precedes its month's grant)."""
    if not entries:
        return
    # Building model instances costs more than the INSERT itself at this size.
    with connection.cursor() as cursor:
        execute_values(
            cursor.cursor,
            f"INSERT INTO {LedgerEntry._meta.db_table} (account_id, kind, amount, balance_after, enrolment_id,"
            " period, created_at, note) VALUES %s",
            [(*entry, now) for entry in entries],
            template="(%s, %s, %s, %s, %s, %s, %s, '')",
            page_size=len(entries),
        )


def _set_balances(new_balance: dict[tuple[str, int], list[int]], *, now: dt.datetime) -> None:
    # Grouped by (balance field, value): a batch holds a handful of distinct allowances, so a handful of UPDATEs.
    for (column, balance), account_ids in new_balance.items():
        CreditAccount.objects.filter(id__in=account_ids).update(**{column: balance}, updated_at=now)


def _advance(advance: dict[dt.datetime, list[int]], *, now: dt.datetime) -> int:
    """Move next_reset_at on, only for rows still due (the lock makes this certain; the condition states it)."""
    table = Enrolment._meta.db_table
    values = [(enrolment_id, next_at, now) for next_at, ids in advance.items() for enrolment_id in ids]
    with connection.cursor() as cursor:
        execute_values(
            cursor.cursor,
            f"UPDATE {table} e SET next_reset_at = v.next_at FROM (VALUES %s) AS v(id, next_at, due_by)"
            " WHERE e.id = v.id AND e.next_reset_at <= v.due_by",
            values,
            template="(%s, %s::timestamptz, %s::timestamptz)",
            page_size=len(values),
        )
        return cursor.cursor.rowcount


def _reset_batch(rows: list[tuple], *, now: dt.datetime, result: ResetResult) -> None:
    entries: list[tuple] = []  # (account, kind, amount, balance_after, enrolment, period)
    new_balance: dict[tuple[str, int], list[int]] = defaultdict(list)  # (field, balance) -> account ids
    advance: dict[dt.datetime, list[int]] = defaultdict(list)  # next_reset_at -> enrolment ids
    months: dict[str, tuple] = {}  # zone -> (this month, next reset): one `now` per batch
    for (enrolment_id, _student_id, sessions, zone_name, account_id, balance, _due_at, last,
         kind, group_kind, group_sessions, group_balance, group_last) in rows:
        if zone_name not in months:
            tz = _zone(result, zone_name)
            months[zone_name] = (month_of(now, tz), first_of_next_month(now, tz))
        period, next_reset_at = months[zone_name]
        advance[next_reset_at].append(enrolment_id)
        pools = []
        if kind == AllowanceKind.MONTHLY:
            pools.append(("balance", EntryKind.GRANT.value, EntryKind.EXPIRE.value, sessions, balance, last))
        if group_kind == GroupAllowanceKind.MONTHLY:
            pools.append(("group_balance", EntryKind.GROUP_GRANT.value, EntryKind.GROUP_EXPIRE.value,
                          group_sessions, group_balance, group_last))
        for column, grant_kind, expire_kind, allowance, left, last_granted in pools:
            if last_granted is not None and last_granted >= period:
                continue  # this month was granted already (e.g. resumed in the month it was paused)
            if left > 0:
                expired_period = last_granted or (period - dt.timedelta(days=1)).replace(day=1)
                entries.append((account_id, expire_kind, -left, 0, enrolment_id, expired_period))
                result.expired_credits += left
            entries.append((account_id, grant_kind, allowance, allowance, enrolment_id, period))
            new_balance[(column, allowance)].append(account_id)
            result.grants += 1

    _insert_entries(entries, now=now)
    _set_balances(new_balance, now=now)
    result.enrolments += _advance(advance, now=now)
    result.batches += 1


def credits_reset_due(*, now: dt.datetime, batch_size: int = DEFAULT_BATCH_SIZE,
                      enrolment_ids: list[int] | None = None) -> ResetResult:
    """Reset every active monthly enrolment whose `next_reset_at` has come. Safe to run any number of times."""
    result = ResetResult()
    _create_missing_accounts(now=now, enrolment_ids=enrolment_ids)
    after = None
    while True:
        with transaction.atomic():
            rows = _claim_batch(now=now, batch_size=batch_size, enrolment_ids=enrolment_ids, after=after)
            if rows:
                _reset_batch(rows, now=now, result=result)
        # An empty batch means nothing else is due, or the rest is being reset by another sweep
        # right now (rows it holds are skipped; should it fail, the next hourly run takes them).
        if not rows:
            return result
        after = (rows[-1][6], rows[-1][0])
