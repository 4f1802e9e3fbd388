import uuid
from datetime import UTC, datetime

import pytest

from mentorship.models import MentorAssignment


@pytest.fixture
def paired(student, mentor):
    """Sam and Ada: a current pairing, the usual reason to talk."""
    return MentorAssignment.objects.create(student=student, mentor=mentor, started_at=datetime.now(UTC),
                                           reason="Matched by shared hours")


@pytest.fixture
def thread(paired, student, mentor):
    from conversations import services

    return services.thread_open(user=student, other=mentor, now=datetime.now(UTC))


def send(thread, sender, body="Hello", *, now=None, key=None, **extra):
    from conversations import services

    return services.message_send(thread=thread, sender=sender, body=body, submit_key=key or uuid.uuid4(),
                                 now=now or datetime.now(UTC), **extra)
