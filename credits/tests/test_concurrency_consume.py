import datetime as dt
import threading

import pytest
from django.db import connection

from credits import services
from credits.errors import NoCreditsLeft
from credits.models import CreditAccount, EntryKind, LedgerEntry
from credits.tests.factories import PackPlanFactory

NOW = dt.datetime(2026, 11, 16, 15, 0, tzinfo=dt.UTC)


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_consumes_with_one_credit_left_succeed_once(student, manager):
    services.enrolment_start(student=student, plan=PackPlanFactory(sessions=1), actor=manager, now=NOW)
    barrier = threading.Barrier(20)
    outcomes, unexpected = [], []

    def book(session_id):
        try:
            barrier.wait()
            services.credits_consume(student=student, session_id=session_id, actor=student, now=NOW)
            outcomes.append("ok")
        except NoCreditsLeft:
            outcomes.append("no credits")
        except Exception as exc:  # pragma: no cover - reported below
            unexpected.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=book, args=(1000 + i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert unexpected == []
    assert outcomes.count("ok") == 1 and outcomes.count("no credits") == 19
    assert CreditAccount.objects.get(student=student).balance == 0
    assert LedgerEntry.objects.filter(kind=EntryKind.CONSUME).count() == 1
    assert min(LedgerEntry.objects.values_list("balance_after", flat=True)) == 0


@pytest.mark.django_db(transaction=True)
def test_consume_and_refund_race_for_one_session_leave_a_consistent_ledger(student, manager):
    services.enrolment_start(student=student, plan=PackPlanFactory(sessions=3), actor=manager, now=NOW)
    services.credits_consume(student=student, session_id=1, actor=student, now=NOW)
    barrier = threading.Barrier(8)

    def refund():
        try:
            barrier.wait()
            services.credits_refund(student=student, session_id=1, actor=student, reason="cancelled", now=NOW)
        finally:
            connection.close()

    threads = [threading.Thread(target=refund) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert LedgerEntry.objects.filter(kind=EntryKind.REFUND).count() == 1
    assert CreditAccount.objects.get(student=student).balance == 3
