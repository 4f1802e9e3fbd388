"""Demo conversations, written through the real services: threads between the
demo students and their mentors (some unread), and a flash thread where a
student sent a message with a meeting request.

Safe to run again: nothing is added once demo threads exist. Unread threads
are marked as already emailed, so the sweep sends the demo people nothing.
"""

import uuid
from datetime import timedelta

from django.utils import timezone

from accounts.models import Role
from mentorship.selectors import current_mentor
from scheduling.errors import SchedulingError
from scheduling.models import ServiceType, Session, SessionStatus
from scheduling.selectors import free_slot_starts

from . import services
from .errors import ConversationError
from .models import Membership, Thread

SCRIPTS = [
    # (student, [(minutes ago, "s" | "m", text)]); the mentor is the student's current one.
    ("sam@example.com", [
        (3 * 24 * 60, "s", ("Hi Ada! Before our next session: could we look at my project plan? It's at "
                            "https://github.com/example/sam-budget-app")),
        (3 * 24 * 60 - 45, "m", ("Of course. Push your latest branch and write down the two questions you're "
                                 "most stuck on.")),
        (2 * 24 * 60, "s", "Done — the questions are in the README."),
        (90, "m", ("Read them, good questions. Have a look at https://docs.python.org/3/library/unittest.html "
                   "before we meet.")),
    ]),
    ("olivia@example.com", [
        (26 * 60, "m", "Welcome aboard, Olivia! How do you like to communicate between sessions?"),
        (25 * 60, "s", "Messages here are perfect, thanks. I may be a few minutes late on Tuesday."),
        (40, "s", "Also: could we spend part of the next session on interview practice?"),
    ]),
    ("priya@example.com", [
        (5 * 24 * 60, "s", "Thanks for today! The SQL window functions finally make sense."),
        (5 * 24 * 60 - 30, "m", "Great work. Try the exercises in chapter 4 and tell me how it goes."),
    ]),
]


def seed(*, users, stdout):
    demo_people = list(users.values())
    if Thread.objects.filter(student__in=demo_people).exists():
        return
    now = timezone.now()
    made = 0
    for email, lines in SCRIPTS:
        student = users.get(email)
        mentor = student and current_mentor(student)
        if mentor is None:
            continue
        thread = services.thread_open(user=student, other=mentor, now=now - timedelta(minutes=lines[0][0] + 1))
        upcoming = (Session.objects.filter(student=student, mentor=mentor, status=SessionStatus.SCHEDULED,
                                           starts_at__gt=now).order_by("starts_at").first())
        for index, (ago, who, text) in enumerate(lines):
            services.message_send(thread=thread, sender=student if who == "s" else mentor, body=text,
                                  submit_key=uuid.uuid4(), now=now - timedelta(minutes=ago),
                                  about_session=upcoming if index == 0 else None)
            made += 1
    made += _flash_thread(users, now)
    # Unread threads count as emailed already: demo people have no inboxes.
    Membership.objects.filter(thread__student__in=demo_people, unread_count__gt=0).update(notified_at=now)
    stdout.write(f"Demo conversations: {made} messages.")


def _flash_thread(users, now) -> int:
    """A student writes to a mentor who is not theirs, with a meeting request."""
    mentors = [u for u in users.values() if u.role == Role.MENTOR]
    students = [users[e] for e in ("lucas@example.com", "priya@example.com", "olivia@example.com",
                                   "sam@example.com") if e in users]
    service = ServiceType.objects.filter(name="Career guidance").first() or ServiceType.objects.first()
    if service is None:
        return 0
    asked_at = now - timedelta(hours=1)
    for student in students:
        for mentor in mentors:
            if mentor == current_mentor(student) or Thread.objects.filter(student=student, mentor=mentor).exists():
                continue
            starts = free_slot_starts(mentor=mentor, duration=service.duration, now=now + timedelta(days=2),
                                      student=student)
            if not starts:
                continue
            try:
                services.message_with_flash_request(
                    student=student, mentor=mentor, service=service, starts_at=starts[0], topic="Switching to a "
                    "data career", body=f"Hello {mentor.get_short_name()}, I'm thinking about moving into data "
                    "engineering and your profile fits exactly. Could we meet once to talk it through?",
                    submit_key=uuid.uuid4(), now=asked_at)
            except (SchedulingError, ConversationError):
                continue
            return 1
    return 0
