"""The programme dashboard: its numbers match a count by hand, and it costs the same queries at 10x the data."""

import csv
import io
import zoneinfo
from collections import Counter
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from accounts.tests.factories import MentorFactory, StudentFactory
from config.prepared import as_written
from credits.models import LedgerEntry
from portal.dashboard import WEEKS, Scope, dashboard, week_window
from scheduling.models import Feedback, Session, SessionEvent, SessionStatus
from scheduling.tests.helpers import at, bookable_mentor, give_credits

pytestmark = pytest.mark.django_db
LONDON = zoneinfo.ZoneInfo("Europe/London")


def _session(student, mentor, service, starts, status, *, created=None, events=()):
    session = Session.objects.create(student=student, mentor=mentor, service=service, starts_at=starts,
                                     ends_at=starts + timedelta(hours=1), status=status,
                                     created_at=created or starts - timedelta(days=3))
    for kind in events:
        SessionEvent.objects.create(session=session, kind=kind, at=starts)
    return session


def test_a_small_programme_counts_as_a_person_would(mentor):
    now = at("2027-03-10 12:00")  # a Wednesday; its week starts Monday 8 March
    service = bookable_mentor(mentor, days=range(5), hours=range(9, 17))  # 40 hours a week, London
    student = StudentFactory()
    give_credits(student, 10, now=now - timedelta(days=30))
    monday = at("2027-03-08 10:00")
    _session(student, mentor, service, monday - timedelta(weeks=1), SessionStatus.COMPLETED)
    _session(student, mentor, service, monday - timedelta(weeks=1, hours=-2), SessionStatus.COMPLETED)
    _session(student, mentor, service, monday - timedelta(weeks=1, hours=-4), SessionStatus.CANCELLED)
    _session(student, mentor, service, monday, SessionStatus.FORFEITED, events=[SessionEvent.Kind.FORFEITED])
    _session(student, mentor, service, monday + timedelta(hours=2), SessionStatus.FORFEITED,
             events=[SessionEvent.Kind.STUDENT_NO_SHOW])
    _session(student, mentor, service, monday + timedelta(hours=4), SessionStatus.MENTOR_NO_SHOW)
    _session(student, mentor, service, monday - timedelta(weeks=WEEKS), SessionStatus.COMPLETED)  # before the window
    rated = Session.objects.filter(status=SessionStatus.COMPLETED).order_by("starts_at")
    Feedback.objects.create(session=rated[1], rating=4, created_at=now)
    Feedback.objects.create(session=rated[2], rating=5, created_at=now)

    board = dashboard(Scope(), now=now, zone=LONDON)

    assert len(board.weeks) == WEEKS and board.weeks[-1].starts_on.isoformat() == "2027-03-08"
    last, previous = board.weeks[-1], board.weeks[-2]
    assert (previous.completed, previous.cancelled) == (2, 1)
    assert (last.late_cancelled, last.student_no_shows, last.mentor_no_shows) == (1, 1, 1)
    assert sum(w.booked for w in board.weeks) == 6  # each booked three days before; the oldest outside the window
    # Due and not cancelled in time: 2 completed + 1 late cancellation + 1 student no-show + 1 mentor no-show.
    assert (board.rates.due, board.rates.completed, board.rates.forfeited) == (5, 2, 2)
    assert board.rates.attendance == pytest.approx(0.4) and board.rates.forfeit == pytest.approx(0.4)
    (row,) = board.mentors
    # Last 28 days: 4 weeks x 40 hours offered; held by live sessions: the two completed ones.
    assert (row.offered_hours, row.booked_hours) == (160.0, 2.0)
    assert row.utilisation == pytest.approx(2 / 160)
    assert (row.rating, row.ratings) == (4.5, 2)


def _hand_count(zone, now):
    """The figures, counted row by row in Python from the raw tables."""
    first, start, end = week_window(now, zone)

    def monday(moment):
        day = moment.astimezone(zone).date()
        return day - timedelta(days=day.weekday())

    booked, outcome = Counter(), Counter()
    no_shows = set(SessionEvent.objects.filter(kind=SessionEvent.Kind.STUDENT_NO_SHOW).values_list("session_id",
                                                                                                  flat=True))
    for s in Session.objects.all():
        if start <= s.created_at < end:
            booked[monday(s.created_at)] += 1
        if start <= s.starts_at < end:
            if s.status == SessionStatus.FORFEITED:
                key = "student_no_shows" if s.pk in no_shows else "late_cancelled"
            else:
                key = {"completed": "completed", "cancelled": "cancelled", "mentor_no_show": "mentor_no_shows"}.get(
                    s.status)
            if key:
                outcome[(monday(s.starts_at), key)] += 1
    granted, used = Counter(), Counter()
    for e in LedgerEntry.objects.filter(enrolment__isnull=False).select_related("enrolment__plan"):
        if not start <= e.created_at < end:
            continue
        plan = e.enrolment.plan.name
        if e.kind in ("grant", "topup") or (e.kind == "adjust" and e.amount > 0):
            granted[plan] += e.amount
        used[plan] += {"consume": 1, "refund": -1}.get(e.kind, 0)
    return first, booked, outcome, granted, used


def test_the_dashboard_matches_a_hand_count_of_the_demo_data(client):
    call_command("seed_demo")
    manager = User.objects.get(email="manager@example.com")
    now, zone = timezone.now(), manager.tzinfo
    board = dashboard(Scope(), now=now, zone=zone)
    first, booked, outcome, granted, used = _hand_count(zone, now)

    assert Session.objects.exists()
    for i, week in enumerate(board.weeks):
        assert week.starts_on == first + timedelta(weeks=i)
        assert week.booked == booked[week.starts_on]
        for key in ("completed", "cancelled", "late_cancelled", "student_no_shows", "mentor_no_shows"):
            assert getattr(week, key) == outcome[(week.starts_on, key)], (week.starts_on, key)
    assert sum(outcome.values()) > 0 and sum(booked.values()) > 0
    assert {p.plan: p.used for p in board.plans} == {plan: n for plan, n in used.items()}
    assert {p.plan: p.granted for p in board.plans if not p.unlimited} == {
        plan: granted[plan] for plan in used if not plan.startswith("Unlimited")}

    # The page shows the same numbers, and the CSV carries them too.
    client.force_login(manager)
    page = client.get(reverse("admin:index")).content.decode()
    assert "Programme dashboard" in page and 'src="/admin/programme/sessions.svg"' in page
    rows = list(csv.reader(io.StringIO(client.get("/admin/programme/sessions.csv").content.decode())))
    assert rows[0][:3] == ["Week of", "Booked", "Completed"]
    assert [int(r[2]) for r in rows[1:]] == [w.completed for w in board.weeks]


def _grow_tenfold(now):
    """Nine more copies of a programme as busy as the demo: mentors, students, plans, sessions, ratings."""
    statuses = [SessionStatus.COMPLETED, SessionStatus.CANCELLED, SessionStatus.FORFEITED,
                SessionStatus.MENTOR_NO_SHOW, SessionStatus.SCHEDULED]
    for copy in range(9):
        for _ in range(3):
            mentor = MentorFactory()
            service = bookable_mentor(mentor, hours=range(24))
            for s in range(2):
                student = StudentFactory()
                give_credits(student, 10, now=now - timedelta(days=40))
                for k in range(5):
                    starts = now - timedelta(days=7 * k + 1, hours=2 * s)
                    session = _session(student, mentor, service, starts.replace(microsecond=0), statuses[k],
                                       events=[SessionEvent.Kind.STUDENT_NO_SHOW] if k == 2 and s else ())
                    if k == 0:
                        Feedback.objects.create(session=session, rating=1 + (copy + s) % 5, created_at=now)


def _queries(client, url) -> int:
    cache.clear()  # the programme's figures are kept for a while (board_for): count what counting them costs
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        assert response.status_code == 200
    return len(captured)


def test_the_dashboard_costs_the_same_queries_with_the_demo_and_ten_times_the_data(client):
    call_command("seed_demo")
    manager = User.objects.get(email="manager@example.com")
    client.force_login(manager)
    urls = [reverse("admin:index"), "/admin/programme/sessions.svg", "/admin/programme/credits.csv",
            "/admin/programme/mentors.svg", "/admin/programme/risk.svg"]
    for url in urls:
        client.get(url)  # warm per-process caches
    small = [_queries(client, url) for url in urls]
    mentors_before = User.objects.filter(role=Role.MENTOR).count()

    _grow_tenfold(timezone.now())

    assert User.objects.filter(role=Role.MENTOR).count() == 10 * mentors_before
    large = [_queries(client, url) for url in urls]
    assert large == small
    assert max(small) <= 20


def test_a_mentors_and_a_students_own_dashboards(client, manager, mentor, student):
    service = bookable_mentor(mentor)
    other = StudentFactory()
    now = timezone.now()
    _session(student, mentor, service, (now - timedelta(days=1)).replace(microsecond=0), SessionStatus.COMPLETED)
    _session(other, mentor, service, (now - timedelta(days=2)).replace(microsecond=0), SessionStatus.COMPLETED)
    client.force_login(manager)

    mine = client.get(reverse("programme:dashboard"), {"student": student.pk})
    assert mine.status_code == 200 and "Student: Sam Student" in mine.content.decode()
    rows = list(csv.reader(io.StringIO(client.get("/admin/programme/sessions.csv", {"student": student.pk})
                                       .content.decode())))
    assert sum(int(r[2]) for r in rows[1:]) == 1
    rows = list(csv.reader(io.StringIO(client.get("/admin/programme/sessions.csv", {"mentor": mentor.pk})
                                       .content.decode())))
    assert sum(int(r[2]) for r in rows[1:]) == 2
    # A mentor id that is a student's, or nonsense: 404.
    assert client.get(reverse("programme:dashboard"), {"mentor": student.pk}).status_code == 404
    assert client.get(reverse("programme:dashboard"), {"mentor": "x"}).status_code == 404


def test_only_staff_who_may_see_sessions_get_the_dashboard(client, student, mentor):
    for user in (student, mentor):
        client.force_login(user)
        for url in (reverse("programme:dashboard"), "/admin/programme/sessions.svg", "/admin/programme/credits.csv"):
            response = client.get(url)
            assert response.status_code == 302 and "/login" in response["Location"]
    client.logout()
    assert client.get("/admin/programme/sessions.csv").status_code == 302


def test_the_chart_is_an_image_that_may_style_itself_but_runs_no_script(client, manager):
    client.force_login(manager)
    response = client.get("/admin/programme/sessions.svg")
    assert response["Content-Type"] == "image/svg+xml"
    policy = response["Content-Security-Policy"]
    assert "script-src 'none'" in policy and "style-src 'unsafe-inline'" in policy
    assert b"<svg" in response.content
    assert b"kozea" not in response.content  # pygal's tooltip script from a CDN is switched off


def test_students_at_risk_are_counted_daily_and_drawn_week_by_week(client, manager, mentor):
    from scheduling import at_risk
    from scheduling.models import RiskSnapshot
    from scheduling.tests.helpers import set_grid

    now = at("2027-03-10 12:00")
    service = bookable_mentor(mentor)
    fine = StudentFactory()
    give_credits(fine, 4, now=now)
    set_grid(fine)
    _session(fine, mentor, service, now + timedelta(days=2), SessionStatus.SCHEDULED)
    StudentFactory()  # no plan, nothing booked, no hours

    snapshot = at_risk.snapshot_record(now=now - timedelta(weeks=1))
    assert (snapshot.students, snapshot.at_risk, snapshot.no_upcoming, snapshot.no_credits, snapshot.no_hours,
            snapshot.misses) == (2, 1, 1, 1, 1, 0)
    at_risk.snapshot_record(now=now - timedelta(weeks=1, hours=-1))  # later the same day: replaced, not added
    assert RiskSnapshot.objects.count() == 1
    StudentFactory()
    at_risk.snapshot_record(now=now - timedelta(days=1))  # Tuesday of this week
    at_risk.snapshot_record(now=now)  # Wednesday: the week's last count

    board = dashboard(Scope(), now=now, zone=LONDON)
    assert [w.snapshot.at_risk if w.snapshot else None for w in board.risk][-3:] == [None, 1, 2]
    assert board.risk[-1].snapshot.day.isoformat() == "2027-03-10"
    assert dashboard(Scope(mentor=mentor), now=now, zone=LONDON).risk == []  # counted for the programme only


def test_the_programme_figures_are_shared_for_two_minutes_and_say_when_they_were_counted(client, manager, mentor):
    service = bookable_mentor(mentor)
    student = StudentFactory()
    now = timezone.now()
    _session(student, mentor, service, (now - timedelta(days=1)).replace(microsecond=0), SessionStatus.COMPLETED)
    client.force_login(manager)
    page = client.get(reverse("admin:index")).content.decode()
    assert 'data-testid="dashboard-counted-at">Figures as of' in page and "every 2 minutes" in page

    def completed(url, **query):
        rows = list(csv.reader(io.StringIO(client.get(url, query).content.decode())))
        return sum(int(r[2]) for r in rows[1:])

    assert completed("/admin/programme/sessions.csv") == 1
    _session(student, mentor, service, (now - timedelta(days=2)).replace(microsecond=0), SessionStatus.COMPLETED)
    # The programme's table, chart and CSV agree with what the index showed until the figures are recounted ...
    assert completed("/admin/programme/sessions.csv") == 1
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("admin:index")).status_code == 200
    assert not any("scheduling_session" in as_written(q["sql"]) for q in captured.captured_queries)
    # ... a mentor's own dashboard is counted for the request, and says nothing about when.
    assert completed("/admin/programme/sessions.csv", mentor=mentor.pk) == 2
    assert "dashboard-counted-at" not in client.get(reverse("programme:dashboard"), {"mentor": mentor.pk}).content.decode()
    cache.clear()  # two minutes later
    assert completed("/admin/programme/sessions.csv") == 2
