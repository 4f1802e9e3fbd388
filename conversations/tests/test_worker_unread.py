"""End to end through Redis and a real Celery worker: the beat task queues the
email once, the worker delivers it, and a repeated sweep sends nothing more."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.tests.factories import MentorFactory, StudentFactory
from conversations import services
from conversations.models import Membership
from conversations.tasks import unread_sweep
from conversations.tests.conftest import send
from mentorship.models import MentorAssignment

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_unread_messages_reach_the_mailbox_once(celery_worker):
    student = StudentFactory(full_name="Sam Student")
    mentor = MentorFactory(full_name="Ada Mentor")
    now = timezone.now()
    MentorAssignment.objects.create(student=student, mentor=mentor, started_at=now - timedelta(days=1))
    thread = services.thread_open(user=student, other=mentor, now=now - timedelta(minutes=20))
    for n in range(5):
        send(thread, student, f"Quick message {n}", now=now - timedelta(minutes=15, seconds=-n))

    for _ in range(3):  # beat firing more than once, or two beats by mistake
        unread_sweep.delay()
    (mail,) = celery_worker.wait_for_mail(lambda m: m["To"] == mentor.email)
    assert mail["Subject"] == "5 new messages from Sam Student"
    time.sleep(2)  # let the repeated sweeps run
    assert len([m for m in celery_worker.messages() if m["To"] == mentor.email]) == 1
    assert Membership.objects.get(thread=thread, user=mentor).notified_at is not None
