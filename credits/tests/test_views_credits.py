import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from accounts.models import Role, User
from accounts.tests.factories import ManagerFactory
from credits import services
from credits.models import CreditRequest, EntryKind, ForfeitReason

pytestmark = pytest.mark.django_db

FROZEN = dt.datetime(2026, 11, 16, 15, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(FROZEN, tick=False):
        yield


def test_the_overview_card_says_how_many_sessions_are_left_and_when_they_reset(client, student, monthly_plan, enrol):
    enrol(student, monthly_plan)
    services.credits_consume(student=student, session_id=1, actor=student, now=FROZEN)
    client.force_login(student)
    page = client.get(reverse("portal:overview")).content.decode()
    assert "3 of 4 sessions left this month" in page
    assert "Resets on 1 Dec" in page


@pytest.mark.parametrize(
    ("plan_fixture", "headline"),
    [("pack_plan", "10 sessions left in your pack"), ("unlimited_plan", "Unlimited"), (None, "No plan yet")],
)
def test_each_plan_kind_gets_its_own_card(client, student, enrol, request, plan_fixture, headline):
    if plan_fixture:
        enrol(student, request.getfixturevalue(plan_fixture))
    client.force_login(student)
    assert headline in client.get(reverse("credits:history")).content.decode()


def test_history_shows_entries_in_the_students_zone(client, student, monthly_plan, enrol):
    # 15:00 UTC is 10:00 in New York.
    enrol(student, monthly_plan)
    services.credits_consume(student=student, session_id=3, actor=student, now=FROZEN)
    services.credits_record_forfeit(student=student, session_id=3, actor=student, note="cancelled 3 h before start",
                                    reason=ForfeitReason.LATE_CANCELLATION, now=FROZEN)
    client.force_login(student)
    page = client.get(reverse("credits:history")).content.decode()
    assert "Mon 16 Nov 2026, 10:00" in page
    assert "Forfeited — cancelled 3 h before start" in page
    assert "Granted for November 2026" in page


def test_history_is_for_students_only_and_shows_only_their_own(client, student, stranger, mentor, monthly_plan, enrol):
    enrol(student, monthly_plan)
    services.credits_admin_change(student=student, kind=EntryKind.TOPUP, amount=1, reason="secret bonus",
                                  actor=None, now=FROZEN)
    client.force_login(stranger)
    assert "secret bonus" not in client.get(reverse("credits:history")).content.decode()
    client.force_login(mentor)
    assert client.get(reverse("credits:history")).status_code == 403
    client.logout()
    assert client.get(reverse("credits:history")).status_code == 302


def test_history_keeps_a_constant_number_of_queries(client, student, monthly_plan, enrol, django_assert_max_num_queries):
    enrol(student, monthly_plan)
    client.force_login(student)
    counts = []
    for extra in (2, 40):
        for i in range(extra):
            services.credits_admin_change(student=student, kind=EntryKind.GRANT, amount=1, reason=f"r{i}",
                                          actor=None, now=FROZEN)
        with django_assert_max_num_queries(12) as ctx:
            assert client.get(reverse("credits:history")).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_get_more_sessions_emails_the_managers_once(client, student, pack_plan, enrol,
                                                   django_capture_on_commit_callbacks):
    ManagerFactory(), ManagerFactory()
    managers = User.objects.filter(role=Role.MANAGER)  # with the one who enrolled the student
    assert managers.count() == 3
    enrol(student, pack_plan)
    client.force_login(student)
    url = reverse("credits:request-more")
    assert client.get(url).status_code == 405

    with django_capture_on_commit_callbacks(execute=True):
        with_commit = client.post(url, {"message": "I'd like help before my interview"}, follow=True)
    assert "your success manager has your request" in with_commit.content.decode()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(m.email for m in managers)
    assert "asks for more sessions" in mail.outbox[0].subject
    assert "I'd like help before my interview" in mail.outbox[0].body  # plain text, not HTML-escaped

    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(url, {"message": "again"}, follow=True)
    assert "We already have your request" in again.content.decode()
    assert len(mail.outbox) == 3 and CreditRequest.objects.count() == 1


def test_get_more_sessions_rejects_an_overlong_message(client, student):
    client.force_login(student)
    response = client.post(reverse("credits:request-more"), {"message": "x" * 1001})
    assert response.status_code == 400
    assert "at most 1000 characters" in response.content.decode()
    assert CreditRequest.objects.count() == 0


def test_mentors_cannot_ask_for_sessions(client, mentor):
    client.force_login(mentor)
    assert client.post(reverse("credits:request-more"), {"message": "hi"}).status_code == 403
    assert CreditRequest.objects.count() == 0


@pytest.mark.parametrize("plan_fixture", ["pack_plan", None])
def test_the_history_says_when_the_student_asked_within_the_last_day(client, student, enrol, request, plan_fixture):
    if plan_fixture:
        enrol(student, request.getfixturevalue(plan_fixture))
    CreditRequest.objects.create(student=student, message="old", created_at=FROZEN - dt.timedelta(hours=30))
    client.force_login(student)
    page = client.get(reverse("credits:history")).content.decode()
    assert 'data-testid="request-pending"' not in page and "Ask for more sessions" in page

    CreditRequest.objects.create(student=student, message="first", created_at=FROZEN - dt.timedelta(hours=5))
    CreditRequest.objects.create(student=student, message="newest", created_at=FROZEN - dt.timedelta(hours=2))
    page = client.get(reverse("credits:history")).content.decode()
    assert 'data-testid="request-pending"' in page and "Ask for more sessions" not in page
    assert "You asked on 16 Nov, 08:00." in " ".join(page.split())  # the newest, in the student's zone (New York)


def test_the_history_page_card_says_where_the_group_allowance_stands_like_the_overview(client, student, pack_plan,
                                                                                      enrol):
    enrol(student, pack_plan)
    client.force_login(student)
    for url in (reverse("portal:overview"), reverse("credits:history")):
        page = client.get(url).content.decode()
        line = page.split('data-testid="group-credits-headline"')[1].split("</p>")[0]
        # Never "Group:" with nothing after it.
        assert "No group sessions in your plan" in line, url


def test_the_pages_compiled_reads_read_what_the_querysets_read(student, pack_plan, enrol):
    """The history's enrolment and ledger pages are compiled once (config/prepared.py): the same rows as the ORM's
    `current_enrolment(..., recent_request_at=...)` and `counted_rows(ledger_for(...))`, before and after a
    request, on every page (the first ones compiled, the later ones read as they come)."""
    from config.paging import counted_rows
    from credits import selectors

    enrol(student, pack_plan)
    for i in range(24):
        services.credits_admin_change(student=student, kind=EntryKind.GRANT, amount=1, reason=f"r{i}",
                                      actor=None, now=FROZEN + dt.timedelta(minutes=i % 3))
    for asked in (None, FROZEN - dt.timedelta(hours=2)):
        if asked:
            CreditRequest.objects.create(student=student, message="more", created_at=asked)
        read = selectors.history_enrolment(student, now=FROZEN)
        orm = selectors.current_enrolment(student, recent_request_at=selectors.recent_request_at(FROZEN))
        assert (read.pk, read.plan, read.account_balance, read.account_group_balance, read.recent_request_at) == (
            orm.pk, orm.plan, orm.account_balance, orm.account_group_balance, orm.recent_request_at)
        assert read.recent_request_at == asked
    per_page = 2
    for page in range(14):
        bottom, top = page * per_page, (page + 1) * per_page
        rows = selectors.ledger_page_rows(student, bottom, top, per_page=per_page)
        orm = list(counted_rows(selectors.ledger_for(student), bottom, top))
        assert [(e.pk, e.description, e.balance_after, e.page_total) for e in rows] == [
            (e.pk, e.description, e.balance_after, e.page_total) for e in orm]
        assert len(rows) == (per_page if page < 12 else (1 if page == 12 else 0))
