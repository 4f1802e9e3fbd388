"""The demo has conversations: read and unread threads, and a flash thread with a meeting request."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import OutboundEmail, User
from conversations import notifications
from conversations.models import Membership, Message, Thread

pytestmark = pytest.mark.django_db


def test_seeding_makes_threads_unread_ones_and_a_flash_thread_once(capsys):
    call_command("seed_demo")
    assert "Demo conversations:" in capsys.readouterr().out
    counts = (Thread.objects.count(), Message.objects.count())
    call_command("seed_demo")
    assert (Thread.objects.count(), Message.objects.count()) == counts  # safe to run again

    sam = User.objects.get(email="sam@example.com")
    sams = Membership.objects.get(user=sam, thread__mentor__email="ada@example.com")
    assert sams.unread_count == 1  # Ada's latest message waits for Sam
    assert Message.objects.filter(thread=sams.thread, about_session__isnull=False).exists()
    olivias_mentor = Membership.objects.get(thread__student__email="olivia@example.com", user__role="mentor")
    assert olivias_mentor.unread_count == 2  # Olivia's two messages wait for her mentor
    flash_message = Message.objects.get(flash_request__isnull=False)
    assert flash_message.thread.student == flash_message.flash_request.student
    assert flash_message.flash_request.status == "pending"
    # The demo people have no real inboxes: the sweep finds nothing to send.
    assert notifications.unread_sweep(now=timezone.now()) == 0
    assert not OutboundEmail.objects.filter(kind="conversation_unread").exists()
