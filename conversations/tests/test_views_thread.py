"""Students and mentors write to each other in one thread per pair; only the two of them see it."""

import html
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from accounts.tests.factories import MentorFactory, StudentFactory
from conversations import selectors, services
from conversations.models import Membership, Message, Thread
from conversations.tests.conftest import send
from scheduling import flash
from scheduling import services as scheduling_services
from scheduling.tests.helpers import bookable_mentor, give_credits

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html.unescape(response.content.decode())


def url(name, *args):
    return reverse(f"conversations:{name}", args=args)


def post_message(client, thread, body, key=None, **extra):
    return client.post(url("send", thread.pk), {"body": body, "submit_key": str(key or uuid.uuid4()), **extra})


@pytest.fixture
def session(paired, student, mentor):
    service = bookable_mentor(mentor, hours=range(24))
    give_credits(student, 4)
    now = timezone.now()
    start = (now + timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    return scheduling_services.booking_create(student=student, mentor=mentor, service=service, starts_at=start,
                                              actor=student, now=now)


def test_message_your_mentor_from_the_session_page_names_the_session(client, student, mentor, session):
    client.force_login(student)
    page = text(client.get(reverse("scheduling:session-detail", args=[session.pk])))
    link = f"{url('with', mentor.pk)}?session={session.pk}"
    assert "Message your mentor" in page and link in page

    compose = client.get(link)
    assert compose.status_code == 200 and "About the session" in text(compose)
    assert not Thread.objects.exists()  # opening the page makes nothing
    response = client.post(link, {"body": "Can we focus on testing?", "submit_key": str(uuid.uuid4()),
                                  "session": session.pk})
    thread = Thread.objects.get()
    message = Message.objects.get()
    assert response.status_code == 302 and response.url == f"{url('thread', thread.pk)}#message-{message.pk}"
    assert (thread.student, thread.mentor, message.sender, message.about_session) == (student, mentor, student,
                                                                                       session)
    page = text(client.get(url("thread", thread.pk)))
    assert "Can we focus on testing?" in page and f"About the session {session.service.name}" in page
    # The booking is part of the story, in the reader's own zone (New York).
    local = timezone.localtime(session.starts_at, student.tzinfo)
    assert f"Booked: {session.service.name}, {local:%a} {local.day} {local:%b %Y, %H:%M}" in strip_tags(page)


def test_the_mentor_sees_the_unread_count_and_reading_clears_it(client, thread, student, mentor):
    send(thread, student, "First")
    send(thread, student, "Second")
    client.force_login(mentor)
    inbox = client.get(url("inbox"))
    assert inbox.context["inbox_unread"] == 2
    assert 'data-testid="inbox-unread">2<' in inbox.content.decode()
    assert 'data-testid="thread-unread">2<' in inbox.content.decode()
    assert "Second" in text(inbox) and "Sam Student" in text(inbox)

    student_read_at = Membership.objects.get(thread=thread, user=student).last_read_at
    page = client.get(url("thread", thread.pk))
    assert [e.message.body for e in page.context["entries"] if e.kind == "message"] == ["First", "Second"]
    read = Membership.objects.get(thread=thread, user=mentor)
    assert (read.unread_count, read.unread_since) == (0, None) and read.last_read_at > read.last_incoming_at
    assert Membership.objects.get(thread=thread, user=student).last_read_at == student_read_at  # not their row
    assert client.get(url("inbox")).context["inbox_unread"] == 0

    response = post_message(client, thread, "Got both, thanks")
    assert response.status_code == 302
    assert Membership.objects.get(thread=thread, user=student).unread_count == 1
    client.force_login(student)
    assert client.get(url("inbox")).context["inbox_unread"] == 1


def test_a_double_submit_sends_one_message(client, thread, student):
    client.force_login(student)
    key = uuid.uuid4()
    first = post_message(client, thread, "Only once please", key)
    second = post_message(client, thread, "Only once please", key)
    assert first.status_code == second.status_code == 302 and first.url == second.url
    assert Message.objects.count() == 1
    assert Membership.objects.exclude(user=student).get().unread_count == 1


def test_links_become_clickable_and_html_stays_text(client, thread, student, mentor):
    send(thread, student, 'See https://example.com/plan?a=1&b=2 <script>alert("x")</script> <b>bold</b>')
    client.force_login(mentor)
    body = client.get(url("thread", thread.pk)).content.decode()
    assert '<a href="https://example.com/plan?a=1&amp;b=2" rel="nofollow">https://example.com/plan?a=1&amp;b=2</a>' \
        in body
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in body and "<b>bold</b>" not in body
    assert "<script>alert" not in body


def test_too_long_or_empty_messages_get_a_clear_message_and_nothing_is_sent(client, thread, student):
    client.force_login(student)
    response = post_message(client, thread, "x" * 4001)
    assert response.status_code == 400
    assert "Messages can be up to 4,000 characters; yours has 4001" in text(response)
    assert "x" * 4001 in text(response)  # the text is kept to shorten
    response = post_message(client, thread, "   \n  ")
    assert response.status_code == 400 and "Write something before sending." in text(response)
    assert not Message.objects.exists()


def test_sending_is_rate_limited_per_user(client, thread, student, mentor):
    client.force_login(student)
    for n in range(10):
        assert post_message(client, thread, f"Message {n}").status_code == 302
    response = post_message(client, thread, "One too many")
    assert response.status_code == 429
    assert "You've sent 10 messages in the last minute" in text(response)
    assert Message.objects.count() == 10
    # The limit is the sender's: the mentor can still answer.
    client.force_login(mentor)
    assert post_message(client, thread, "Slow down, I'm here").status_code == 302


def test_blocking_stops_the_other_side_writing_and_tells_the_managers(client, thread, student, mentor, manager):
    from accounts.models import OutboundEmail

    send(thread, student, "Hi")
    client.force_login(mentor)
    response = client.post(url("block", thread.pk), {"reason": "Off-topic messages at night"}, follow=True)
    assert "Blocked." in text(response)
    thread.refresh_from_db()
    assert thread.blocked_by == mentor and thread.block_reason == "Off-topic messages at night"
    mail = OutboundEmail.objects.get(kind="conversation_blocked")
    assert mail.recipient == manager and "Off-topic messages at night" in mail.body_text
    assert reverse("admin:conversations_thread_change", args=[thread.pk]) in mail.body_text

    client.force_login(student)
    page = text(client.get(url("thread", thread.pk)))
    assert "no new messages can be sent" in page and 'name="body"' not in page
    response = post_message(client, thread, "Still there?")
    assert response.status_code == 409 and "This conversation is blocked" in text(response)
    assert client.post(url("unblock", thread.pk), follow=True).status_code == 200
    thread.refresh_from_db()
    assert thread.is_blocked  # only the person who blocked can unblock
    assert Message.objects.count() == 1

    client.force_login(mentor)
    client.post(url("unblock", thread.pk))
    thread.refresh_from_db()
    assert not thread.is_blocked
    client.force_login(student)
    assert post_message(client, thread, "Sorry about that").status_code == 302


def test_a_student_cannot_start_a_thread_with_an_arbitrary_mentor(client, student):
    other_mentor = MentorFactory()
    client.force_login(student)
    assert client.get(url("with", other_mentor.pk)).status_code == 404
    response = client.post(url("with", other_mentor.pk), {"body": "Hi!", "submit_key": str(uuid.uuid4())})
    assert response.status_code == 404
    assert not Thread.objects.exists() and not Message.objects.exists()


def test_a_past_mentor_is_still_reachable(client, paired, student, mentor):
    paired.ended_at = timezone.now()
    paired.save()
    client.force_login(mentor)
    response = client.post(url("with", student.pk), {"body": "How is the new mentor?", "submit_key": str(uuid.uuid4())})
    assert response.status_code == 302 and Thread.objects.get().mentor == mentor


@pytest.mark.parametrize("who", ["other_student", "other_mentor", "anonymous"])
def test_strangers_get_404_for_the_thread_its_post_and_its_messages(client, thread, student, mentor, who):
    send(thread, student, "Private")
    if who != "anonymous":
        client.force_login((StudentFactory if who == "other_student" else MentorFactory)())
    assert client.get(url("thread", thread.pk)).status_code == 404
    assert client.get(url("messages", thread.pk)).status_code == 404
    assert post_message(client, thread, "Intruder").status_code == 404
    assert client.post(url("block", thread.pk)).status_code == 404
    assert client.post(url("unblock", thread.pk)).status_code == 404
    assert client.get(url("with", mentor.pk)).status_code == 404
    assert Message.objects.count() == 1 and not Thread.objects.get().is_blocked
    assert Membership.objects.get(thread=thread, user=mentor).unread_count == 1  # nobody read it


def test_wrong_methods_are_refused(client, thread, student):
    client.force_login(student)
    assert client.get(url("send", thread.pk)).status_code == 405
    assert client.get(url("block", thread.pk)).status_code == 405
    assert client.post(url("thread", thread.pk)).status_code == 405


def test_the_inbox_is_newest_first_searchable_by_name_and_paged(client, mentor):
    students = []
    for n in range(23):
        s = StudentFactory(full_name=f"Student {n:02d}")
        students.append(s)
        from mentorship.models import MentorAssignment

        MentorAssignment.objects.create(student=s, mentor=mentor, started_at=timezone.now(), ended_at=None) \
            if n == 0 else None
        t = Thread.objects.create(student=s, mentor=mentor, created_at=timezone.now())
        Membership.objects.bulk_create([Membership(thread=t, user=s), Membership(thread=t, user=mentor)])
        send(t, s, f"Hello from {n:02d}", now=timezone.now() + timedelta(seconds=n))
    client.force_login(mentor)
    first = client.get(url("inbox"))
    rows = [m.thread.student.full_name for m in first.context["page"].object_list]
    assert rows[:2] == ["Student 22", "Student 21"] and len(rows) == 20
    second = client.get(url("inbox"), {"page": 2})
    assert [m.thread.student.full_name for m in second.context["page"].object_list] == [
        "Student 02", "Student 01", "Student 00"]
    found = client.get(url("inbox"), {"q": "student 07"})
    assert [m.thread.student.full_name for m in found.context["page"].object_list] == ["Student 07"]
    # Searching one's own name finds nothing: only the other person's name counts.
    assert not client.get(url("inbox"), {"q": mentor.full_name}).context["page"].object_list


def test_the_thread_page_costs_the_same_queries_with_3_or_40_messages(client, thread, student, mentor, session,
                                                                     django_assert_max_num_queries,
                                                                     django_assert_num_queries):
    for n in range(3):
        send(thread, student if n % 2 else mentor, f"Short {n}", about_session=session)
    client.force_login(student)
    with django_assert_max_num_queries(15) as small:
        assert client.get(url("thread", thread.pk)).status_code == 200
    for n in range(37):
        send(thread, student if n % 2 else mentor, f"More {n} https://example.com/{n}", about_session=session,
             now=timezone.now() - timedelta(minutes=2 * (37 - n)))
    scheduling_services.session_reschedule(session=session, new_starts_at=session.starts_at + timedelta(days=1),
                                           actor=student, now=timezone.now())
    with django_assert_num_queries(len(small.captured_queries)):
        page = client.get(url("thread", thread.pk))
    assert page.context["message_count"] == 40
    assert [e.event.kind for e in page.context["entries"] if e.kind == "session"] == ["booked", "rescheduled"]


def test_the_mentor_gets_a_message_link_on_the_session_page_too(client, session, mentor, student):
    client.force_login(mentor)
    page = text(client.get(reverse("scheduling:session-detail", args=[session.pk])))
    assert "Message Sam" in page and f"{url('with', student.pk)}?session={session.pk}" in page


def test_long_threads_show_the_latest_messages_and_earlier_ones_a_page_back(client, thread, student, mentor):
    base = timezone.now() - timedelta(hours=3)
    for n in range(60):
        send(thread, student if n % 2 else mentor, f"Number {n:02d}", now=base + timedelta(minutes=2 * n))
    client.force_login(student)
    page = client.get(url("thread", thread.pk))
    shown = [e.message.body for e in page.context["entries"] if e.kind == "message"]
    assert shown[0] == "Number 10" and shown[-1] == "Number 59" and len(shown) == 50
    earlier_link = f"{url('messages', thread.pk)}?before={page.context['earliest_id']}"
    assert earlier_link in page.content.decode()
    earlier = client.get(earlier_link)
    assert [e.message.body for e in earlier.context["entries"] if e.kind == "message"] == [
        f"Number {n:02d}" for n in range(10)]
    assert not earlier.context["has_earlier"] and 'name="body"' not in earlier.content.decode()


def test_flash_steps_read_in_order_in_the_thread(client, thread, student, mentor, session):
    from scheduling import flash

    now = timezone.now()
    start = session.starts_at + timedelta(days=1)
    request = flash.flash_request_create(student=student, mentor=mentor, service=session.service, starts_at=start,
                                         topic="Extra session", message="", now=now)
    flash.flash_counter(request=request, mentor=mentor, starts_at=start + timedelta(hours=2), note="Later?",
                        now=now + timedelta(minutes=5))
    flash.flash_counter_decline(request=request, student=student, now=now + timedelta(minutes=9))
    send(thread, student, "Sorry, that time doesn't work", now=now + timedelta(minutes=10))
    client.force_login(mentor)
    entries = client.get(url("thread", thread.pk)).context["entries"]
    assert [(e.kind, e.flash_step or getattr(e.event, "kind", "")) for e in entries] == [
        ("session", "booked"), ("flash", "requested"), ("flash", "countered"), ("flash", "counter_declined"),
        ("message", "")]


def test_a_refused_first_message_leaves_no_empty_thread(client, paired, student, mentor, monkeypatch):
    monkeypatch.setattr(services, "RATE_LIMITS", ((timedelta(minutes=1), 0),))
    client.force_login(student)
    response = client.post(url("with", mentor.pk), {"body": "Hello", "submit_key": str(uuid.uuid4())})
    assert response.status_code == 409 and "Wait a little, then send again" in text(response)
    assert not Thread.objects.exists() and not Message.objects.exists()


def test_the_inbox_costs_the_same_queries_with_3_or_30_threads(client, mentor, django_assert_max_num_queries,
                                                               django_assert_num_queries):
    def add_threads(n):
        for _ in range(n):
            s = StudentFactory()
            t = Thread.objects.create(student=s, mentor=mentor, created_at=timezone.now())
            Membership.objects.bulk_create([Membership(thread=t, user=s), Membership(thread=t, user=mentor)])
            send(t, s, "Hello")

    add_threads(3)
    client.force_login(mentor)
    with django_assert_max_num_queries(10) as small:
        assert client.get(url("inbox")).status_code == 200
    add_threads(27)
    with django_assert_num_queries(len(small.captured_queries)):
        page = client.get(url("inbox"))
    assert len(page.context["page"].object_list) == 20 and page.context["inbox_unread"] == 30


def test_events_and_flash_requests_are_read_only_when_the_two_have_any(client, thread, student, mentor):
    """The thread's read says whether there are any (story_flags); the story is the same either way."""
    send(thread, student, "Hello")
    client.force_login(student)

    def read():
        with CaptureQueriesContext(connection) as captured:
            page = client.get(url("thread", thread.pk))
        flagged = selectors.my_thread(student, thread.pk)
        plain = Thread.objects.select_related("student", "mentor").get(pk=thread.pk)
        as_read = [(e.kind, e.at, e.flash_step) for e in page.context["entries"]]
        assert as_read == [(e.kind, e.at, e.flash_step) for e in
                           selectors.thread_story(plain, viewer=student, now=timezone.now())["entries"]]
        return len(captured), (flagged.any_events, flagged.any_requests), [e.kind for e in page.context["entries"]]

    bare, flags, kinds = read()
    assert flags == (False, False) and kinds == ["message"]
    service = bookable_mentor(mentor, hours=range(24))
    give_credits(student, 4)
    now = timezone.now()
    start = (now + timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    scheduling_services.booking_create(student=student, mentor=mentor, service=service, starts_at=start,
                                       actor=student, now=now)
    n, flags, kinds = read()
    assert flags == (True, False) and sorted(kinds) == ["message", "session"] and n == bare + 1
    flash.flash_request_create(student=student, mentor=mentor, service=service, starts_at=start + timedelta(days=1),
                               topic="Extra session", message="", now=timezone.now())
    n, flags, kinds = read()
    assert flags == (True, True) and "flash" in kinds and n == bare + 2
    assert selectors.my_thread(StudentFactory(), thread.pk) is None
    assert selectors.my_thread(mentor, thread.pk).pk == thread.pk
