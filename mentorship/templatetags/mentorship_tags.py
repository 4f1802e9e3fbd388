from django import template
from django.urls import reverse
from django.utils import timezone

from mentorship import selectors

register = template.Library()


@register.inclusion_tag("mentorship/_mentor_card.html")
def mentor_card(user):
    """The student's mentor at the top of the overview (or the pairing state)."""
    return {"card": selectors.mentor_card(user, now=timezone.now())}


@register.inclusion_tag("mentorship/_avatar.html")
def mentor_avatar(person, profile=None, extra_class=""):
    """A photo when the mentor has one, their initials otherwise."""
    photo_url = reverse("mentorship:mentor-photo", args=[person.pk]) if profile and profile.photo else ""
    return {"person": person, "photo_url": photo_url, "extra_class": extra_class}
