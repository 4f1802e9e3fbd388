"""The agenda's week, built in Python once per item: each session and free range of the seven days took a
`{% url %}`, an include and two or three `|date` filters in the template, most of the page's rendering."""

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts import datefmt
from scheduling.templatetags.scheduling_tags import _badges, status_html  # the badges of _status.html

register = template.Library()


def _day_items(day, *, zone, now, prefix: str, free: str, badges: dict) -> str:
    """The `<li>` items of one day of the agenda's week: its sessions, then its free ranges."""
    out = []
    for session in day["sessions"]:
        starts, ends = session.starts_at.astimezone(zone), session.ends_at.astimezone(zone)
        out.append(
            f'<li class="mb-1" data-testid="week-session"><a href="{prefix}{session.pk}/">{starts:%H:%M}–{ends:%H:%M}</a>\n'
            f'          {conditional_escape(session.student.get_full_name())} {status_html(session, now, badges)}</li>'
        )
    for start, end in day["free"]:
        start, end = start.astimezone(zone), end.astimezone(zone)
        out.append(f'<li class="mb-1 agenda-free" id="free-{int(start.timestamp())}" data-testid="week-free">'
                   f'{free} {start:%H:%M}–{end:%H:%M}</li>')
    return "\n        ".join(out)


@register.simple_tag(takes_context=True)
def agenda_week_days(context, week_days):
    """The seven `<li>` days of the agenda's week, each with its heading and items (or "Nothing."): built here
    once, with the words and the session URL looked up once for the week, not per day in the template."""
    zone, now = timezone.get_current_timezone(), context["now"]
    prefix = reverse("scheduling:session-detail", args=[0])[:-2]
    free = conditional_escape(_("Free"))
    heading_format = _("l j M")
    names = datefmt.day_and_month_names()
    badges = _badges(get_language())
    today = f' <span class="badge text-bg-primary">{conditional_escape(_("today"))}</span>'
    nothing = f'<p class="small mb-0">{conditional_escape(_("Nothing."))}</p>'
    out = []
    for day in week_days:
        if day["sessions"] or day["free"]:
            body = (f'<ul class="list-unstyled small mb-0">\n        '
                    f'{_day_items(day, zone=zone, now=now, prefix=prefix, free=free, badges=badges)}\n      </ul>')
        else:
            body = nothing
        is_today = day["is_today"]
        out.append(
            f'<li class="border rounded p-2{" border-primary" if is_today else ""}" data-day="{day["day"]:%Y-%m-%d}">\n'
            f'      <h3 class="h6 mb-1">{conditional_escape(datefmt.format(day["day"], heading_format, names))}'
            f'{today if is_today else ""}</h3>\n      {body}\n    </li>'
        )
    return mark_safe("\n    ".join(out))


@register.simple_tag
def agenda_feedback(recent_feedback):
    """The latest feedback's `<blockquote>`s, as the template's loop wrote them (its whitespace included): the
    rating, the comment, the student and the day, with the day's format looked up once, not per item."""
    zone = timezone.get_current_timezone()
    day_format, names = _("j M"), datefmt.day_and_month_names()
    out = []
    for feedback in recent_feedback:
        comment = f"“{conditional_escape(feedback.comment)}”" if feedback.comment else ""
        out.append(
            f'\n          <blockquote class="border-start ps-2 small mb-2">{feedback.rating} ★ {comment}<br>'
            f'<span class="text-secondary">{conditional_escape(feedback.session.student.get_full_name())}, '
            f'{datefmt.format(feedback.created_at.astimezone(zone), day_format, names)}</span></blockquote>\n        '
        )
    return mark_safe("".join(out))
