from django import template
from django.utils import timezone

from ..selectors import credits_summary, group_summary

register = template.Library()


@register.inclusion_tag("credits/_card.html")
def credits_card(user):
    """The overview's credits card."""
    now = timezone.now()
    return {"summary": credits_summary(user, now=now), "group": group_summary(user, now=now)}
