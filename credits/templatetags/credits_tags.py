from django import template
from django.utils import timezone

from ..selectors import credits_summary

register = template.Library()


@register.inclusion_tag("credits/_card.html")
def credits_card(user):
    """The overview's credits card."""
    return {"summary": credits_summary(user, now=timezone.now())}
