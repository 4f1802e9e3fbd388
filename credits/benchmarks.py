"""`python manage.py bench reset [--size N] [--repeat R]`: time the monthly reset sweep.

Seeds N students on a monthly plan whose reset is due, runs the sweep (every
enrolment gets an expiry of what is left and a new grant) and then a second
sweep that must find nothing to do.

Ledger entries can never be deleted, so the benchmark does not touch the
configured database: it creates a throwaway database next to it (Django's test
database machinery, named `<name>_bench`), migrates it, runs there with real
commits per batch exactly as in production, and drops it at the end.
"""

import datetime as dt
import statistics
import time

from django.contrib.auth import get_user_model
from django.db import connection

from .models import AllowanceKind, CreditAccount, Enrolment, EntryKind, LedgerEntry, Plan
from .resets import credits_reset_due

ZONES = ["America/Los_Angeles", "America/New_York", "Europe/London", "Asia/Kolkata", "Pacific/Auckland",
         "Australia/Sydney", "UTC"]
CHUNK = 5000
# A fixed month, so runs compare: the sweep happens on 1 Dec 2026, 12:00 UTC (due in every zone).
SWEEP_AT = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)


def _seed(*, size: int, now: dt.datetime, stdout) -> None:
    User = get_user_model()
    plan = Plan.objects.create(name="Bench monthly 4", allowance_kind=AllowanceKind.MONTHLY, sessions=4)
    last_month = dt.date(2026, 11, 1)
    due_at = dt.datetime(2026, 11, 30, 11, 0, tzinfo=dt.UTC)  # the earliest 1 Dec midnight (Auckland)
    for start in range(0, size, CHUNK):
        count = min(CHUNK, size - start)
        users = User.objects.bulk_create([
            User(email=f"bench-{start + i}@bench.invalid", full_name=f"Bench Student {start + i}",
                 timezone=ZONES[(start + i) % len(ZONES)], password="!", date_joined=now)
            for i in range(count)
        ])
        accounts = CreditAccount.objects.bulk_create(
            [CreditAccount(student=user, balance=(user.pk % 5)) for user in users]
        )
        enrolments = Enrolment.objects.bulk_create([
            Enrolment(student=user, plan=plan, starts_on=last_month, next_reset_at=due_at) for user in users
        ])
        # November's grant, so that every balance is the sum of its entries as in real life.
        LedgerEntry.objects.bulk_create([
            LedgerEntry(account=account, kind=EntryKind.GRANT, amount=account.balance, balance_after=account.balance,
                        enrolment=enrolment, period=last_month, created_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC))
            for account, enrolment in zip(accounts, enrolments, strict=True)
        ])
        if (start // CHUNK) % 5 == 4:
            stdout.write(f"  seeded {start + count} of {size}")
    with connection.cursor() as cursor:  # the statistics autovacuum would have gathered by the 1st
        for model in (Enrolment, CreditAccount, LedgerEntry, User):
            cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")


def _measure(*, size: int, repeat: int, stdout) -> dict:
    figures: dict = {"size": size, "repeat": repeat}
    started = time.perf_counter()
    _seed(size=size, now=SWEEP_AT, stdout=stdout)
    figures["seed_s"] = round(time.perf_counter() - started, 2)
    stdout.write(f"seeded {size} due enrolments in {figures['seed_s']} s")
    firsts, seconds = [], []
    for run in range(repeat):
        now = SWEEP_AT
        if run:
            # Each further run is a later month: make everyone due again for it.
            now = (SWEEP_AT + dt.timedelta(days=31 * run)).replace(day=1)
            Enrolment.objects.update(next_reset_at=now - dt.timedelta(hours=14))
        started = time.perf_counter()
        first = credits_reset_due(now=now)
        firsts.append(time.perf_counter() - started)
        started = time.perf_counter()
        second = credits_reset_due(now=now)
        seconds.append(time.perf_counter() - started)
        stdout.write(f"run {run + 1}: first sweep {firsts[-1]:.2f} s {first.as_dict()}, "
                     f"second sweep {seconds[-1]:.3f} s {second.as_dict()}")
        if first.grants != size or second.grants != 0:
            raise AssertionError(f"sweep granted {first.grants} then {second.grants}; expected {size} then 0")
        figures.update(grants=first.grants, expired_credits=first.expired_credits, batches=first.batches)
    figures["first_sweep_s"] = round(statistics.median(firsts), 3)
    figures["second_sweep_s"] = round(statistics.median(seconds), 3)
    figures["first_sweep_rows_per_s"] = round(size / statistics.median(firsts)) if size else 0
    return figures


def run_reset(*, stdout, size: int = 100_000, repeat: int = 1) -> dict:
    settings_dict = connection.settings_dict
    old_name = settings_dict["NAME"]
    test_settings = settings_dict.setdefault("TEST", {})
    saved_test_name = test_settings.get("NAME")
    test_settings["NAME"] = f"{old_name}_bench"
    stdout.write("creating a throwaway benchmark database and migrating it…")
    bench_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        figures = _measure(size=size, repeat=repeat, stdout=stdout)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        test_settings["NAME"] = saved_test_name
    figures["database"] = bench_name
    return figures


BENCHMARKS = {"reset": run_reset}
