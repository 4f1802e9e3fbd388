"""Random sequences of grant, consume, refund, adjust and reset: the books always balance."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.tests.factories import ManagerFactory, StudentFactory
from credits import services
from credits.errors import CreditsError
from credits.models import CreditAccount, EntryKind, LedgerEntry
from credits.tests.factories import MonthlyPlanFactory, PackPlanFactory

START = dt.datetime(2026, 11, 3, 9, 0, tzinfo=dt.UTC)

operations = st.lists(
    st.one_of(
        st.tuples(st.just("grant"), st.integers(min_value=-2, max_value=5)),
        st.tuples(st.just("consume"), st.integers(min_value=1, max_value=8)),
        st.tuples(st.just("refund"), st.integers(min_value=1, max_value=8)),
        st.tuples(st.just("adjust"), st.integers(min_value=-6, max_value=6)),
        st.tuples(st.just("reset"), st.integers(min_value=1, max_value=40)),
    ),
    max_size=30,
)


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=operations, monthly=st.booleans(), zone=st.sampled_from(["Pacific/Auckland", "America/Los_Angeles", "UTC"]))
def test_balance_always_equals_the_sum_of_entries_and_never_goes_negative(ops, monthly, zone):
    manager = ManagerFactory()
    student = StudentFactory(timezone=zone)
    plan = MonthlyPlanFactory(sessions=3) if monthly else PackPlanFactory(sessions=3)
    services.enrolment_start(student=student, plan=plan, actor=manager, now=START)
    now = START
    for op, value in ops:
        now += dt.timedelta(hours=1)
        try:
            if op == "grant":
                services.credits_admin_change(student=student, kind=EntryKind.GRANT, amount=value, reason="gift",
                                              actor=manager, now=now)
            elif op == "consume":
                services.credits_consume(student=student, session_id=value, actor=student, now=now)
            elif op == "refund":
                services.credits_refund(student=student, session_id=value, actor=student, reason="cancelled", now=now)
            elif op == "adjust":
                services.credits_admin_change(student=student, kind=EntryKind.ADJUST, amount=value, reason="fix",
                                              actor=manager, now=now)
            else:
                now += dt.timedelta(days=value)
                services.credits_reset_due(now=now)
        except CreditsError:
            pass  # refused with a message: nothing may have changed, which the checks below prove

        account = CreditAccount.objects.get(student=student)
        total = LedgerEntry.objects.filter(account=account).aggregate(total=Sum("amount"))["total"] or 0
        assert account.balance == total >= 0
        latest = LedgerEntry.objects.filter(account=account).order_by("-id").first()
        assert latest.balance_after == account.balance
    assert LedgerEntry.objects.filter(kind=EntryKind.CONSUME).values("session_id").distinct().count() == \
        LedgerEntry.objects.filter(kind=EntryKind.CONSUME).count()
    call_command("credits_audit")
