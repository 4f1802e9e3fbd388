import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from credits.models import CreditAccount, Enrolment, LedgerEntry

pytestmark = pytest.mark.django_db


def test_audit_passes_on_the_demo_data_and_seeding_twice_grants_nothing_twice():
    call_command("seed_demo", stdout=io.StringIO())
    entries = LedgerEntry.objects.count()
    call_command("seed_demo", stdout=io.StringIO())
    assert LedgerEntry.objects.count() == entries
    out = io.StringIO()
    call_command("credits_audit", stdout=out)
    assert "All 5 credit account(s) add up" in out.getvalue()
    plans = dict(Enrolment.objects.current().values_list("student__email", "plan__allowance_kind"))
    assert plans == {"sam@example.com": "monthly", "olivia@example.com": "pack", "priya@example.com": "unlimited",
                     "lucas@example.com": "monthly", "mia@example.com": "pack"}
    topup = LedgerEntry.objects.get(kind="topup")
    assert topup.account.student.email == "olivia@example.com" and topup.amount == 2


def test_audit_names_the_accounts_that_do_not_add_up(student, monthly_plan, enrol):
    enrol(student, monthly_plan)
    # Corrupt the cache behind the services' back.
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {CreditAccount._meta.db_table} SET balance = 9 WHERE student_id = %s", [student.pk])
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 of 1 credit account"):
        call_command("credits_audit", stderr=err)
    assert student.email in err.getvalue() and "balance 9, entries sum to 4" in err.getvalue()


@pytest.mark.django_db(transaction=True)
def test_bench_reset_prints_its_figures_last():
    out = io.StringIO()
    call_command("bench", "reset", "--size", "30", stdout=out)
    figures = json.loads(out.getvalue().strip().splitlines()[-1])
    assert figures["benchmark"] == "reset" and figures["grants"] == 30
    assert {"first_sweep_s", "second_sweep_s", "seed_s"} <= figures.keys()
