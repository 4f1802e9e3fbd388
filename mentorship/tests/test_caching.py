"""Grids and the skill/language lists come from the cache, and a save shows at once."""

import pytest
from django.urls import reverse

from mentorship.models import Language
from mentorship.services import grid_save

from .factories import make_mentor, make_student, skill, weekdays

pytestmark = pytest.mark.django_db


def test_a_saved_grid_shows_in_the_directory_at_once(client):
    student = make_student(hours=weekdays(range(9, 12)))
    make_mentor(hours=weekdays(range(9, 12)), skills=["Python"])
    client.force_login(student)
    url = reverse("portal:directory")
    assert client.get(url).context["entries"][0].shared_hours > 0  # cached now
    from django.utils import timezone

    grid_save(user=student, cells="0" * 168, now=timezone.now())
    response = client.get(url)
    assert response.context["entries"][0].shared_hours == 0
    assert "You have not marked any hours yet" in response.content.decode()


def test_a_new_skill_or_language_is_offered_in_the_filters_at_once(client):
    client.force_login(make_student())
    url = reverse("portal:directory")
    client.get(url)  # the lists are cached now
    skill("Elixir")
    Language.objects.create(name="Swahili")
    page = client.get(url).content.decode()
    assert "Elixir" in page and "Swahili" in page


def test_the_directory_pages_through_every_mentor_and_survives_a_bad_page_number(client):
    student = make_student(hours=weekdays(range(9, 12)))
    for _ in range(30):
        make_mentor(hours=weekdays(range(9, 12)))
    client.force_login(student)
    url = reverse("portal:directory")
    pages = [client.get(url, {"page": n}).context["entries"] for n in (1, 2, 3)]
    assert [len(p) for p in pages] == [12, 12, 6]
    assert len({e.mentor.pk for p in pages for e in p}) == 30
    for bad in ("x", "-3", "999"):
        assert client.get(url, {"page": bad}).status_code == 200
