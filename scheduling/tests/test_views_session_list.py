"""Sessions: a status filter, the other person, a page at a time, constant queries."""

from datetime import timedelta

import pytest
from django.urls import reverse

from accounts.tests.factories import MentorFactory, StudentFactory
from scheduling import services
from scheduling.models import SessionStatus
from scheduling.tests.helpers import at, bookable_mentor, give_credits

pytestmark = pytest.mark.django_db
NOW = at("2027-01-04 12:00")
URL = reverse("scheduling:session-list")


@pytest.fixture
def setup(time_machine):
    time_machine.move_to(NOW, tick=False)
    mentor = MentorFactory(timezone="Europe/London", full_name="Ada Mentor")
    service = bookable_mentor(mentor, hours=range(0, 24))
    sam, kim = StudentFactory(full_name="Sam Student"), StudentFactory(full_name="Kim Student")
    for student in (sam, kim):
        give_credits(student, 40, now=NOW)
    return mentor, service, sam, kim


def book(student, mentor, service, days, hour=10):
    return services.booking_create(student=student, mentor=mentor, service=service, actor=student, now=NOW,
                                   starts_at=NOW + timedelta(days=days, hours=hour - 12))


def test_sessions_are_filtered_by_status_and_paged(client, setup):
    mentor, service, sam, _ = setup
    sessions = [book(sam, mentor, service, days) for days in range(2, 27)]
    for session in sessions[:3]:
        services.session_cancel(session=session, actor=sam, now=NOW, reason="")
    client.force_login(sam)

    first = client.get(URL)
    assert first.context["page_obj"].paginator.count == 25 and len(first.context["sessions"]) == 20
    assert "Page 1 of 2" in first.content.decode()
    assert len(client.get(URL, {"page": 2}).context["sessions"]) == 5

    cancelled = client.get(URL, {"status": SessionStatus.CANCELLED})
    assert {s.status for s in cancelled.context["sessions"]} == {SessionStatus.CANCELLED}
    assert cancelled.context["page_obj"].paginator.count == 3
    assert 'value="cancelled" selected' in cancelled.content.decode()
    upcoming = client.get(URL, {"status": "upcoming"}).context["page_obj"].paginator.count
    assert upcoming == 22
    # A filter it does not know shows everything rather than an error.
    assert client.get(URL, {"status": "nonsense", "page": "x"}).context["page_obj"].paginator.count == 25


def test_a_mentor_sees_the_sessions_with_one_student_and_strangers_are_ignored(client, setup):
    mentor, service, sam, kim = setup
    book(sam, mentor, service, 2)
    book(sam, mentor, service, 3)
    book(kim, mentor, service, 4)
    stranger = StudentFactory()
    client.force_login(mentor)

    with_sam = client.get(URL, {"with": sam.pk})
    assert with_sam.context["other"] == sam and with_sam.context["page_obj"].paginator.count == 2
    assert "Sessions with Sam Student" in with_sam.content.decode()
    # Someone the mentor has no session with is not revealed: the whole list shows.
    with_stranger = client.get(URL, {"with": stranger.pk})
    assert with_stranger.context["other"] is None and with_stranger.context["page_obj"].paginator.count == 3
    assert stranger.get_full_name() not in with_stranger.content.decode()


def test_the_session_list_keeps_a_constant_number_of_queries(client, setup, django_assert_max_num_queries):
    mentor, service, sam, _ = setup
    book(sam, mentor, service, 2)
    client.force_login(sam)
    with django_assert_max_num_queries(20) as few:
        client.get(URL)
    for days in range(3, 27):
        book(sam, mentor, service, days)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(URL)


def test_my_students_link_each_student_to_the_sessions_together(client, setup):
    from mentorship.models import MentorAssignment

    mentor, _, sam, _ = setup
    MentorAssignment.objects.create(student=sam, mentor=mentor, started_at=NOW, reason="r")
    client.force_login(mentor)
    page = client.get(reverse("portal:my-students")).content.decode()
    assert f'href="{URL}?with={sam.pk}"' in page
