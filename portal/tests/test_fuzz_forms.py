"""Property: whatever anyone posts to any form — arbitrary text (NUL bytes
included), huge numbers, dates from year 1 to 9999 — the answer is never a 500,
and when the answer is a refusal nothing in the database changed.

Every example posts junk to every form of every role once, so each form is hit
in every example; the number of examples keeps the run well under a minute.
"""

from datetime import UTC, timedelta
from datetime import timezone as dt_timezone

import pytest
from allauth.account.models import EmailAddress
from django.contrib import messages as django_messages
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from accounts.models import OutboundEmail, User
from accounts.tests.factories import ManagerFactory, MentorFactory, StudentFactory
from credits.models import CreditAccount, CreditRequest, Enrolment, LedgerEntry
from mentorship.models import MentorAssignment, MentorProfile, StudentInterest, TimeOff
from mentorship.services import assignment_change
from scheduling import flash, services
from scheduling.models import Feedback, FlashRequest, PauseRequest, Session
from scheduling.tests.helpers import bookable_mentor, give_credits

pytestmark = pytest.mark.django_db

ZONES = [UTC, dt_timezone(timedelta(hours=14)), dt_timezone(timedelta(hours=-12)),
         dt_timezone(timedelta(hours=5, minutes=30))]
EDGES = ["", "\x00", "0001-01-01", "9999-12-31", "0001-01-01T00:00", "9999-12-31T23:59", "9999-12-31T23:30:00-05:00",
         "0001-01-01T00:00:00+14:00", "NaN", "-1", "1e309", "99999999999999999999", "2027-02-30", "null", "on"]
junk = st.one_of(
    st.text(max_size=40),
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.dates().map(lambda d: d.isoformat()),
    st.datetimes(timezones=st.sampled_from(ZONES)).map(lambda d: d.isoformat()),
    st.datetimes().map(lambda d: d.strftime("%Y-%m-%dT%H:%M")),
    st.sampled_from(EDGES),
)
MULTI = {"cell", "skills", "languages", "services"}
# What the database holds, column by column: a refusal must leave all of it as it was.
WATCHED = [User, EmailAddress, Session, LedgerEntry, CreditAccount, Enrolment, CreditRequest, PauseRequest,
           FlashRequest, Feedback, MentorProfile, TimeOff, StudentInterest, MentorAssignment, OutboundEmail]


def snapshot():
    return [list(model.objects.order_by("pk").values_list()) for model in WATCHED]


@pytest.fixture
def world(db):
    now = timezone.now()
    mentor = MentorFactory(timezone="America/New_York")
    service = bookable_mentor(mentor, hours=range(24))
    other_mentor = MentorFactory(timezone="Europe/London")
    bookable_mentor(other_mentor, service=service, hours=range(24))
    student = StudentFactory(timezone="Asia/Kolkata")
    give_credits(student, 10, now=now - timedelta(days=3))
    manager = ManagerFactory()
    assignment_change(student=student, mentor=mentor, actor=manager, reason="Start", now=now - timedelta(days=3),
                      override_capacity=True)
    start = (now + timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    upcoming = services.booking_create(student=student, mentor=mentor, service=service, starts_at=start,
                                       actor=student, now=now)
    past = services.booking_create(student=student, mentor=mentor, service=service,
                                   starts_at=start - timedelta(days=2, hours=5), actor=student,
                                   now=now - timedelta(days=3))
    ask = flash.flash_request_create(student=student, mentor=mentor, service=service, starts_at=start + timedelta(days=1),
                                     topic="Help", message="", now=now)
    pause = services.pause_request_create(student=student, starts_on=(now + timedelta(days=40)).date(),
                                          ends_on=(now + timedelta(days=45)).date(), reason="Exams", now=now)
    account = CreditAccount.objects.get(student=student)
    clients = {}
    for role, user in (("student", student), ("mentor", mentor), ("manager", manager)):
        clients[role] = Client()
        clients[role].force_login(user)
    clients["anonymous"] = Client()

    s, m = student.pk, mentor.pk
    forms = [
        ("anonymous", reverse("account_login"), ["login", "password"]),
        ("anonymous", reverse("account_signup"), ["email", "full_name", "timezone", "password1", "password2"]),
        ("anonymous", reverse("account_reset_password"), ["email"]),
        ("student", reverse("account_email"), ["email", "action_add"]),
        ("student", reverse("account_change_password"), ["oldpassword", "password1", "password2"]),
        ("student", reverse("scheduling:book-confirm", args=[m, service.pk]), ["start", "booking_key", "weeks"]),
        ("student", reverse("scheduling:session-cancel", args=[upcoming.pk]), ["expect_forfeit", "reason"]),
        ("student", reverse("scheduling:session-reschedule-confirm", args=[upcoming.pk]), ["start"]),
        ("student", reverse("scheduling:session-feedback", args=[past.pk]), ["rating", "comment"]),
        ("student", reverse("scheduling:pause-requests"), ["starts_on", "ends_on", "reason"]),
        ("student", reverse("scheduling:flash-new", args=[m]), ["service", "start_local", "topic", "message"]),
        ("student", reverse("accounts:settings-profile"), ["full_name", "timezone"]),
        ("student", reverse("portal:settings-notifications"), ["remind_last_chance", "remind_starting_soon"]),
        ("student", reverse("mentorship:availability"), ["cell"]),
        ("student", reverse("mentorship:interests"), ["skills"]),
        ("student", reverse("credits:request-more"), ["message"]),
        ("mentor", reverse("scheduling:offered-services"), ["services"]),
        ("mentor", reverse("scheduling:session-attendance", args=[past.pk]), ["attended", "next"]),
        ("mentor", reverse("scheduling:session-notes", args=[past.pk]), ["notes"]),
        ("mentor", reverse("scheduling:session-cancel", args=[upcoming.pk]), ["expect_forfeit", "reason"]),
        ("mentor", reverse("scheduling:flash-decline", args=[ask.pk]), ["note"]),
        ("mentor", reverse("scheduling:flash-counter", args=[ask.pk]), ["start_local", "note"]),
        ("mentor", reverse("scheduling:time-off"), ["starts_on", "ends_on", "reason"]),
        ("mentor", reverse("mentorship:profile-edit"), ["full_name", "timezone", "headline", "bio", "skills",
                                                        "languages", "years_experience", "video_url",
                                                        "accepting_new_students", "capacity"]),
        ("mentor", reverse("mentorship:availability"), ["cell"]),
        ("manager", reverse("admin:scheduling_pauserequest_decide", args=[pause.pk]),
         ["decision", "note", "cancel_sessions"]),
        ("manager", reverse("admin:credits_creditaccount_change_credits", args=[account.pk]),
         ["kind", "amount", "reason"]),
        ("manager", reverse("admin:scheduling_session_action", args=[upcoming.pk, "cancel"]), ["reason"]),
        ("manager", reverse("admin:scheduling_session_action", args=[past.pk, "mentor-no-show"]), ["reason"]),
        ("manager", reverse("admin:mentorship_reassign", args=[s]), ["mentor", "reason", "override_capacity"]),
        ("manager", reverse("admin:accounts_user_change", args=[s]), ["email", "full_name", "timezone", "role",
                                                                       "is_active"]),
    ]
    return clients, forms


def refused(response) -> bool:
    if response.status_code != 302:
        return True  # a form shown again with its errors, a 4xx
    # Only what this request said (earlier messages may still wait in the cookie).
    said = get_messages(response.wsgi_request)._queued_messages
    return any(m.level == django_messages.ERROR for m in said)


# No shrinking: a failure reports the example as found, keeping the run bounded.
@settings(max_examples=5, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(data=st.data())
def test_no_input_to_any_form_gives_a_500_or_changes_anything_when_refused(world, data):
    clients, forms = world
    for role, url, fields in forms:
        payload = {name: (data.draw(st.lists(junk, max_size=3)) if name in MULTI else data.draw(junk))
                   for name in fields}
        before = snapshot()
        response = clients[role].post(url, payload)
        assert response.status_code != 500, (role, url, payload)
        if refused(response):
            assert snapshot() == before, (role, url, payload, response.status_code)
