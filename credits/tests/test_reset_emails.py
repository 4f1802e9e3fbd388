"""After a monthly reset each student hears once what they have for the month."""

import datetime as dt

import pytest

from accounts.models import OutboundEmail
from accounts.tests.factories import StudentFactory
from credits.models import AllowanceKind, Plan
from credits.notifications import credits_reset_emails
from credits.resets import credits_reset_due
from credits.services import enrolment_start

pytestmark = pytest.mark.django_db
UTC = dt.UTC


def test_each_reset_grant_gets_one_email_with_what_expired():
    plan = Plan.objects.create(name="Monthly 4", allowance_kind=AllowanceKind.MONTHLY, sessions=4)
    student = StudentFactory(timezone="Europe/London")
    enrolment_start(student=student, plan=plan, actor=None, now=dt.datetime(2026, 11, 10, tzinfo=UTC))
    assert credits_reset_emails(now=dt.datetime(2026, 11, 10, 1, tzinfo=UTC)) == 0  # joining is not a reset

    reset_at = dt.datetime(2026, 12, 1, 0, 5, tzinfo=UTC)
    credits_reset_due(now=reset_at)
    assert credits_reset_emails(now=reset_at) == 1
    assert credits_reset_emails(now=reset_at) == 0  # a second pass queues nothing
    email = OutboundEmail.objects.get(kind="credits_reset")
    assert email.to_email == student.email
    assert email.subject == "Your December sessions are ready: 4 credits"
    assert "4 unused sessions from last month expired" in email.body_text
