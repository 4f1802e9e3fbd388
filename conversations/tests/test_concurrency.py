"""Races on real PostgreSQL connections: one submit, one message; the rate limit holds under load;
two people opening the same thread at once get the same thread."""

import uuid
from datetime import UTC, datetime

import pytest

from accounts.tests.factories import MentorFactory, StudentFactory
from conversations import services
from conversations.errors import RateLimited
from conversations.models import Membership, Message, Thread
from mentorship.models import MentorAssignment
from scheduling.tests.test_concurrency import run_together

pytestmark = pytest.mark.django_db(transaction=True)
NOW = datetime(2027, 3, 10, 12, 0, tzinfo=UTC)


@pytest.fixture
def pair():
    student, mentor = StudentFactory(), MentorFactory()
    MentorAssignment.objects.create(student=student, mentor=mentor, started_at=NOW, reason="Match")
    return student, mentor


def test_eight_copies_of_one_submit_make_one_message(pair):
    student, mentor = pair
    thread = services.thread_open(user=student, other=mentor, now=NOW)
    key = uuid.uuid4()
    outcomes = run_together([
        lambda: services.message_send(thread=thread, sender=student, body="Once", submit_key=key, now=NOW)
        for _ in range(8)
    ])
    assert all(isinstance(o, Message) for o in outcomes), outcomes
    assert len({o.pk for o in outcomes}) == 1 and Message.objects.count() == 1
    assert Membership.objects.get(thread=thread, user=mentor).unread_count == 1


def test_the_rate_limit_holds_when_requests_race(pair):
    student, mentor = pair
    thread = services.thread_open(user=student, other=mentor, now=NOW)
    outcomes = run_together([
        (lambda n=n: services.message_send(thread=thread, sender=student, body=f"Spam {n}", submit_key=uuid.uuid4(),
                                           now=NOW))
        for n in range(14)
    ])
    assert sum(isinstance(o, Message) for o in outcomes) == 10
    assert sum(isinstance(o, RateLimited) for o in outcomes) == 4
    assert Membership.objects.get(thread=thread, user=mentor).unread_count == 10


def test_both_sides_opening_the_thread_at_once_share_one(pair):
    student, mentor = pair
    outcomes = run_together([
        lambda: services.message_start(sender=student, other=mentor, body="Hi Ada", submit_key=uuid.uuid4(), now=NOW),
        lambda: services.message_start(sender=mentor, other=student, body="Hi Sam", submit_key=uuid.uuid4(), now=NOW),
    ])
    assert all(isinstance(o, Message) for o in outcomes), outcomes
    assert Thread.objects.count() == 1 and Message.objects.filter(thread=Thread.objects.get()).count() == 2
