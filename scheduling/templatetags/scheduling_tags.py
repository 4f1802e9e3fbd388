from django import template

from .. import calendar, wording

register = template.Library()


@register.simple_tag
def can_join(session, now):
    return session.can_join(now)


@register.simple_tag
def cancellation_terms(starts_at, now):
    """The 24-hour rule for a start, worded once (scheduling/wording.py) in the active zone."""
    return wording.cancellation_terms(starts_at, now=now)


@register.simple_tag
def session_phase(session, now):
    return wording.phase(session, now)


@register.simple_tag
def google_calendar_url(session):
    return calendar.google_calendar_url(session)


@register.simple_tag
def no_show_opens(session):
    return session.starts_at + wording.NO_SHOW_AFTER
