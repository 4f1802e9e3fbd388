from django import template
from django.urls import reverse

register = template.Library()


@register.inclusion_tag("mentorship/_avatar.html")
def mentor_avatar(person, profile=None, extra_class=""):
    """A photo when the mentor has one, their initials otherwise."""
    photo_url = reverse("mentorship:mentor-photo", args=[person.pk]) if profile and profile.photo else ""
    return {"person": person, "photo_url": photo_url, "extra_class": extra_class}
