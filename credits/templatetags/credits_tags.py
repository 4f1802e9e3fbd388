from django import template
from django.utils import timezone

from ..selectors import UNREAD, credits_summary, current_enrolment, group_summary

register = template.Library()


@register.inclusion_tag("credits/_card.html", takes_context=True)
def credits_card(context, user):
    """The overview's credits card. A page that already read the student's enrolment passes it as
    `credits_enrolment` (None: no current plan), so the card adds no query; otherwise it is read once here."""
    now = timezone.now()
    enrolment = context.get("credits_enrolment", UNREAD)
    if enrolment is UNREAD:
        enrolment = current_enrolment(user)
    return {"summary": credits_summary(user, now=now, enrolment=enrolment),
            "group": group_summary(user, now=now, enrolment=enrolment)}
