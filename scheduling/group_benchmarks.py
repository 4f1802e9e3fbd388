"""`python manage.py bench group [--size N]`: N students race for seats in group sessions.

By default 1,000 students race for 500 seats across 50 sessions (10 seats each,
20 students per session), from 8 processes with a connection each, through the
real booking service (account lock, conditional seat UPDATE, ledger entry,
outbox email). Reports bookings per second and proves no session is oversold:
`seats_taken` equals the live seats and never exceeds `seats`.

Ledger entries can't be deleted, so like `bench reset` it runs in a throwaway
database next to the configured one (`<name>_bench`), dropped at the end.
"""

import datetime as dt
import multiprocessing
import time

from django.db import connection
from django.db.models import Count, F, Q

from accounts.models import Role, User
from credits.models import (
    CreditAccount,
    Enrolment,
    EntryKind,
    GroupAllowanceKind,
    LedgerEntry,
    Plan,
)

from .group_models import GroupSeat, GroupSession, SeatStatus
from .services import SessionFull, group_seat_book

SESSIONS, SEATS, WORKERS = 50, 10, 8


def _seed(*, students: int, now: dt.datetime):
    plan = Plan.objects.create(name="Bench group pack", allowance_kind="pack", sessions=0,
                               group_allowance_kind=GroupAllowanceKind.PACK, group_sessions=1)
    people = User.objects.bulk_create([
        User(email=f"bench-group-{i}@bench.invalid", full_name=f"Bench Student {i}", timezone="UTC",
             role=Role.STUDENT, password="!", date_joined=now) for i in range(students)
    ])
    accounts = CreditAccount.objects.bulk_create([CreditAccount(student=u, group_balance=1) for u in people])
    enrolments = Enrolment.objects.bulk_create([Enrolment(student=u, plan=plan, starts_on=now.date()) for u in people])
    LedgerEntry.objects.bulk_create([
        LedgerEntry(account=a, kind=EntryKind.GROUP_GRANT, amount=1, balance_after=1, enrolment=e,
                    period=now.date().replace(day=1), note=plan.name, created_at=now)
        for a, e in zip(accounts, enrolments, strict=True)
    ])
    mentors = User.objects.bulk_create([
        User(email=f"bench-group-mentor-{i}@bench.invalid", full_name=f"Bench Mentor {i}", timezone="UTC",
             role=Role.MENTOR, password="!", date_joined=now) for i in range(10)
    ])
    first = (now + dt.timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    groups = [
        GroupSession.objects.create(mentor=mentors[i % 10], title=f"Bench group {i}", seats=SEATS, created_at=now,
                                    starts_at=first + dt.timedelta(hours=2 * (i // 10)),
                                    ends_at=first + dt.timedelta(hours=2 * (i // 10), minutes=60))
        for i in range(SESSIONS)
    ]
    return people, groups


def _worker(chunk, now, start_together, results):
    tally = {"booked": 0, "full": 0, "other": 0}
    try:
        students = User.objects.in_bulk([student_id for student_id, _ in chunk])
        groups = GroupSession.objects.in_bulk({group_id for _, group_id in chunk})
        start_together.wait()
        for student_id, group_id in chunk:
            try:
                group_seat_book(group=groups[group_id], student=students[student_id], actor=students[student_id],
                                now=now)
                tally["booked"] += 1
            except SessionFull:
                tally["full"] += 1
            except Exception:  # noqa: BLE001  (counted and reported: a bench never hides a failure)
                tally["other"] += 1
    finally:
        connection.close()
        results.put(tally)


def _measure(*, students: int, stdout) -> dict:
    now = dt.datetime.now(dt.UTC)
    people, groups = _seed(students=students, now=now)
    stdout.write(f"seeded {students} students with one group credit each and {len(groups)} sessions "
                 f"× {SEATS} seats")
    # Student i wants session i % 50: twice as many students as seats, all at once. Separate
    # processes (forked, each with its own connection) so Python's GIL doesn't serialise them,
    # as separate web workers wouldn't be.
    work = [(student.pk, groups[i % len(groups)].pk) for i, student in enumerate(people)]
    chunks = [work[w::WORKERS] for w in range(WORKERS)]  # interleaved: every worker hits every session
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    start_together = context.Barrier(WORKERS)
    connection.close()  # never share a connection across fork
    workers = [context.Process(target=_worker, args=(chunk, now, start_together, results)) for chunk in chunks]
    started = time.perf_counter()
    for process in workers:
        process.start()
    outcomes = {"booked": 0, "full": 0, "other": 0}
    for _ in workers:
        for key, value in results.get(timeout=1800).items():
            outcomes[key] += value
    elapsed = time.perf_counter() - started
    for process in workers:
        process.join()

    checked = GroupSession.objects.annotate(
        live=Count("seat_set", filter=Q(seat_set__status=SeatStatus.BOOKED)))
    oversold = checked.filter(Q(seats_taken__gt=F("seats")) | Q(live__gt=F("seats"))).count()
    mismatched = checked.exclude(seats_taken=F("live")).count()
    seats_taken = GroupSeat.objects.filter(status=SeatStatus.BOOKED).count()
    figures = {
        "students": students, "sessions": len(groups), "seats": len(groups) * SEATS, "workers": WORKERS,
        "booked": outcomes["booked"], "refused_full": outcomes["full"], "errors": outcomes["other"],
        "seats_taken": seats_taken, "oversold_sessions": oversold, "counter_mismatches": mismatched,
        "elapsed_s": round(elapsed, 3), "bookings_per_s": round(outcomes["booked"] / elapsed, 1),
        "attempts_per_s": round(students / elapsed, 1),
    }
    stdout.write(f"{outcomes['booked']} seats booked, {outcomes['full']} refused as full, {outcomes['other']} errors "
                 f"in {elapsed:.2f} s ({figures['bookings_per_s']} bookings/s, {figures['attempts_per_s']} attempts/s "
                 f"from {WORKERS} processes); oversold sessions: {oversold}")
    return figures


def bench_group(*, stdout, size: int = 1000, repeat: int = 1) -> dict:
    settings_dict = connection.settings_dict
    old_name = settings_dict["NAME"]
    test_settings = settings_dict.setdefault("TEST", {})
    saved_test_name = test_settings.get("NAME")
    test_settings["NAME"] = f"{old_name}_bench"
    stdout.write("creating a throwaway benchmark database and migrating it…")
    bench_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        figures = _measure(students=size, stdout=stdout)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        test_settings["NAME"] = saved_test_name
    figures["database"] = bench_name
    return figures
