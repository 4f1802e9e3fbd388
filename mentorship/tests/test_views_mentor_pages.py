"""Mentor profile, time off, the public profile, the directory and the mentor's students."""

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import MentorFactory
from mentorship.models import Language, MentorAssignment, MentorProfile, TimeOff

from .factories import make_mentor, make_student, skill, weekdays

pytestmark = pytest.mark.django_db
PROFILE_URL = reverse("mentorship:profile-edit")
TIME_OFF_URL = reverse("scheduling:time-off")


def profile_data(**overrides):
    data = {
        "full_name": "Ada Lovelace", "timezone": "America/New_York", "headline": "Engines",
        "bio": "I <b>like</b> engines.", "years_experience": "12", "video_url": "https://meet.example.com/ada",
        "accepting_new_students": "on", "capacity": "4", "skills": [], "languages": [],
    }
    data.update(overrides)
    return data


def test_a_mentor_without_a_profile_sees_the_form_and_saving_creates_it(client):
    mentor = MentorFactory()
    client.force_login(mentor)
    assert client.get(PROFILE_URL).status_code == 200
    python = skill("Python")
    english = Language.objects.create(name="English")
    response = client.post(PROFILE_URL, profile_data(skills=[python.pk], languages=[english.pk]))
    assert response.status_code == 302
    profile = MentorProfile.objects.get(user=mentor)
    assert profile.headline == "Engines" and profile.capacity == 4 and list(profile.skills.all()) == [python]
    # Name and zone are edited in one place (Settings → Profile & time zone), not here.
    name, zone = mentor.full_name, mentor.timezone
    mentor.refresh_from_db()
    assert (mentor.full_name, mentor.timezone) == (name, zone)


@pytest.mark.parametrize("url", ["http://meet.example.com/ada", "javascript:alert(1)", "ftp://x.example.com/"])
def test_the_video_url_must_be_https(client, url):
    mentor = make_mentor()
    client.force_login(mentor)
    response = client.post(PROFILE_URL, profile_data(video_url=url))
    assert response.status_code == 400
    assert "https://" in response.content.decode()
    assert MentorProfile.objects.get(user=mentor).video_url == ""


def test_the_bio_is_length_limited_and_shown_escaped(client, student):
    mentor = make_mentor()
    client.force_login(mentor)
    assert client.post(PROFILE_URL, profile_data(bio="x" * 2001)).status_code == 400
    assert client.post(PROFILE_URL, profile_data()).status_code == 302
    client.force_login(student)
    html = client.get(reverse("portal:mentor-detail", args=[mentor.pk])).content.decode()
    assert "I &lt;b&gt;like&lt;/b&gt; engines." in html and "<b>like</b>" not in html


def test_a_photo_is_optional_and_served_only_to_signed_in_users(client, student, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    mentor = make_mentor()
    client.force_login(mentor)
    gif = (b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,"
           b"\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")
    photo = SimpleUploadedFile("me.gif", gif, content_type="image/gif")
    assert client.post(PROFILE_URL, {**profile_data(), "photo": photo}).status_code == 302
    photo_url = reverse("mentorship:mentor-photo", args=[mentor.pk])
    client.force_login(student)
    assert client.get(photo_url).status_code == 200
    assert photo_url in client.get(reverse("portal:mentor-detail", args=[mentor.pk])).content.decode()
    client.logout()
    assert client.get(photo_url).status_code == 302
    not_an_image = SimpleUploadedFile("x.gif", b"<svg onload=alert(1)>", content_type="image/gif")
    client.force_login(mentor)
    assert client.post(PROFILE_URL, {**profile_data(), "photo": not_an_image}).status_code == 400


def test_profile_editing_is_for_mentors_only(client, student):
    client.force_login(student)
    assert client.get(PROFILE_URL).status_code == 403
    assert client.post(PROFILE_URL, profile_data()).status_code == 403
    assert not MentorProfile.objects.exists()


def test_nobody_edits_another_mentors_profile(client):
    ada, other = make_mentor(full_name="Ada"), make_mentor(full_name="Other")
    client.force_login(other)
    client.post(PROFILE_URL, profile_data(full_name="Hacked", headline="Hacked"))
    ada.refresh_from_db()
    assert ada.full_name == "Ada" and MentorProfile.objects.get(user=ada).headline != "Hacked"


def test_public_profile_is_for_signed_in_users_and_only_shows_mentors(client, student):
    mentor = make_mentor(full_name="Public Mentor")
    url = reverse("portal:mentor-detail", args=[mentor.pk])
    assert client.get(url).status_code == 302
    client.force_login(student)
    assert "Public Mentor" in client.get(url).content.decode()
    assert client.get(reverse("portal:mentor-detail", args=[student.pk])).status_code == 404
    assert client.get(reverse("portal:mentor-detail", args=[999999])).status_code == 404
    assert client.post(url).status_code == 405


def test_time_off_add_list_and_delete(client):
    mentor = make_mentor(timezone_name="America/New_York")
    client.force_login(mentor)
    today = mentor.local_now().date()
    response = client.post(TIME_OFF_URL, {"starts_on": today + timedelta(days=3), "ends_on": today + timedelta(days=5),
                                          "reason": "Holiday"})
    assert response.status_code == 302
    entry = TimeOff.objects.get(user=mentor)
    assert "Holiday" in client.get(TIME_OFF_URL).content.decode()
    delete_url = reverse("scheduling:time-off-delete", args=[entry.pk])
    assert client.get(delete_url).status_code == 405
    assert TimeOff.objects.filter(pk=entry.pk).exists()
    assert client.post(delete_url).status_code == 302
    assert not TimeOff.objects.filter(pk=entry.pk).exists()
    assert client.post(delete_url).status_code == 404  # the repeat does nothing


def test_time_off_refuses_backwards_or_past_ranges(client):
    mentor = make_mentor()
    client.force_login(mentor)
    today = mentor.local_now().date()
    html = client.post(TIME_OFF_URL, {"starts_on": today + timedelta(days=5), "ends_on": today + timedelta(days=1)}).content.decode()
    assert "on or after the first" in html
    html = client.post(TIME_OFF_URL, {"starts_on": date(2020, 1, 1), "ends_on": date(2020, 1, 2)}).content.decode()
    assert "already over" in html
    html = client.post(TIME_OFF_URL, {"starts_on": "soon", "ends_on": ""}).content.decode()
    assert "Enter a valid date" in html
    assert not TimeOff.objects.exists()


def test_nobody_deletes_another_mentors_time_off(client):
    owner, other = make_mentor(), make_mentor()
    entry = TimeOff.objects.create(user=owner, starts_on=date(2030, 1, 1), ends_on=date(2030, 1, 2),
                                   created_at=timezone.now())
    client.force_login(other)
    assert client.post(reverse("scheduling:time-off-delete", args=[entry.pk])).status_code == 404
    assert TimeOff.objects.filter(pk=entry.pk).exists()


def test_time_off_is_for_mentors(client, student):
    client.force_login(student)
    assert client.get(TIME_OFF_URL).status_code == 403


def test_directory_shows_shared_hours_and_filters(client):
    student = make_student(timezone_name="Europe/London", hours=weekdays(range(9, 12)))
    python, sql = skill("Python"), skill("SQL")
    hindi = Language.objects.create(name="Hindi")
    make_mentor(timezone_name="Europe/London", hours=weekdays(range(9, 11)), skills=["Python"], full_name="Near")
    far = make_mentor(timezone_name="Asia/Tokyo", hours=weekdays(range(9, 11)), skills=["SQL"], full_name="Far")
    far.mentor_profile.languages.add(hindi)
    full = make_mentor(hours=weekdays(range(9, 10)), capacity=0, full_name="Fully Booked")
    client.force_login(student)
    response = client.get(reverse("portal:directory"))
    entries = response.context["entries"]
    assert [e.mentor.full_name for e in entries] == ["Near", "Fully Booked", "Far"]
    assert [e.shared_hours for e in entries] == [10, 5, 0]
    html = response.content.decode()
    assert "Headline of Near" in html and "Python" in html
    assert [e.mentor for e in client.get(reverse("portal:directory"), {"skill": sql.pk}).context["entries"]] == [far]
    assert [e.mentor for e in client.get(reverse("portal:directory"), {"language": hindi.pk}).context["entries"]] == [far]
    accepting = client.get(reverse("portal:directory"), {"accepting": "on"}).context["entries"]
    assert full not in [e.mentor for e in accepting]
    # A bad filter value is ignored with the form's message, never a 500.
    assert client.get(reverse("portal:directory"), {"skill": "abc"}).status_code == 200
    assert python  # used by Near's profile


def _seed_mentors(n, skills):
    for i in range(n):
        mentor = make_mentor(hours=weekdays(range(9, 10 + i % 5)), skills=skills)
        MentorAssignment.objects.create(student=make_student(), mentor=mentor, started_at=timezone.now(), reason="r")


def test_directory_query_count_is_the_same_with_10_and_200_mentors(client, django_assert_num_queries):
    student = make_student(hours=weekdays(range(9, 12)))
    client.force_login(student)
    url = reverse("portal:directory")
    _seed_mentors(10, ["Python", "SQL"])
    client.get(url)  # warm the session
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert len(client.get(url).context["entries"]) == 10
    _seed_mentors(190, ["Python"])
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(url)
    # Paginated: the first page of the 200, ranked over all of them.
    assert len(response.context["entries"]) == 12 and response.context["page"].total == 200
    assert response.context["page"].num_pages == 17 and "Page 1 of 17" in response.content.decode()


def test_my_students_lists_current_students_with_their_time_and_shared_hours(client, django_assert_max_num_queries):
    mentor = make_mentor(timezone_name="Europe/London", hours=weekdays(range(9, 12)))
    kept = make_student(timezone_name="Asia/Kolkata", hours=weekdays(range(14, 16)), full_name="Kept")
    gone = make_student(full_name="Gone")
    now = timezone.now()
    MentorAssignment.objects.create(student=kept, mentor=mentor, started_at=now, reason="r")
    MentorAssignment.objects.create(student=gone, mentor=mentor, started_at=now - timedelta(days=9),
                                    ended_at=now - timedelta(days=1), reason="r")
    client.force_login(mentor)
    html = client.get(reverse("portal:my-students")).content.decode()
    assert "Kept" in html and "Asia/Kolkata" in html and "Gone" not in html
    rows = client.get(reverse("portal:my-students")).context["rows"]
    assert [r.student for r in rows] == [kept] and rows[0].shared_hours > 0
    for _ in range(15):
        MentorAssignment.objects.create(student=make_student(), mentor=mentor, started_at=now, reason="r")
    with django_assert_max_num_queries(8):
        client.get(reverse("portal:my-students"))


def test_students_cannot_see_the_mentors_students_page(client, student):
    client.force_login(student)
    assert client.get(reverse("portal:my-students")).status_code == 403


def test_learning_goals_are_saved_for_the_student(client, student):
    python = skill("Python")
    client.force_login(student)
    assert client.post(reverse("mentorship:interests"), {"skills": [python.pk]}).status_code == 302
    assert list(student.skill_interests.values_list("skill_id", flat=True)) == [python.pk]
    assert client.post(reverse("mentorship:interests"), {"skills": ["999"]}).status_code == 200  # error shown
    assert list(student.skill_interests.values_list("skill_id", flat=True)) == [python.pk]


def test_a_mentor_without_profile_or_grid_breaks_no_page(client, manager):
    bare = MentorFactory(full_name="Bare Mentor")
    student = make_student(hours=weekdays(range(9, 10)))
    MentorAssignment.objects.create(student=student, mentor=bare, started_at=timezone.now(), reason="r")
    client.force_login(student)
    for url in [reverse("portal:directory"), reverse("portal:mentor-detail", args=[bare.pk]),
                reverse("portal:overview")]:
        response = client.get(url)
        assert response.status_code == 200 and "Bare Mentor" in response.content.decode()
    assert client.get(reverse("mentorship:mentor-photo", args=[bare.pk])).status_code == 404
    client.force_login(bare)
    assert client.get(reverse("portal:my-students")).status_code == 200
    assert client.get(reverse("mentorship:availability")).status_code == 200
    client.force_login(manager)
    other = make_student()
    assert "Bare Mentor" in client.get(reverse("admin:mentorship_reassign", args=[other.pk])).content.decode()
