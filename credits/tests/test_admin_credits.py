import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from accounts.roles import SUCCESS_MANAGERS_GROUP
from accounts.tests.factories import StudentFactory
from credits.models import CreditAccount, Enrolment, EntryKind, LedgerEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def account(student, pack_plan, enrol):
    enrol(student, pack_plan)
    return CreditAccount.objects.get(student=student)


def change_credits(client, account, **data):
    return client.post(reverse("admin:credits_creditaccount_change_credits", args=[account.pk]), data)


def test_a_manager_tops_up_with_a_reason(client, manager, account):
    client.force_login(manager)
    page = client.get(reverse("admin:credits_creditaccount_change_credits", args=[account.pk]))
    assert page.status_code == 200 and "Current balance" in page.content.decode()
    response = change_credits(client, account, kind=EntryKind.TOPUP, amount="3", reason="Bought 3 more")
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.balance == 13
    entry = LedgerEntry.objects.latest("id")
    assert (entry.kind, entry.amount, entry.actor, entry.note) == (EntryKind.TOPUP, 3, manager, "Bought 3 more")


def test_a_manager_adjusts_down_with_a_reason(client, manager, account):
    client.force_login(manager)
    assert change_credits(client, account, kind=EntryKind.ADJUST, amount="-2", reason="granted twice").status_code == 302
    account.refresh_from_db()
    assert account.balance == 8


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "topup", "amount": "-3", "reason": "oops"}, "enter a positive number"),
        ({"kind": "grant", "amount": "0", "reason": "oops"}, "enter a positive number"),
        ({"kind": "topup", "amount": "3", "reason": ""}, "Give a reason"),
        ({"kind": "adjust", "amount": "-3", "reason": "   "}, "Give a reason"),
        ({"kind": "adjust", "amount": "-11", "reason": "too much"}, "below zero"),
        ({"kind": "adjust", "amount": "abc", "reason": "x"}, "Enter a whole number"),
        ({"kind": "refund", "amount": "1", "reason": "x"}, "Select a valid choice"),
    ],
)
def test_bad_admin_input_shows_a_clear_error_and_changes_nothing(client, manager, account, data, message):
    client.force_login(manager)
    before = LedgerEntry.objects.count()
    response = change_credits(client, account, **data)
    assert response.status_code == 400
    assert message in response.content.decode()
    account.refresh_from_db()
    assert account.balance == 10 and LedgerEntry.objects.count() == before


def test_the_account_page_links_to_the_credit_form_and_shows_recent_entries(client, manager, account):
    client.force_login(manager)
    page = client.get(reverse("admin:credits_creditaccount_change", args=[account.pk])).content.decode()
    assert reverse("admin:credits_creditaccount_change_credits", args=[account.pk]) in page
    assert "Granted" in page
    assert client.get(reverse("admin:credits_creditaccount_changelist"), {"q": account.student.email}).status_code == 200


def test_students_and_mentors_cannot_reach_the_credit_tools(client, student, mentor, account):
    for user in (student, mentor):
        client.force_login(user)
        response = change_credits(client, account, kind="topup", amount="5", reason="free credits")
        assert response.status_code == 302 and "/login" in response["Location"]
    account.refresh_from_db()
    assert account.balance == 10


def test_a_manager_enrols_pauses_resumes_and_ends(client, manager, monthly_plan):
    client.force_login(manager)
    newcomer = StudentFactory(timezone="America/Los_Angeles")
    response = client.post(reverse("admin:credits_enrolment_add"), {"student": newcomer.pk, "plan": monthly_plan.pk})
    assert response.status_code == 302
    enrolment = Enrolment.objects.get(student=newcomer)
    assert CreditAccount.objects.get(student=newcomer).balance == 4

    again = client.post(reverse("admin:credits_enrolment_add"), {"student": newcomer.pk, "plan": monthly_plan.pk})
    assert again.status_code == 200 and "already has a plan" in again.content.decode()
    assert Enrolment.objects.filter(student=newcomer).count() == 1

    changelist = reverse("admin:credits_enrolment_changelist")
    for action, status in [("pause_selected", "paused"), ("resume_selected", "active"), ("end_selected", "ended")]:
        client.post(changelist, {"action": action, "_selected_action": [enrolment.pk]})
        enrolment.refresh_from_db()
        assert enrolment.status == status
    response = client.post(changelist, {"action": "resume_selected", "_selected_action": [enrolment.pk]}, follow=True)
    assert "Only a paused enrolment can be resumed" in response.content.decode()


def test_a_manager_changes_a_plan(client, manager, student, monthly_plan, pack_plan, enrol):
    enrolment = enrol(student, monthly_plan)
    client.force_login(manager)
    response = client.post(reverse("admin:credits_enrolment_change", args=[enrolment.pk]), {"plan": pack_plan.pk})
    assert response.status_code == 302
    enrolment.refresh_from_db()
    current = Enrolment.objects.current().get(student=student)
    assert enrolment.status == "ended" and current.plan == pack_plan
    assert CreditAccount.objects.get(student=student).balance == 14


def test_success_managers_may_read_but_never_change_or_delete_ledger_entries(manager):
    names = set(Permission.objects.filter(group__name=SUCCESS_MANAGERS_GROUP, content_type__app_label="credits")
                .values_list("codename", flat=True))
    assert {"view_ledgerentry", "change_creditaccount", "add_enrolment", "change_plan"} <= names
    assert not names & {"change_ledgerentry", "delete_ledgerentry", "add_ledgerentry", "delete_creditaccount"}


def test_every_credits_admin_page_opens_for_a_success_manager(client, manager, account, student):
    from credits import services
    from credits.models import CreditRequest, Plan

    services.credits_request_more(student=student, message="more please", now=account.updated_at)
    client.force_login(manager)
    enrolment = Enrolment.objects.get(student=student)
    urls = [
        reverse("admin:credits_plan_changelist"), reverse("admin:credits_plan_add"),
        reverse("admin:credits_plan_change", args=[Plan.objects.first().pk]),
        reverse("admin:credits_enrolment_changelist"), reverse("admin:credits_enrolment_add"),
        reverse("admin:credits_enrolment_change", args=[enrolment.pk]),
        reverse("admin:credits_creditaccount_changelist"),
        reverse("admin:credits_ledgerentry_changelist"),
        reverse("admin:credits_creditrequest_changelist"),
        reverse("admin:credits_creditrequest_change", args=[CreditRequest.objects.get().pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 200, url
    assert client.get(reverse("admin:credits_plan_delete", args=[Plan.objects.first().pk])).status_code == 403


def test_an_unlimited_plan_with_sessions_is_refused_with_a_clear_error(client, manager):
    client.force_login(manager)
    response = client.post(reverse("admin:credits_plan_add"),
                           {"name": "Odd", "allowance_kind": "unlimited", "sessions": "5", "max_upcoming": ""})
    assert response.status_code == 200
    assert "Unlimited plans have no session count" in response.content.decode()
