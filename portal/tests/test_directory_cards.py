"""The directory's cards are built in Python (portal/templatetags/directory_tags.py): the same markup and words."""

import pytest
from django.urls import reverse
from django.utils import timezone

from mentorship.models import MentorProfile
from mentorship.tests.factories import make_mentor, make_student, weekdays
from scheduling.tests.helpers import give_credits

pytestmark = pytest.mark.django_db


def _card(html: str, name: str) -> str:
    return next(card for card in html.split('data-testid="mentor-card"')[1:] if name in card).split("</article>")[0]


def test_each_card_shows_the_mentor_their_skills_hours_and_state(client):
    student = make_student(hours=weekdays(range(9, 12)))
    open_ = make_mentor(full_name="Ada <Open>", hours=weekdays(range(9, 10)), skills=("SQL", "Python"))
    make_mentor(full_name="Closed Mentor", accepting=False)
    make_mentor(full_name="Full Mentor", capacity=0)
    MentorProfile.objects.filter(user=open_).update(photo="mentors/ada.gif", headline="Engines & more")
    client.force_login(student)
    html = client.get(reverse("portal:directory")).content.decode()
    card = _card(html, "Ada &lt;Open&gt;")
    assert f'src="{reverse("mentorship:mentor-photo", args=[open_.pk])}" alt="Photo of Ada &lt;Open&gt;"' in card
    assert f'<a href="{reverse("portal:mentor-detail", args=[open_.pk])}">Ada &lt;Open&gt;</a>' in card
    assert "Engines &amp; more" in card and card.index(">Python<") < card.index(">SQL<")
    assert '<strong data-testid="shared-hours">5</strong> shared hours a week with you' in card
    assert "Not accepting" not in card and ">Full<" not in card
    closed, full = _card(html, "Closed Mentor"), _card(html, "Full Mentor")
    assert "Not accepting" in closed and ">Full<" in full and "No skills listed yet" in full
    assert '<span class="avatar " aria-hidden="true">CM</span>' in closed
    assert "Book Now" not in html  # no plan: the page says why instead

    give_credits(student, 2, now=timezone.now())
    html = client.get(reverse("portal:directory")).content.decode()
    assert f'href="{reverse("scheduling:book-mentor", args=[open_.pk])}">Book Now</a>' in _card(html, "Ada")


def test_the_cards_read_in_spanish(client):
    student = make_student(language="es")
    make_mentor(full_name="Closed Mentor", accepting=False)
    client.force_login(student)
    card = _card(client.get(reverse("portal:directory")).content.decode(), "Closed Mentor")
    assert "No acepta estudiantes" in card and "hora" in card
