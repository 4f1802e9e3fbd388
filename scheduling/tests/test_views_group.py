"""Group pages: who may see and change what, consequences before acting, constant queries, the admin."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import MentorFactory
from credits.selectors import current_enrolment, current_enrolment_query
from mentorship.models import Skill
from scheduling import services
from scheduling.group_models import GroupSeat, GroupSession, GroupStatus, SeatStatus
from scheduling.tests.group_helpers import give_group_credits, group_balance, schedule

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"scheduling:{name}", args=args)


@pytest.fixture
def soon():
    return (timezone.now() + timedelta(days=3)).replace(minute=0, second=0, microsecond=0)


@pytest.fixture
def group(mentor, soon):
    return schedule(mentor, soon, now=timezone.now(), seats=3, title="Interview practice")


@pytest.fixture
def booked_student(student):
    give_group_credits(student, 2)
    return student


def test_a_student_books_with_a_post_and_a_get_is_refused(client, booked_student, group):
    client.force_login(booked_student)
    assert client.get(url("group-book", group.pk)).status_code == 405
    response = client.post(url("group-book", group.pk), follow=True)
    assert "Seat booked!" in response.content.decode()
    assert group_balance(booked_student) == 1
    client.post(url("group-book", group.pk))  # a double submit books once
    assert GroupSeat.objects.filter(student=booked_student).count() == 1 and group_balance(booked_student) == 1


def test_a_student_without_group_credits_reads_why_and_nothing_changes(client, student, group):
    client.force_login(student)
    page = client.get(url("group-detail", group.pk)).content.decode()
    assert "No group sessions in your plan" in page and "Book a seat" not in page
    response = client.post(url("group-book", group.pk), follow=True)
    assert "You don&#x27;t have a plan yet" in response.content.decode()
    assert not GroupSeat.objects.exists()


def test_the_detail_page_states_the_24_hour_rule_before_booking(client, booked_student, group):
    client.force_login(booked_student)
    page = client.get(url("group-detail", group.pk)).content.decode()
    assert "uses <strong>one group credit</strong>" in page and "Free cancellation until" in page


def test_another_mentor_and_managers_get_404_on_the_students_pages(client, group, manager):
    client.force_login(MentorFactory())
    assert client.get(url("group-detail", group.pk)).status_code == 404
    assert client.post(url("group-cancel", group.pk), {"reason": "x"}).status_code == 404
    client.force_login(manager)
    assert client.get(url("group-detail", group.pk)).status_code == 404
    group.refresh_from_db()
    assert group.status == GroupStatus.SCHEDULED


def test_a_stranger_cannot_leave_someone_elses_seat(client, booked_student, stranger, group):
    services.group_seat_book(group=group, student=booked_student, actor=booked_student, now=timezone.now())
    client.force_login(stranger)
    assert client.post(url("group-seat-cancel", group.pk), {"expect_forfeit": "0"}).status_code == 404
    assert GroupSeat.objects.get().status == SeatStatus.BOOKED


def test_leaving_shows_the_refund_first_then_refunds(client, booked_student, group):
    services.group_seat_book(group=group, student=booked_student, actor=booked_student, now=timezone.now())
    client.force_login(booked_student)
    page = client.get(url("group-seat-cancel", group.pk)).content.decode()
    assert "your group credit comes back" in page
    response = client.post(url("group-seat-cancel", group.pk), {"expect_forfeit": "0"}, follow=True)
    assert "Your group credit is back" in response.content.decode()
    assert group_balance(booked_student) == 2


def test_the_mentor_schedules_weekly_in_their_own_zone(client, mentor, soon):
    client.force_login(mentor)
    local = soon.astimezone(mentor.tzinfo)
    response = client.post(url("group-schedule"), {
        "title": "Code review clinic", "start_local": local.strftime("%Y-%m-%dT%H:%M"), "duration_minutes": 60,
        "seats": 12, "weeks": 2, "skills": [Skill.objects.create(name="Python").pk],
    })
    assert response.status_code == 302
    groups = list(GroupSession.objects.order_by("starts_at"))
    assert [g.starts_at for g in groups] == [soon, (local + timedelta(weeks=1)).astimezone(soon.tzinfo)]
    assert groups[0].seats == 12 and groups[0].skills.get().name == "Python"


def test_bad_seat_numbers_get_a_message_not_a_500(client, mentor, soon):
    client.force_login(mentor)
    response = client.post(url("group-schedule"), {
        "title": "Too big", "start_local": soon.astimezone(mentor.tzinfo).strftime("%Y-%m-%dT%H:%M"),
        "duration_minutes": 60, "seats": 101, "weeks": 1,
    })
    assert response.status_code == 400 and "less than or equal to 100" in response.content.decode()
    assert not GroupSession.objects.exists()


def test_the_mentor_sees_attendees_and_marks_attendance_after_the_start(client, mentor, booked_student):
    now = timezone.now()
    group = schedule(mentor, now + timedelta(hours=2), now=now, seats=3, title="Starting soon")
    seat = services.group_seat_book(group=group, student=booked_student, actor=booked_student, now=now)
    GroupSession.objects.filter(pk=group.pk).update(starts_at=now - timedelta(minutes=5),
                                                    ends_at=now + timedelta(minutes=55))
    client.force_login(mentor)
    page = client.get(url("group-detail", group.pk)).content.decode()
    assert booked_student.get_full_name() in page and "No-show" in page
    client.post(url("group-attendance", group.pk, seat.pk), {"attended": "0"})
    seat.refresh_from_db()
    assert seat.status == SeatStatus.NO_SHOW


def test_the_mentor_cancels_and_every_seat_is_refunded(client, mentor, booked_student, group):
    services.group_seat_book(group=group, student=booked_student, actor=booked_student, now=timezone.now())
    client.force_login(mentor)
    assert "Every seat (1) is refunded" in client.get(url("group-cancel", group.pk)).content.decode()
    client.post(url("group-cancel", group.pk), {"reason": "Unwell"})
    group.refresh_from_db()
    assert group.status == GroupStatus.CANCELLED and group_balance(booked_student) == 2


def test_the_list_filters_by_skill_and_mentor_with_a_constant_number_of_queries(
        client, student, mentor, soon, django_assert_num_queries, django_assert_max_num_queries):
    python = Skill.objects.create(name="Python")
    give_group_credits(student, 5)
    other = MentorFactory(full_name="Grace Mentor")

    def add(n, offset):
        for i in range(n):
            g = schedule(mentor if i % 2 else other, soon + timedelta(hours=3 * (i + offset)), now=timezone.now(),
                         title=f"Group {i + offset}")
            if i % 3 == 0:
                g.skills.add(python)

    add(2, 0)
    client.force_login(student)
    client.get(url("group-list"))
    with django_assert_max_num_queries(20) as small:
        client.get(url("group-list"))
    add(12, 10)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(url("group-list"))
    assert len(response.context["rows"]) == 14
    filtered = client.get(url("group-list"), {"skill": python.pk, "mentor": other.pk})
    assert {r.group.title for r in filtered.context["rows"]} == {"Group 0", "Group 10", "Group 16"}


def test_the_list_shows_twenty_at_a_time_with_links_to_later_and_sooner_ones(client, student, mentor, soon):
    for i in range(23):
        schedule(mentor, soon + timedelta(hours=2 * i), now=timezone.now(), title=f"Group {i:02d}")
    client.force_login(student)
    first = client.get(url("group-list"))
    assert [r.group.title for r in first.context["rows"]] == [f"Group {i:02d}" for i in range(20)]
    assert "Later sessions" in first.content.decode() and "Sooner sessions" not in first.content.decode()
    second = client.get(url("group-list"), {"page": 2})
    assert [r.group.title for r in second.context["rows"]] == ["Group 20", "Group 21", "Group 22"]
    assert "Sooner sessions" in second.content.decode() and "Later sessions" not in second.content.decode()
    # Nonsense page numbers get a page, never a 500.
    assert client.get(url("group-list"), {"page": "x"}).context["page"] == 1
    beyond = client.get(url("group-list"), {"page": "99"})
    assert beyond.status_code == 200 and "Back to the first page" in beyond.content.decode()


def test_the_overview_lists_booked_seats(client, booked_student, group):
    services.group_seat_book(group=group, student=booked_student, actor=booked_student, now=timezone.now())
    client.force_login(booked_student)
    page = client.get(reverse("portal:overview")).content.decode()
    assert "Interview practice" in page and "1 group session left in your pack" in page


def test_managers_see_attendees_and_waitlist_and_cancel_with_a_reason_in_the_admin(client, manager, group,
                                                                                  booked_student):
    services.group_seat_book(group=group, student=booked_student, actor=booked_student, now=timezone.now())
    client.force_login(manager)
    assert client.get(reverse("admin:scheduling_groupsession_changelist")).status_code == 200
    page = client.get(reverse("admin:scheduling_groupsession_change", args=[group.pk])).content.decode()
    assert booked_student.get_full_name() in page and "waitlist" in page.lower()
    cancel = reverse("admin:scheduling_groupsession_cancel", args=[group.pk])
    assert "A reason is required" in client.post(cancel, {"reason": ""}).content.decode()
    client.post(cancel, {"reason": "Mentor is ill"})
    group.refresh_from_db()
    assert group.status == GroupStatus.CANCELLED and group_balance(booked_student) == 2


def test_a_manager_schedules_for_a_mentor_in_the_admin(client, manager, mentor, soon):
    client.force_login(manager)
    add = reverse("admin:scheduling_groupsession_add")
    assert client.get(add).status_code == 200
    response = client.post(add, {
        "mentor": mentor.pk, "title": "Portfolio review", "duration_minutes": 60, "seats": 6, "weeks": 1,
        "start_local": soon.astimezone(manager.tzinfo).strftime("%Y-%m-%dT%H:%M"),
    })
    assert response.status_code == 302
    group = GroupSession.objects.get()
    assert (group.mentor, group.starts_at, group.created_by) == (mentor, soon, manager)


def test_a_student_cannot_schedule_or_mark_attendance(client, student, group):
    client.force_login(student)
    assert client.get(url("group-schedule")).status_code == 403
    assert client.post(url("group-attendance", group.pk, 1), {"attended": "1"}).status_code == 403


def test_the_mentor_edits_the_details_and_attendees_get_the_updated_invite_with_a_higher_sequence(
        client, mentor, booked_student, group):
    from accounts.models import OutboundEmail

    services.group_seat_book(group=group, student=booked_student, actor=booked_student, now=timezone.now())
    group.refresh_from_db()
    before = group.calendar_sequence
    client.force_login(mentor)
    assert client.get(url("group-edit", group.pk)).status_code == 200
    client.post(url("group-edit", group.pk), {"title": "Mock interviews", "video_url": "https://meet.example.com/x"})
    group.refresh_from_db()
    assert group.title == "Mock interviews" and group.calendar_sequence == before + 1
    email = OutboundEmail.objects.get(kind="group_session_updated", recipient=booked_student)
    assert email.ics_method == "REQUEST" and f"SEQUENCE:{before + 1}" in email.ics
    client.force_login(booked_student)
    assert client.get(url("group-edit", group.pk)).status_code == 403


def test_the_overview_lists_seats_and_waitlist_places_from_one_read(client, booked_student, group, mentor, soon):
    from scheduling.group_models import WaitlistEntry

    services.group_seat_book(group=group, student=booked_student, actor=booked_student, now=timezone.now())
    full = schedule(mentor, soon + timedelta(days=1), now=timezone.now(), seats=2, title="System design & co")
    later = schedule(mentor, soon + timedelta(days=2), now=timezone.now(), seats=2, title="Salary talks")
    for g in (later, full):  # joined out of start order: the page lists them by start
        WaitlistEntry.objects.create(session=g, student=booked_student, joined_at=timezone.now())
    client.force_login(booked_student)
    client.get(reverse("portal:overview"))
    page = client.get(reverse("portal:overview")).content.decode()
    seat_row = page.split('data-testid="overview-group-seat"')[1].split("</li>")[0]
    assert f'href="{url("group-detail", group.pk)}">Interview practice</a>' in seat_row
    assert "with Ada Mentor" in seat_row and "Free cancellation until" in seat_row
    waits = page.split("On the waitlist for:")[1].split("</p>")[0]
    assert waits.index("System design &amp; co") < waits.index("Salary talks")
    assert f'href="{url("group-detail", full.pk)}"' in waits


def test_the_group_pages_reads_compiled_once_read_what_their_querysets_read(student, mentor, soon):
    """The list's and the session page's reads go through config.prepared; the rows, flags and skills are those
    of the querysets they compile, for every filter shape and page."""
    from scheduling import group_selectors as selectors

    python = Skill.objects.create(name="Python")
    other = MentorFactory(full_name="Grace Mentor")
    give_group_credits(student, 5)
    now = timezone.now()
    groups = []
    for i in range(7):
        g = schedule(mentor if i % 2 else other, soon + timedelta(hours=3 * i), now=now, seats=2, title=f"G{i}")
        if i % 3 == 0:
            g.skills.add(python)
        groups.append(g)
    services.group.group_seat_book(group=groups[1], student=student, actor=student, now=now)
    for taker in (MentorFactory(), MentorFactory()):
        GroupSeat.objects.create(session=groups[2], student=taker, booked_at=now, starts_at=groups[2].starts_at,
                                 ends_at=groups[2].ends_at)
    GroupSession.objects.filter(pk=groups[2].pk).update(seats_taken=2)
    services.group.waitlist_join(group=groups[2], student=student, now=now)
    for skill in (None, python.pk):
        for by in (None, other.pk):
            for page in (1, 2):
                rows, later = selectors.upcoming_for_student(student, now=now, skill_id=skill, mentor_id=by,
                                                             page=page, per_page=2)
                expected = list(selectors._upcoming_query(student.pk, now, skill, by)[2 * (page - 1):2 * page + 1])
                assert [(r.group.pk, r.my_seat, r.my_wait, r.skill_names) for r in rows] == [
                    (g.pk, g.my_seat, g.my_wait, g.skill_names) for g in expected[:2]]
                assert later == (len(expected) > 2)
    rows, _ = selectors.upcoming_for_student(student, now=now)
    assert [(r.group.title, r.my_seat, r.my_wait, r.skill_names) for r in rows][:3] == [
        ("G0", False, False, ["Python"]), ("G1", True, False, []), ("G2", False, True, [])]
    assert selectors.mentors_with_groups(now=now) == sorted(
        [(other.pk, "Grace Mentor"), (mentor.pk, mentor.full_name)], key=lambda row: row[1])
    assert selectors.mentors_with_groups(now=soon + timedelta(hours=100)) == []
    for g in groups[:3]:
        page = selectors.group_for_page(g.pk)
        assert (page.pk, page.mentor.full_name, page.cancelled_by, page.skill_names) == (
            g.pk, g.mentor.full_name, None, ["Python"] if g.pk == groups[0].pk else [])
        assert selectors.seat_of(g, student) == GroupSeat.objects.filter(
            session=g, student=student, status__in=[SeatStatus.BOOKED, SeatStatus.ATTENDED, SeatStatus.NO_SHOW]).first()
        assert selectors.waiting_entry_of(g, student) == g.waitlist.filter(student=student, status="waiting").first()
    assert selectors.seat_of(groups[1], student) and selectors.waiting_entry_of(groups[2], student)
    assert selectors.group_for_page(0) is None
    compiled, plain = current_enrolment(student), current_enrolment_query(student).first()
    assert (compiled.pk, compiled.plan.name, compiled.account_group_balance) == (
        plain.pk, plain.plan.name, plain.account_group_balance)
    assert current_enrolment(other) is None
