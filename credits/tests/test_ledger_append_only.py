import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from credits import services
from credits.models import AppendOnlyError, EntryKind, LedgerEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(student, monthly_plan, enrol, now):
    enrol(student, monthly_plan)
    return services.credits_consume(student=student, session_id=42, actor=student, now=now)


def test_entries_cannot_be_edited_or_deleted_in_code(entry):
    entry.amount = 5
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        LedgerEntry.objects.filter(pk=entry.pk).update(amount=5)
    with pytest.raises(AppendOnlyError):
        LedgerEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(AppendOnlyError):
        LedgerEntry.objects.bulk_update([entry], ["amount"])
    entry.refresh_from_db()
    assert entry.amount == -1


def test_the_database_refuses_updates_and_deletes_even_in_raw_sql(entry):
    table = LedgerEntry._meta.db_table
    for sql in (f"UPDATE {table} SET amount = 5 WHERE id = %s", f"DELETE FROM {table} WHERE id = %s"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [entry.pk])
    assert LedgerEntry.objects.get(pk=entry.pk).amount == -1


def test_entries_cannot_be_added_edited_or_deleted_in_the_admin(client, manager, admin_user, entry):
    for user in (manager, admin_user):
        client.force_login(user)
        change_url = reverse("admin:credits_ledgerentry_change", args=[entry.pk])
        page = client.get(change_url)
        assert page.status_code == 200  # readable
        assert 'name="_save"' not in page.content.decode()
        assert client.post(change_url, {"amount": "5", "note": "x"}).status_code == 403
        assert client.post(reverse("admin:credits_ledgerentry_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
        assert client.get(reverse("admin:credits_ledgerentry_add")).status_code == 403
        changelist = client.post(reverse("admin:credits_ledgerentry_changelist"),
                                 {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"})
        assert changelist.status_code in (200, 302)
    assert LedgerEntry.objects.get(pk=entry.pk).amount == -1 and LedgerEntry.objects.count() == 2


def test_the_ledger_list_filters_and_searches(client, manager, entry, student):
    client.force_login(manager)
    url = reverse("admin:credits_ledgerentry_changelist")
    assert client.get(url, {"kind__exact": EntryKind.CONSUME}).status_code == 200
    page = client.get(url, {"q": student.email})
    assert page.status_code == 200 and student.email in page.content.decode()
    assert client.get(url, {"q": "42"}).status_code == 200
