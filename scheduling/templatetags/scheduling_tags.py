from django import template

register = template.Library()


@register.simple_tag
def can_join(session, now):
    return session.can_join(now)
