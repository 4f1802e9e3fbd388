"""The success managers' student page: panels, search, filters, access, query count."""

import html
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.tests.factories import MentorFactory, StudentFactory
from credits.models import AllowanceKind, Plan
from credits.services import credits_admin_change, enrolment_pause
from mentorship.models import MentorAssignment, StudentAccount
from scheduling import services
from scheduling.models import PauseRequest, Session, SessionStatus
from scheduling.tests.helpers import at, bookable_mentor, give_credits

pytestmark = pytest.mark.django_db
NOW = at("2027-01-10 12:00")


def page_url(student):
    return reverse("admin:mentorship_studentaccount_change", args=[student.pk])


def changelist():
    return reverse("admin:mentorship_studentaccount_changelist")


def text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def now(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


@pytest.fixture
def service(mentor):
    return bookable_mentor(mentor, hours=range(0, 24))


def test_the_student_page_shows_every_panel_with_links(client, manager, mentor, student, service, now):
    MentorAssignment.objects.create(student=student, mentor=mentor, started_at=now - timedelta(days=20),
                                    reason="Shared evenings", assigned_by=manager)
    give_credits(student, 3, now=now - timedelta(days=5))
    upcoming = services.booking_create(student=student, mentor=mentor, service=service,
                                       starts_at=now + timedelta(days=2), actor=student, now=now)
    past = services.booking_create(student=student, mentor=mentor, service=service,
                                   starts_at=now + timedelta(days=3), actor=student, now=now)
    services.session_cancel(session=past, actor=student, now=now, reason="")
    credits_admin_change(student=student, kind="adjust", amount=1, reason="Goodwill after outage", actor=manager,
                         now=now)
    pause = services.pause_request_create(student=student, starts_on=(now + timedelta(days=10)).date(),
                                        ends_on=(now + timedelta(days=12)).date(), reason="Exams", now=now)
    client.force_login(manager)

    response = client.get(page_url(student))

    assert response.status_code == 200
    page = text(response)
    assert "Shared evenings" in page and "Maya Manager" in page  # history: reason and who assigned
    assert 'data-testid="panel-current-mentor">Ada Mentor<' in page
    assert reverse("admin:mentorship_reassign", args=[student.pk]) in page
    # Enrolment and the ledger, newest first, with actor and note.
    assert "status <strong>Active</strong>" in page and 'data-testid="panel-balance">3<' in page
    ledger = page[page.index('id="panel-ledger"'):]
    assert ledger.index("Goodwill after outage") < ledger.index("Refunded")
    assert ledger.index("Refunded") < ledger.index("Granted")
    # Sessions, each linked to its admin page; the pause request linked too.
    assert reverse("admin:scheduling_session_change", args=[upcoming.pk]) in page
    assert reverse("admin:scheduling_session_change", args=[past.pk]) in page
    assert "Upcoming (1)" in page and "Past and cancelled (1)" in page
    assert reverse("admin:scheduling_pauserequest_change", args=[pause.pk]) in page and "Exams" in page
    # The admin history: the credit adjustment, recorded by the credits service on the account.
    history = page[page.index('id="panel-history"'):]
    assert "Goodwill after outage" in history and "Maya Manager" in history
    # The page is read-only: no save button.
    assert 'name="_save"' not in page


def test_the_sessions_link_filters_the_session_list_to_the_student(client, manager, mentor, student, service, now):
    give_credits(student, 2, now=now)
    mine = services.booking_create(student=student, mentor=mentor, service=service,
                                   starts_at=now + timedelta(days=2), actor=student, now=now)
    other = StudentFactory()
    give_credits(other, 2, now=now)
    services.booking_create(student=other, mentor=mentor, service=service, starts_at=now + timedelta(days=3),
                            actor=other, now=now)
    client.force_login(manager)
    response = client.get(reverse("admin:scheduling_session_changelist"), {"student__id__exact": student.pk})
    assert response.status_code == 200
    assert [s.pk for s in response.context["cl"].result_list] == [mine.pk]


def _bulk_sessions(student, mentor, service, count, now):
    """Hand-built history: half in the past (completed), half ahead (scheduled), an hour apart."""
    rows = []
    for i in range(count):
        starts = now + timedelta(hours=2 * (i - count // 2) + 1)
        status = SessionStatus.COMPLETED if starts < now else SessionStatus.SCHEDULED
        rows.append(Session(student=student, mentor=mentor, service=service, starts_at=starts,
                            ends_at=starts + timedelta(hours=1), status=status, created_at=now - timedelta(days=30)))
    Session.objects.bulk_create(rows)


def _queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_student_page_costs_the_same_queries_with_5_and_100_sessions(client, manager, mentor, student, service,
                                                                            now):
    MentorAssignment.objects.create(student=student, mentor=mentor, started_at=now - timedelta(days=60), reason="r")
    give_credits(student, 3, now=now)
    client.force_login(manager)
    _bulk_sessions(student, mentor, service, 5, now)
    client.get(page_url(student))  # warm the per-process caches (content types, sessions)
    with_5 = _queries_for(client, page_url(student))

    Session.objects.filter(student=student).delete()
    _bulk_sessions(student, mentor, service, 100, now)
    for i in range(10):
        PauseRequest.objects.create(student=student, starts_on=(now + timedelta(days=40 + 3 * i)).date(),
                                    ends_on=(now + timedelta(days=41 + 3 * i)).date(), reason="r", created_at=now)
    with_100 = _queries_for(client, page_url(student))

    assert Session.objects.filter(student=student).count() == 100
    assert with_5 == with_100


def test_the_student_page_reads_the_student_as_the_admin_does_and_no_one_else(client, manager, mentor, student):
    """The page reads the student with their panels (one query): the same row the admin's own read gives, and for
    a mentor's id, an unknown id or no number at all, the admin's "doesn't exist" (back to the list)."""
    client.force_login(manager)
    response = client.get(page_url(student))
    assert response.status_code == 200
    shown = response.context["original"]
    read = StudentAccount.objects.get(pk=student.pk)
    assert type(shown) is StudentAccount
    assert {f.attname: getattr(shown, f.attname) for f in StudentAccount._meta.concrete_fields} == {
        f.attname: getattr(read, f.attname) for f in StudentAccount._meta.concrete_fields}
    for wrong in (mentor.pk, 10**9, "not-a-number"):
        response = client.get(reverse("admin:mentorship_studentaccount_change", args=[wrong]))
        assert response.status_code == 302 and response.url == reverse("admin:index"), wrong
    # Its history page still finds the student alone.
    assert client.get(reverse("admin:mentorship_studentaccount_history", args=[student.pk])).status_code == 200


def test_search_by_name_and_email(client, manager):
    StudentFactory(full_name="Quentin Blake", email="qb@example.com")
    StudentFactory(full_name="Other Person", email="other@example.com")
    client.force_login(manager)
    by_name = client.get(changelist(), {"q": "quentin"})
    by_email = client.get(changelist(), {"q": "qb@example"})
    assert [u.full_name for u in by_name.context["cl"].result_list] == ["Quentin Blake"]
    assert [u.full_name for u in by_email.context["cl"].result_list] == ["Quentin Blake"]


def test_filters_by_plan_current_mentor_and_enrolment_status(client, manager, now):
    mentor_a, mentor_b = MentorFactory(full_name="Mentor A"), MentorFactory(full_name="Mentor B")
    on_pack = StudentFactory(full_name="On Pack")
    on_monthly = StudentFactory(full_name="On Monthly")
    never = StudentFactory(full_name="Never Enrolled")
    pack = give_credits(on_pack, 4, now=now).plan
    monthly_enrolment = give_credits(on_monthly, 4, kind=AllowanceKind.MONTHLY, now=now)
    enrolment_pause(enrolment=monthly_enrolment, actor=manager, now=now)
    MentorAssignment.objects.create(student=on_pack, mentor=mentor_a, started_at=now, reason="r")
    MentorAssignment.objects.create(student=on_monthly, mentor=mentor_b, started_at=now, reason="r")
    client.force_login(manager)

    def names(**params):
        response = client.get(changelist(), params)
        assert response.status_code == 200
        return sorted(u.full_name for u in response.context["cl"].result_list)

    assert names(plan=pack.pk) == ["On Pack"]
    assert names(plan="none") == ["Never Enrolled"]
    assert names(mentor=mentor_b.pk) == ["On Monthly"]
    assert names(mentor="none") == ["Never Enrolled"]
    assert names(enrolment="paused") == ["On Monthly"]
    assert names(enrolment="active") == ["On Pack"]
    assert names(enrolment="never") == ["Never Enrolled"]
    listing = text(client.get(changelist()))
    assert "Mentor A" in listing and pack.name in listing and never.email in listing
    assert Plan.objects.count() == 2


def test_students_and_mentors_are_sent_to_the_admin_login(client, student, mentor):
    for person in (student, mentor):
        client.force_login(person)
        for url in (page_url(student), changelist(), reverse("admin:portal_students_at_risk")):
            response = client.get(url)
            assert response.status_code == 302 and reverse("admin:login") in response["Location"]
