"""`{% load timefmt %}` — the one way templates write a moment (see accounts/timefmt.py).

    {{ session.starts_at|when:student }}           <time …>Mon 30 Nov, 14:00 (America/New_York)</time>
    {{ session.starts_at|when }}                   in the current zone (an email renders in its recipient's)
    {% when_span session.starts_at session.ends_at student %}
    {{ entry.created_at|when_text:student }}       plain text, for subjects and text bodies
"""

from django import template

from accounts import timefmt

register = template.Library()


@register.filter
def when(value, zone=None):
    return timefmt.when_html(value, zone)


@register.filter
def when_text(value, zone=None):
    return timefmt.format_when(value, zone)


@register.simple_tag
def when_span(starts_at, ends_at, zone=None):
    return timefmt.when_html(starts_at, zone, ends_at=ends_at)


@register.simple_tag
def when_span_text(starts_at, ends_at, zone=None):
    return timefmt.format_span(starts_at, ends_at, zone)
