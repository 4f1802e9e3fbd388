"""The mentor page: everything it shows comes with one read of the mentor."""

import pytest
from django.urls import reverse
from django.utils import timezone

from conversations.models import Thread
from mentorship.models import Language, MentorAssignment, MentorProfile
from mentorship.tests.factories import make_mentor, make_student

pytestmark = pytest.mark.django_db


def test_the_mentor_page_shows_everything_from_one_read_of_the_mentor(client, django_assert_max_num_queries):
    mentor = make_mentor(full_name="Ada Lovelace", capacity=4, skills=("SQL", "Python"))
    MentorProfile.objects.filter(user=mentor).update(bio="I <b>like</b> engines.", years_experience=12,
                                                     video_url="https://meet.example.com/ada")
    profile = MentorProfile.objects.get(user=mentor)
    profile.languages.set([Language.objects.create(name="Welsh"), Language.objects.create(name="Basque")])
    mine, other = make_student(full_name="Mine Student"), make_student(full_name="Other Student")
    MentorAssignment.objects.create(student=mine, mentor=mentor, started_at=timezone.now(), reason="Match")
    thread = Thread.objects.create(student=mine, mentor=mentor, created_at=timezone.now())
    url = reverse("portal:mentor-detail", args=[mentor.pk])

    client.force_login(mine)
    client.get(url)
    # login (2), the mentor with all of the above, the outlook (two: no plan), the unread count
    with django_assert_max_num_queries(6):
        html = client.get(url).content.decode()
    assert "Your mentor" in html and "https://meet.example.com/ada" in html
    assert reverse("conversations:thread", args=[thread.pk]) in html
    assert html.index(">Python<") < html.index(">SQL<") and "Basque, Welsh" in html
    assert "3 seats left" in html and "12 years" in html and "I &lt;b&gt;like&lt;/b&gt; engines." in html

    client.force_login(other)
    html = client.get(url).content.decode()
    assert "Your mentor" not in html and "meet.example.com" not in html and "Your conversation" not in html
    assert "3 seats left" in html
