"""Success managers read conversations read-only, each opening recorded with its reason."""

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from conversations.models import Message, Thread
from conversations.tests.conftest import send

pytestmark = pytest.mark.django_db


def change_url(thread):
    return reverse("admin:conversations_thread_change", args=[thread.pk])


def reads(thread):
    return list(LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(Thread),
                                        object_id=str(thread.pk)).order_by("pk"))


def test_a_manager_reads_a_thread_only_after_giving_a_reason_and_each_read_is_logged(client, manager, thread,
                                                                                       student, mentor):
    send(thread, student, "Something private about my plans")
    client.force_login(manager)
    listing = client.get(reverse("admin:conversations_thread_changelist"))
    assert listing.status_code == 200 and "Sam Student" in listing.content.decode()
    assert "Something private" not in listing.content.decode()

    ask = client.get(change_url(thread))
    assert ask.status_code == 200 and "Why are you opening this conversation?" in ask.content.decode()
    assert "Something private" not in ask.content.decode() and not reads(thread)

    refused = client.post(change_url(thread), {"reason": "  "})
    assert refused.status_code == 400 and "Give a reason" in refused.content.decode()
    assert not reads(thread)

    opened = client.post(change_url(thread), {"reason": "Student reported a problem with the mentor"})
    assert opened.status_code == 200 and "Something private about my plans" in opened.content.decode()
    client.post(change_url(thread), {"reason": "Follow-up after the call"})
    logged = reads(thread)
    assert [(e.user, e.get_change_message()) for e in logged] == [
        (manager, "Read the conversation. Reason: Student reported a problem with the mentor"),
        (manager, "Read the conversation. Reason: Follow-up after the call"),
    ]
    history = client.get(reverse("admin:conversations_thread_history", args=[thread.pk]))
    assert "Follow-up after the call" in history.content.decode()


def test_managers_cannot_change_or_delete_threads(client, manager, thread, student):
    send(thread, student, "Keep me")
    client.force_login(manager)
    assert client.post(reverse("admin:conversations_thread_delete", args=[thread.pk]), {"post": "yes"}).status_code \
        == 403
    assert client.get(reverse("admin:conversations_thread_add")).status_code == 403
    assert Thread.objects.count() == 1 and Message.objects.count() == 1


@pytest.mark.parametrize("who", ["student", "mentor"])
def test_the_people_in_the_thread_cannot_use_the_admin_view(client, thread, student, mentor, who):
    client.force_login(student if who == "student" else mentor)
    response = client.post(change_url(thread), {"reason": "curious"})
    assert response.status_code == 302 and "/admin/login/" in response.url
    assert not reads(thread)
