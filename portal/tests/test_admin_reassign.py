"""The success manager's "Reassign mentor" page in the admin."""

import pytest
from django.urls import reverse

from accounts.roles import success_manager_permission_names
from mentorship.models import MentorAssignment, StudentInterest
from mentorship.tests.factories import make_mentor, make_student, skill, weekdays

pytestmark = pytest.mark.django_db


def url_for(student):
    return reverse("admin:mentorship_reassign", args=[student.pk])


def test_the_permission_is_declared_for_success_managers():
    assert "mentorship.reassign_mentor" in success_manager_permission_names()


def test_the_page_lists_ranked_suggestions_with_explanations(client, manager):
    student = make_student(timezone_name="Europe/London", hours=weekdays(range(9, 12)), full_name="Stu")
    StudentInterest.objects.create(student=student, skill=skill("Python"))
    best = make_mentor(timezone_name="Europe/London", hours=weekdays(range(9, 12)), skills=["Python"], full_name="Best")
    make_mentor(timezone_name="Asia/Tokyo", hours=weekdays(range(9, 12)), full_name="Nowhere")
    client.force_login(manager)
    response = client.get(url_for(student))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("Best") < html.index("Nowhere")
    assert "15 shared hours a week · 1 of 1 skill · 5 seats left" in html
    assert "No shared hours this week" in html
    assert best.pk in [m.mentor_id for m in response.context["matches"]]


def test_the_students_list_links_to_reassign_and_shows_the_current_mentor(client, manager):
    student, mentor = make_student(full_name="Listed Student"), make_mentor(full_name="Their Mentor")
    MentorAssignment.objects.create(student=student, mentor=mentor, started_at="2026-01-01T00:00Z", reason="r")
    waiting = make_student(full_name="Waiting Student")
    client.force_login(manager)
    html = client.get(reverse("admin:mentorship_studentaccount_changelist")).content.decode()
    assert "Their Mentor" in html and "waiting to be paired" in html
    assert url_for(student) in html and url_for(waiting) in html
    change = client.get(reverse("admin:mentorship_studentaccount_change", args=[student.pk])).content.decode()
    assert url_for(student) in change


def test_reassigning_records_the_reason_and_sends_three_emails(
    client, manager, mailoutbox, django_capture_on_commit_callbacks
):
    student, old, new = make_student(), make_mentor(full_name="Old"), make_mentor(full_name="New")
    MentorAssignment.objects.create(student=student, mentor=old, started_at="2026-01-01T00:00Z", reason="start")
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url_for(student), {"mentor": new.pk, "reason": "Better hours"})
    assert response.status_code == 302
    current = MentorAssignment.objects.current().get(student=student)
    assert current.mentor == new and current.reason == "Better hours" and current.assigned_by == manager
    assert {m.to[0] for m in mailoutbox} == {student.email, old.email, new.email}


def test_a_reason_is_required_and_nothing_changes_without_it(client, manager):
    student, mentor = make_student(), make_mentor()
    client.force_login(manager)
    response = client.post(url_for(student), {"mentor": mentor.pk, "reason": "   "})
    assert response.status_code == 400
    assert not MentorAssignment.objects.exists()


def test_a_full_mentor_needs_the_override_box(client, manager, mailoutbox):
    student, mentor = make_student(), make_mentor(capacity=0, full_name="Zero Seats")
    client.force_login(manager)
    response = client.post(url_for(student), {"mentor": mentor.pk, "reason": "Only fit"})
    assert response.status_code == 400
    assert "Zero Seats is full" in response.content.decode()
    assert not MentorAssignment.objects.exists()
    response = client.post(url_for(student), {"mentor": mentor.pk, "reason": "Only fit", "override_capacity": "on"})
    assert response.status_code == 302
    assert MentorAssignment.objects.current().get(student=student).mentor == mentor


def test_a_mentor_not_in_the_list_is_refused(client, manager):
    student = make_student()
    client.force_login(manager)
    other_student = make_student()
    response = client.post(url_for(student), {"mentor": other_student.pk, "reason": "x"})
    assert response.status_code == 400
    assert "Choose one of the mentors listed" in response.content.decode()
    response = client.post(url_for(student), {"mentor": "not-a-number", "reason": "x"})
    assert response.status_code == 400
    assert not MentorAssignment.objects.exists()


def test_only_students_can_be_reassigned(client, manager):
    mentor = make_mentor()
    client.force_login(manager)
    assert client.get(url_for(mentor)).status_code == 404
    assert client.get(reverse("admin:mentorship_reassign", args=[999999])).status_code == 404


def test_students_mentors_and_managers_without_the_permission_are_kept_out(client, student, manager):
    target, mentor = make_student(), make_mentor()
    client.force_login(student)
    assert client.post(url_for(target), {"mentor": mentor.pk, "reason": "x"}).status_code == 302  # to admin login
    from django.contrib.auth.models import Group

    manager.groups.set([])
    manager_without = type(manager).objects.get(pk=manager.pk)
    client.force_login(manager_without)
    assert client.post(url_for(target), {"mentor": mentor.pk, "reason": "x"}).status_code == 403
    assert not MentorAssignment.objects.exists()
    assert Group.objects.exists()


def test_other_methods_are_refused(client, manager):
    client.force_login(manager)
    assert client.put(url_for(make_student())).status_code == 405


@pytest.mark.parametrize("model", ["skill", "language", "mentorprofile", "availabilitygrid", "timeoff",
                                   "mentorassignment", "studentaccount"])
def test_every_mentorship_admin_list_opens_for_a_success_manager(client, manager, model):
    from django.utils import timezone

    from mentorship.models import TimeOff
    from mentorship.tests.factories import give_grid

    mentor = make_mentor(skills=["Python"])
    give_grid(mentor, weekdays(range(9, 10)))
    TimeOff.objects.create(user=mentor, starts_on="2030-01-01", ends_on="2030-01-02", created_at=timezone.now())
    MentorAssignment.objects.create(student=make_student(), mentor=mentor, started_at=timezone.now(), reason="r")
    client.force_login(manager)
    assert client.get(reverse(f"admin:mentorship_{model}_changelist")).status_code == 200
