"""The "Success managers" group can run the programme and nothing more."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.roles import SUCCESS_MANAGERS_GROUP
from credits.models import LedgerEntry
from credits.services import credits_admin_change
from scheduling.tests.helpers import give_credits

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(student, manager):
    give_credits(student, 2)
    return credits_admin_change(student=student, kind="topup", amount=1, reason="Goodwill", actor=manager,
                                now=entry_now())


def entry_now():
    from django.utils import timezone

    return timezone.now()


def test_ledger_entries_can_be_read_but_never_edited_or_deleted(client, manager, entry):
    client.force_login(manager)
    assert client.get(reverse("admin:credits_ledgerentry_changelist")).status_code == 200
    change = reverse("admin:credits_ledgerentry_change", args=[entry.pk])
    response = client.post(change, {"amount": 100, "note": "edited"})
    assert response.status_code == 403
    assert client.post(reverse("admin:credits_ledgerentry_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
    entry.refresh_from_db()
    assert (entry.amount, entry.note) == (1, "Goodwill") and LedgerEntry.objects.count() >= 2


def test_managers_cannot_touch_groups_or_permissions(client, manager):
    group = Group.objects.get(name=SUCCESS_MANAGERS_GROUP)
    client.force_login(manager)
    assert client.get(reverse("admin:auth_group_change", args=[group.pk])).status_code == 403
    assert client.post(reverse("admin:auth_group_change", args=[group.pk]), {"name": "Admins"}).status_code == 403
    assert client.get(reverse("admin:auth_group_add")).status_code == 403
    group.refresh_from_db()
    assert group.name == SUCCESS_MANAGERS_GROUP


def test_managers_cannot_set_passwords_or_make_staff(client, manager, student):
    client.force_login(manager)
    assert client.get(reverse("admin:auth_user_password_change", args=[student.pk])).status_code == 403
    response = client.post(reverse("admin:accounts_user_change", args=[student.pk]), {
        "email": student.email, "full_name": student.full_name, "timezone": "UTC", "role": "student",
        "is_active": "on", "is_staff": "on", "is_superuser": "on",
    })
    assert response.status_code == 302
    student.refresh_from_db()
    assert not student.is_staff and not student.is_superuser


def test_managers_cannot_edit_another_manager(client, manager):
    from accounts.tests.factories import ManagerFactory

    other = ManagerFactory()
    client.force_login(manager)
    response = client.post(reverse("admin:accounts_user_change", args=[other.pk]), {
        "email": other.email, "full_name": "Changed", "timezone": "UTC", "is_active": "",
    })
    assert response.status_code == 403
    other.refresh_from_db()
    assert other.is_active and other.full_name != "Changed"


def test_the_group_holds_no_delete_or_auth_permissions():
    perms = Group.objects.get(name=SUCCESS_MANAGERS_GROUP).permissions.values_list("codename", "content_type__app_label")
    assert not [p for p in perms if p[0].startswith("delete_")]
    assert not [p for p in perms if p[1] == "auth"]
    assert ("change_ledgerentry", "credits") not in list(perms)
