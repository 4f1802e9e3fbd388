"""The agenda's week, built in Python once per item: each session and free range of the seven days took a
`{% url %}`, an include and two or three `|date` filters in the template, most of the page's rendering."""

import functools

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts import datefmt
from scheduling.wording import phase

register = template.Library()


@functools.lru_cache(maxsize=None)
def _badges(language: str | None) -> dict[str, str]:
    """Each badge of scheduling/_status.html, word for word, in `language` (the active one when called): built
    once per language, not per session (a week at 10 × data holds eighty)."""
    # Looked up before the f-strings: xgettext doesn't read calls inside an f-string.
    in_progress, waiting, scheduled = _("In progress — join now"), _("Waiting for attendance"), _("Scheduled")
    completed, cancelled = _("Completed"), _("Cancelled")
    refunded, forfeited = _("Cancelled late · credit refunded"), _("Forfeited")
    return {
        "in_progress": f'<span class="badge text-bg-success" data-testid="phase">{conditional_escape(in_progress)}</span>',
        "awaiting_attendance": f'<span class="badge text-bg-warning" data-testid="phase">{conditional_escape(waiting)}</span>',
        "scheduled": f'<span class="badge text-bg-primary">{conditional_escape(scheduled)}</span>',
        "completed": f'<span class="badge text-bg-success">{conditional_escape(completed)}</span>',
        "cancelled": f'<span class="badge text-bg-secondary">{conditional_escape(cancelled)}</span>',
        "refunded": f'<span class="badge text-bg-success">{conditional_escape(refunded)}</span>',
        "forfeited": f'<span class="badge text-bg-warning">{conditional_escape(forfeited)}</span>',
    }


def status_html(session, now, badges: dict | None = None) -> str:
    """What scheduling/_status.html renders, word for word. `badges`: `_badges(get_language())`, when the
    caller shows many."""
    badges = badges or _badges(get_language())
    status = session.status
    if status == "scheduled":
        ph = phase(session, now)
        if ph == "in_progress" or ph == "awaiting_attendance":
            return badges[ph]
        return badges["scheduled"]
    if status == "completed" or status == "cancelled":
        return badges[status]
    if status == "forfeited":
        return badges["refunded"] if session.forfeit_waived_at else badges["forfeited"]
    return f'<span class="badge text-bg-danger">{conditional_escape(session.get_status_display())}</span>'


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
