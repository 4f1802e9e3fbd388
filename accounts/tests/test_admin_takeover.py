"""A success manager cannot take over an account: the login email, and so the
password reset, stays with the person. Superusers may change it, on the record."""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from accounts.models import OutboundEmail, User
from accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
ATTACKER = "attacker@evil.example"


def _change_form(user, **overrides):
    data = {"email": user.email, "full_name": user.full_name, "timezone": user.timezone, "role": user.role,
            "is_active": "on"}
    data.update(overrides)
    return data


def _history(user):
    return list(LogEntry.objects.filter(object_id=str(user.pk)).values_list("change_message", flat=True))


def test_a_manager_changing_the_email_then_resetting_the_password_cannot_log_in_as_the_student(
    client, manager, student, mailoutbox, django_capture_on_commit_callbacks,
):
    client.force_login(manager)
    response = client.post(reverse("admin:accounts_user_change", args=[student.pk]),
                           _change_form(student, email=ATTACKER, full_name="Renamed"), follow=True)
    assert response.status_code == 200
    assert "The login email was not changed" in response.content.decode()
    student.refresh_from_db()
    assert student.email != ATTACKER and student.full_name == "Renamed"  # the rest of the form still saves
    assert not EmailAddress.objects.filter(email__iexact=ATTACKER).exists()
    assert any(message.startswith("Refused:") and ATTACKER in message for message in _history(student))

    # The rest of the takeover: ask for a reset to the new address, then log in.
    client.logout()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": ATTACKER})
    assert not any("/accounts/password/reset/key/" in m.body for m in mailoutbox if ATTACKER in m.to)
    response = client.post(reverse("account_login"), {"login": ATTACKER, "password": PASSWORD})
    assert "_auth_user_id" not in client.session

    # The real person still logs in with their own address and password.
    response = client.post(reverse("account_login"), {"login": student.email, "password": PASSWORD})
    assert client.session["_auth_user_id"] == str(student.pk)


def test_a_manager_cannot_reach_the_email_addresses_or_passwords(client, manager, student):
    client.force_login(manager)
    assert client.get(reverse("admin:account_emailaddress_changelist")).status_code == 403
    assert client.get(reverse("admin:auth_user_password_change", args=[student.pk])).status_code == 403
    page = client.get(reverse("admin:accounts_user_change", args=[student.pk])).content.decode()
    assert 'name="email"' not in page  # shown read-only, not as an input


def test_a_superuser_changes_the_email_on_the_record_and_the_old_address_is_told(
    client, student, django_capture_on_commit_callbacks,
):
    superuser = UserFactory(role="manager", is_superuser=True, is_staff=True)
    old_email = student.email
    client.force_login(superuser)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:accounts_user_change", args=[student.pk]),
                               _change_form(student, email="Sam.New@Example.com"))
    assert response.status_code == 302, response.content.decode()[:3000]
    student.refresh_from_db()
    assert student.email == "sam.new@example.com"
    address = EmailAddress.objects.get(user=student)
    assert (address.email, address.primary, address.verified) == ("sam.new@example.com", True, False)
    assert any(f"from {old_email} to sam.new@example.com" in message for message in _history(student))
    notice = OutboundEmail.objects.get(to_email=old_email, kind="account_email_changed")
    assert "sam.new@example.com" in notice.body_text
    assert User.objects.filter(email=old_email).count() == 0


def test_a_forged_email_with_a_nul_byte_is_refused_and_recorded_without_an_error(client, manager, student):
    client.force_login(manager)
    response = client.post(reverse("admin:accounts_user_change", args=[student.pk]),
                           _change_form(student, email="evil\x00@evil.example"))
    assert response.status_code in (200, 302)
    student.refresh_from_db()
    assert "evil" not in student.email
    assert any("evil@evil.example" in message for message in _history(student))
