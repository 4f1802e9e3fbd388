import pytest
from django.urls import reverse

from accounts.models import Role

pytestmark = pytest.mark.django_db


def test_a_manager_cannot_set_passwords_or_grant_staff(client, manager, student):
    client.force_login(manager)
    assert client.get(reverse("admin:auth_user_password_change", args=[student.pk])).status_code == 403

    response = client.post(
        reverse("admin:accounts_user_change", args=[student.pk]),
        {"email": student.email, "full_name": "Renamed", "timezone": "UTC", "role": "manager",
         "is_active": "on", "is_staff": "on", "is_superuser": "on"},
    )
    student.refresh_from_db()
    assert response.status_code == 200  # "manager" is not a choice for them: the form shows the error
    assert "Select a valid choice" in response.content.decode()
    assert (student.role, student.is_staff, student.is_superuser) == (Role.STUDENT, False, False)


def test_a_manager_can_turn_a_student_into_a_mentor(client, manager, student):
    client.force_login(manager)
    response = client.post(
        reverse("admin:accounts_user_change", args=[student.pk]),
        {"email": student.email, "full_name": student.full_name, "timezone": "UTC", "role": "mentor",
         "is_active": "on"},
    )
    assert response.status_code == 302
    student.refresh_from_db()
    assert student.role == Role.MENTOR and not student.is_staff
