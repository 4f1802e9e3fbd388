import pytest
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction

from accounts.models import Role
from accounts.roles import SUCCESS_MANAGERS_GROUP, success_manager_permission_names, sync_success_managers_group
from accounts.services import user_set_role
from accounts.tests.factories import StudentFactory

pytestmark = pytest.mark.django_db


def test_the_database_refuses_staff_students():
    student = StudentFactory()
    student.is_staff = True
    with pytest.raises(IntegrityError), transaction.atomic():
        student.save()


def test_making_someone_a_manager_gives_staff_and_the_group_and_taking_it_back_removes_both():
    user = StudentFactory()
    user_set_role(user=user, role=Role.MANAGER)
    assert user.is_staff and user.groups.filter(name=SUCCESS_MANAGERS_GROUP).exists()
    user_set_role(user=user, role=Role.MENTOR)
    user.refresh_from_db()
    assert not user.is_staff and not user.groups.exists()


def test_the_group_holds_exactly_the_declared_permissions():
    group = sync_success_managers_group()
    held = sorted(f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all())
    assert held == success_manager_permission_names()
    assert "accounts.change_user" in held
    assert not any(name.startswith("auth.") for name in held)  # never the group or permissions themselves
    assert Group.objects.filter(name=SUCCESS_MANAGERS_GROUP).count() == 1
