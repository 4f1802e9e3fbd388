"""The student page written from its frame (portal/admin_shell.py) is the page the templates write, byte for byte
but the CSRF token, whoever looks and whatever the student is called; and a page that could differ (a message to
show, list filters to preserve) still comes from the templates."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from accounts.tests.factories import ManagerFactory, StudentFactory
from portal import admin_shell
from portal.tests.test_admin_spanish import pair_with_a_session
from scheduling.tests.helpers import at

pytestmark = pytest.mark.django_db
NOW = at("2027-01-10 12:00")


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


def _page(client, url, *, framed: bool, monkeypatch) -> str:
    monkeypatch.setattr(admin_shell, "ENABLED", framed)
    response = client.get(url)
    assert response.status_code == 200
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", response.content.decode())


def _both_ways(client, url, monkeypatch) -> str:
    admin_shell._FRAMES.clear()
    from_templates = _page(client, url, framed=False, monkeypatch=monkeypatch)
    framing = _page(client, url, framed=True, monkeypatch=monkeypatch)  # writes the frame
    framed = _page(client, url, framed=True, monkeypatch=monkeypatch)  # reads it
    assert admin_shell._FRAMES, "the page was written from a frame"
    assert framing == from_templates
    assert framed == from_templates
    return framed


@pytest.fixture
def paired(student, mentor, manager):
    pair_with_a_session(student, mentor, manager)


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_framed_student_page_is_the_templates_page(client, manager, student, paired, monkeypatch, language):
    manager.language = language
    manager.save(update_fields=["language"])
    client.force_login(manager)
    page = _both_ways(client, reverse("admin:mentorship_studentaccount_change", args=[student.pk]), monkeypatch)
    assert f'<html lang="{language}"' in page and "Sam Student" in page
    # Another student, with a name to escape and to cut in the breadcrumbs, from the same frame.
    other = StudentFactory(full_name="<b>Zoë</b> & " + " ".join(f"w{i}" for i in range(30)))
    page = _both_ways(client, reverse("admin:mentorship_studentaccount_change", args=[other.pk]), monkeypatch)
    assert "&lt;b&gt;Zoë&lt;/b&gt; &amp; w0" in page and f"/{other.pk}/reassign/" in page


def test_a_viewer_without_the_managers_permissions_gets_their_own_frame(client, manager, student, monkeypatch):
    viewer = ManagerFactory(full_name="", email="viewer@example.com")
    viewer.groups.clear()  # a staff member who may only look at students
    viewer.user_permissions.add(Permission.objects.get(codename="view_studentaccount"))
    client.force_login(viewer)
    url = reverse("admin:mentorship_studentaccount_change", args=[student.pk])
    page = _both_ways(client, url, monkeypatch)
    assert "<strong>viewer@example.com</strong>" in page  # no first name: the user name
    assert "?student=" not in page  # no dashboard among the tools (and the manager's frame has one)
    client.force_login(manager)
    assert f"?student={student.pk}" in _both_ways(client, url, monkeypatch)


def test_a_page_with_a_message_or_list_filters_comes_from_the_templates(client, manager, student, monkeypatch):
    client.force_login(manager)
    url = reverse("admin:mentorship_studentaccount_change", args=[student.pk])
    admin_shell._FRAMES.clear()
    filtered = client.get(url, {"_changelist_filters": "plan=none"}).content.decode()
    assert "_changelist_filters=plan%3Dnone" in filtered and not admin_shell._FRAMES

    from django.contrib.messages import constants
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.http import HttpResponse
    from django.test import RequestFactory

    storage = CookieStorage(RequestFactory().get("/"))
    storage.add(constants.SUCCESS, "Sam is now paired.")
    carrier = HttpResponse()
    storage.update(carrier)
    client.cookies[storage.cookie_name] = carrier.cookies[storage.cookie_name].value
    page = client.get(url).content.decode()
    assert '<ul class="messagelist">' in page and "Sam is now paired." in page
    assert not admin_shell._FRAMES
    assert '<ul class="messagelist">' not in client.get(url).content.decode()  # shown once
