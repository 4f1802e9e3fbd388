"""The mentor card at the top of the student's overview."""

import pytest
from django.urls import reverse
from django.utils import timezone

from mentorship.models import MentorAssignment, MentorProfile
from mentorship.tests.factories import make_mentor, make_student, weekdays

pytestmark = pytest.mark.django_db
OVERVIEW = reverse("portal:overview")


def test_without_a_mentor_the_student_sees_the_pairing_state(client):
    student = make_student()
    client.force_login(student)
    html = client.get(OVERVIEW).content.decode()
    assert "We are pairing you with a mentor" in html
    assert "Add more hours to speed it up" in html
    assert reverse("mentorship:availability") in html


def test_with_a_mentor_the_card_shows_them_with_their_time_and_shared_hours(client):
    student = make_student(timezone_name="Europe/London", hours={d: range(0, 24) for d in range(7)})
    mentor = make_mentor(timezone_name="Asia/Kolkata", hours=weekdays(range(18, 20)), full_name="Ravi Menon")
    MentorProfile.objects.filter(user=mentor).update(video_url="https://meet.example.com/ravi", headline="Data person")
    MentorAssignment.objects.create(student=student, mentor=mentor, started_at=timezone.now(), reason="r")
    client.force_login(student)
    html = client.get(OVERVIEW).content.decode()
    assert "Ravi Menon" in html and "Data person" in html and "https://meet.example.com/ravi" in html
    assert "Asia/Kolkata" in html and ">RM<" in html  # initials without a photo
    assert '<span data-testid="shared-hours">10</span>' in html


def test_the_card_costs_the_same_queries_whatever_the_history(client, django_assert_max_num_queries):
    student = make_student()
    now = timezone.now()
    for i in range(6):
        MentorAssignment.objects.create(student=student, mentor=make_mentor(), started_at=now, reason="r",
                                        ended_at=None if i == 5 else now)
    client.force_login(student)
    with django_assert_max_num_queries(16):  # + the booking outlook (plan, balance, upcoming) and open proposals
        assert client.get(OVERVIEW).status_code == 200


def test_the_mentors_local_time_is_shown_in_the_mentors_zone_not_the_students(client):
    import time_machine

    student = make_student(timezone_name="America/Los_Angeles")
    mentor = make_mentor(timezone_name="Asia/Kolkata", full_name="Far Away")
    with time_machine.travel("2027-01-11 12:00Z", tick=False):
        MentorAssignment.objects.create(student=student, mentor=mentor, started_at=timezone.now(), reason="r")
        client.force_login(student)
        overview = client.get(OVERVIEW).content.decode()
        detail = client.get(reverse("portal:mentor-detail", args=[mentor.pk])).content.decode()
        client.force_login(mentor)
        students = client.get(reverse("portal:my-students")).content.decode()
    assert "their time now Mon 17:30" in overview  # 12:00Z is 17:30 in Kolkata (04:00 in Los Angeles)
    assert "their time now Mon 17:30" in detail
    assert "Mon 04:00" in students  # the student's own local time on the mentor's page
