"""The admin index: its "My actions" read through the site's compiled query, and its list of apps kept per set of
permissions, write what Django's template and tags write."""

import re

import pytest
from django.contrib.admin.models import CHANGE, DELETION, LogEntry
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from accounts.tests.factories import ManagerFactory
from config import admin_site
from mentorship.models import StudentAccount

pytestmark = pytest.mark.django_db


def _page(client) -> str:
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", response.content.decode())


def test_my_actions_are_the_ones_djangos_tag_reads(client, manager, student, monkeypatch):
    ct = ContentType.objects.get_for_model(StudentAccount, for_concrete_model=False)
    for i, flag in enumerate([CHANGE, DELETION] * 6):
        LogEntry.objects.create(user=manager, content_type=ct, object_id=str(student.pk), action_flag=flag,
                                object_repr=f"<Sam> {i}", change_message="[]")
    LogEntry.objects.create(user=ManagerFactory(), content_type=ct, object_id=str(student.pk), action_flag=CHANGE,
                            object_repr="someone else's", change_message="[]")
    client.force_login(manager)
    page = _page(client)
    assert page.count('<li class="changelink">') == 5 and page.count('<li class="deletelink">') == 5
    assert "&lt;Sam&gt; 11" in page and "someone else" not in page
    monkeypatch.setattr(admin_site, "_LogEntries", lambda queryset: queryset)  # Django's own read
    assert _page(client) == page


def test_the_list_of_apps_follows_each_users_permissions(client, manager):
    client.force_login(manager)
    admin_site._APP_LISTS.clear()
    full = _page(client)
    assert _page(client) == full and len(admin_site._APP_LISTS) == 1
    viewer = ManagerFactory()
    viewer.groups.clear()
    viewer.user_permissions.add(Permission.objects.get(codename="view_studentaccount"))
    client.force_login(viewer)
    narrow = _page(client)
    assert len(admin_site._APP_LISTS) == 2
    assert "/admin/mentorship/studentaccount/" in narrow and "/admin/scheduling/session/" not in narrow
    assert "/admin/scheduling/session/" in full
    viewer.user_permissions.add(Permission.objects.get(codename="view_session", content_type__app_label="scheduling"))
    assert "/admin/scheduling/session/" in _page(client)
