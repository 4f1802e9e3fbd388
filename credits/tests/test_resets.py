import datetime as dt
import threading

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection

from accounts.tests.factories import StudentFactory
from credits import services
from credits.models import CreditAccount, Enrolment, EntryKind, LedgerEntry
from credits.resets import credits_reset_due
from credits.tasks import credits_reset_sweep
from credits.tests.factories import MonthlyPlanFactory, PackPlanFactory, UnlimitedPlanFactory

UTC = dt.UTC


def grants(student) -> list[dt.date]:
    return list(LedgerEntry.objects.filter(account__student=student, kind=EntryKind.GRANT)
                .order_by("period").values_list("period", flat=True))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("zone", "local_midnight_utc"),
    [
        # 1 Dec 00:00 NZDT (UTC+13) is 30 Nov 11:00 UTC.
        ("Pacific/Auckland", dt.datetime(2026, 11, 30, 11, 0, tzinfo=UTC)),
        # 1 Dec 00:00 PST (UTC-8) is 1 Dec 08:00 UTC.
        ("America/Los_Angeles", dt.datetime(2026, 12, 1, 8, 0, tzinfo=UTC)),
    ],
)
def test_reset_is_due_at_local_midnight_of_the_first(zone, local_midnight_utc, enrol):
    student = StudentFactory(timezone=zone)
    enrolment = enrol(student, MonthlyPlanFactory(sessions=4))
    services.credits_consume(student=student, session_id=1, actor=student, now=dt.datetime(2026, 11, 20, tzinfo=UTC))
    assert enrolment.next_reset_at == local_midnight_utc

    just_before = local_midnight_utc - dt.timedelta(seconds=1)
    assert credits_reset_due(now=just_before).grants == 0
    assert CreditAccount.objects.get(student=student).balance == 3

    result = credits_reset_due(now=local_midnight_utc)
    assert (result.grants, result.expired_credits) == (1, 3)
    assert grants(student) == [dt.date(2026, 11, 1), dt.date(2026, 12, 1)]
    expiry = LedgerEntry.objects.get(account__student=student, kind=EntryKind.EXPIRE)
    assert (expiry.amount, expiry.balance_after, expiry.period) == (-3, 0, dt.date(2026, 11, 1))
    assert CreditAccount.objects.get(student=student).balance == 4
    enrolment.refresh_from_db()
    assert enrolment.next_reset_at.astimezone(student.tzinfo) == dt.datetime(2027, 1, 1, tzinfo=student.tzinfo)


@pytest.mark.django_db
def test_next_reset_follows_daylight_saving_in_the_students_zone(enrol):
    # London: 1 Apr 2027 00:00 is BST (UTC+1) but 1 Mar is GMT.
    student = StudentFactory(timezone="Europe/London")
    enrol(student, MonthlyPlanFactory(sessions=2), at=dt.datetime(2027, 2, 10, tzinfo=UTC))
    credits_reset_due(now=dt.datetime(2027, 3, 1, 0, 0, tzinfo=UTC))
    enrolment = Enrolment.objects.get(student=student)
    assert enrolment.next_reset_at == dt.datetime(2027, 3, 31, 23, 0, tzinfo=UTC)


@pytest.mark.django_db
def test_the_sweep_twice_in_a_row_grants_once_per_period(enrol):
    students = [StudentFactory(timezone=z) for z in ("America/New_York", "Asia/Kolkata", "Pacific/Auckland")]
    for student in students:
        enrol(student, MonthlyPlanFactory(sessions=3))
    december = dt.datetime(2026, 12, 2, tzinfo=UTC)
    first = credits_reset_due(now=december, batch_size=2)  # several batches
    second = credits_reset_due(now=december, batch_size=2)
    assert (first.grants, first.enrolments, second.grants, second.enrolments) == (3, 3, 0, 0)
    for student in students:
        assert grants(student) == [dt.date(2026, 11, 1), dt.date(2026, 12, 1)]
    call_command("credits_audit")


@pytest.mark.django_db
def test_pack_unlimited_and_paused_enrolments_get_no_monthly_grant(enrol, manager):
    pack, unlimited, paused = StudentFactory(), StudentFactory(), StudentFactory()
    enrol(pack, PackPlanFactory(sessions=5))
    enrol(unlimited, UnlimitedPlanFactory())
    services.enrolment_pause(enrolment=enrol(paused, MonthlyPlanFactory(sessions=4)), actor=manager,
                             now=dt.datetime(2026, 11, 20, tzinfo=UTC))
    assert credits_reset_due(now=dt.datetime(2027, 3, 1, tzinfo=UTC)).grants == 0
    assert CreditAccount.objects.get(student=pack).balance == 5
    assert CreditAccount.objects.get(student=paused).balance == 4


@pytest.mark.django_db
def test_a_sweep_that_missed_months_grants_only_the_current_month(enrol):
    student = StudentFactory(timezone="UTC")
    enrol(student, MonthlyPlanFactory(sessions=4))
    result = credits_reset_due(now=dt.datetime(2027, 2, 15, tzinfo=UTC))
    assert result.grants == 1
    assert grants(student) == [dt.date(2026, 11, 1), dt.date(2027, 2, 1)]
    assert Enrolment.objects.get(student=student).next_reset_at == dt.datetime(2027, 3, 1, tzinfo=UTC)


@pytest.mark.django_db
def test_the_beat_task_and_the_command_run_the_same_sweep(enrol, capsys):
    student = StudentFactory(timezone="UTC")
    enrol(student, MonthlyPlanFactory(sessions=4))
    with time_machine.travel(dt.datetime(2026, 12, 1, 0, 30, tzinfo=UTC), tick=False):
        assert credits_reset_sweep() == {"enrolments": 1, "grants": 1, "expired_credits": 4, "batches": 1}
        call_command("credits_reset")
    assert "Reset 0 enrolment(s): 0 grant(s)" in capsys.readouterr().out
    assert len(grants(student)) == 2


@pytest.mark.django_db(transaction=True)
def test_concurrent_sweeps_grant_exactly_once_per_period(manager):
    plan = MonthlyPlanFactory(sessions=2)
    november = dt.datetime(2026, 11, 10, tzinfo=UTC)
    students = [StudentFactory(timezone=("UTC", "Pacific/Auckland", "America/Los_Angeles")[i % 3]) for i in range(60)]
    for student in students:
        services.enrolment_start(student=student, plan=plan, actor=manager, now=november)
    december = dt.datetime(2026, 12, 2, tzinfo=UTC)
    barrier = threading.Barrier(6)
    results, errors = [], []

    def sweep():
        try:
            barrier.wait()
            results.append(credits_reset_due(now=december, batch_size=7))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(r.grants for r in results) == 60
    assert LedgerEntry.objects.filter(kind=EntryKind.GRANT, period=dt.date(2026, 12, 1)).count() == 60
    assert LedgerEntry.objects.filter(kind=EntryKind.EXPIRE).count() == 60
    assert set(CreditAccount.objects.values_list("balance", flat=True)) == {2}
    call_command("credits_audit")


@pytest.mark.django_db
def test_the_first_booking_of_a_month_resets_before_the_sweep_gets_there(enrol):
    from credits.selectors import booking_allowance, credits_summary

    student = StudentFactory(timezone="Pacific/Auckland")
    enrol(student, MonthlyPlanFactory(sessions=2))
    for session_id in (1, 2):
        services.credits_consume(student=student, session_id=session_id, actor=student,
                                 now=dt.datetime(2026, 11, 20, tzinfo=UTC))
    ten_past_midnight = dt.datetime(2026, 11, 30, 11, 10, tzinfo=UTC)  # 1 Dec 00:10 in Auckland
    assert booking_allowance(student, now=ten_past_midnight).can_book
    summary = credits_summary(student, now=ten_past_midnight)
    assert (summary.headline, summary.resets_on) == ("2 of 2 sessions left this month", "1 Jan")

    entry = services.credits_consume(student=student, session_id=3, actor=student, now=ten_past_midnight)
    assert entry.balance_after == 1
    assert grants(student) == [dt.date(2026, 11, 1), dt.date(2026, 12, 1)]
    assert credits_reset_due(now=ten_past_midnight).grants == 0  # the sweep finds it done
    call_command("credits_audit")


@pytest.mark.django_db(transaction=True)
def test_a_sweep_that_crashes_mid_batch_leaves_nothing_half_done_and_a_rerun_grants_once(manager, monkeypatch):
    from credits import resets

    plan = MonthlyPlanFactory(sessions=3)
    students = [StudentFactory(timezone="UTC") for _ in range(5)]
    for student in students:
        services.enrolment_start(student=student, plan=plan, actor=manager, now=dt.datetime(2026, 11, 5, tzinfo=UTC))
    december = dt.datetime(2026, 12, 1, 1, 0, tzinfo=UTC)

    def crash(*args, **kwargs):
        raise RuntimeError("worker killed")

    monkeypatch.setattr(resets, "_advance", crash)
    with pytest.raises(RuntimeError):
        credits_reset_due(now=december, batch_size=2)
    assert LedgerEntry.objects.filter(period=dt.date(2026, 12, 1)).count() == 0  # the batch rolled back whole

    monkeypatch.undo()
    assert credits_reset_due(now=december, batch_size=2).grants == 5
    assert credits_reset_due(now=december, batch_size=2).grants == 0
    assert LedgerEntry.objects.filter(kind=EntryKind.GRANT, period=dt.date(2026, 12, 1)).count() == 5
    call_command("credits_audit")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("zone", "enrolled_at", "expected"),
    [
        # Los Angeles switches to PDT on 14 Mar 2027: 1 Apr 00:00 PDT is 07:00 UTC (1 Mar was 08:00).
        ("America/Los_Angeles", dt.datetime(2027, 3, 20, tzinfo=UTC), dt.datetime(2027, 4, 1, 7, 0, tzinfo=UTC)),
        # Auckland leaves NZDT on 4 Apr 2027: 1 Apr 00:00 is still NZDT (UTC+13), 1 May is NZST (UTC+12).
        ("Pacific/Auckland", dt.datetime(2027, 3, 20, tzinfo=UTC), dt.datetime(2027, 3, 31, 11, 0, tzinfo=UTC)),
        ("Pacific/Auckland", dt.datetime(2027, 4, 10, tzinfo=UTC), dt.datetime(2027, 4, 30, 12, 0, tzinfo=UTC)),
    ],
)
def test_resets_around_daylight_saving_changes_stay_at_local_midnight(zone, enrolled_at, expected, enrol):
    student = StudentFactory(timezone=zone)
    enrolment = enrol(student, MonthlyPlanFactory(sessions=1), at=enrolled_at)
    assert enrolment.next_reset_at == expected
    assert credits_reset_due(now=expected - dt.timedelta(minutes=1)).grants == 0
    assert credits_reset_due(now=expected).grants == 1
