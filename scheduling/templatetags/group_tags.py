"""The group sessions list's rows, built once per row in Python (the same markup and words as the template
had), as session rows are in scheduling_tags.py: a page of 20 rows was 20 `{% url %}`, 40 `|date` and a
plural `{% blocktranslate %}` each."""

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape as esc
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts import datefmt

register = template.Library()


@register.simple_tag
def group_rows(rows) -> str:
    zone = timezone.get_current_timezone()
    day_time, hour, names = _("D j M, H:i"), _("H:i"), datefmt.day_and_month_names()
    words = {"seat": esc(_("Your seat")), "wait": esc(_("On the waitlist")), "full": esc(_("Full · waitlist open"))}
    prefix = reverse("scheduling:group-detail", args=[0])[:-2]  # ".../groups/0/" -> ".../groups/"
    parts = []
    for row in rows:
        g = row.group
        starts, ends = timezone.localtime(g.starts_at, zone), timezone.localtime(g.ends_at, zone)
        with_mentor = _("with %(mentor)s") % {"mentor": g.mentor.get_full_name()}
        topic = f'<div class="small">{esc(g.topic)}</div>' if g.topic else ""
        skills = "".join(f'<span class="badge text-bg-light border me-1">{esc(name)}</span>'
                         for name in row.skill_names)
        if row.my_seat:
            state = f'<span class="badge text-bg-success">{words["seat"]}</span>'
        elif row.my_wait:
            state = f'<span class="badge text-bg-warning">{words["wait"]}</span>'
        elif g.is_full:
            state = f'<span class="badge text-bg-secondary">{words["full"]}</span>'
        else:
            # A session has at least 2 seats (a CHECK), so English always says "seats"; the count picks the
            # verb's form ("queda 1", "quedan 3").
            left = ngettext("%(left)s of %(seats)s seats left", "%(left)s of %(seats)s seats left",
                            g.seats_left) % {"left": g.seats_left, "seats": g.seats}
            state = f'<span data-testid="seats-left">{esc(left)}</span>'
        parts.append(
            '<li class="list-group-item d-flex flex-wrap justify-content-between align-items-center gap-2" '
            'data-testid="group-row">\n      <div>\n'
            f'        <a class="fw-semibold" href="{prefix}{g.pk}/">{esc(g.title)}</a>\n'
            f'        <div>{datefmt.format(starts, day_time, names)}–{datefmt.format(ends, hour, names)} · '
            f'{esc(with_mentor)}</div>\n        {topic}\n        {skills}\n      </div>\n'
            f'      <div class="text-end">\n        {state}\n      </div>\n    </li>\n'
        )
    return mark_safe("".join(parts))


@register.simple_tag(takes_context=True)
def overview_groups(context, seats, waits) -> str:
    """The overview's "Your group sessions" card (the student's seats ahead and waitlist places), written here
    rather than by a template of a loop with three `|date` and two `{% blocktranslate %}` per seat."""
    now, zone = context["now"], timezone.get_current_timezone()
    day_time, names = _("D j M, H:i"), datefmt.day_and_month_names()
    prefix = reverse("scheduling:group-detail", args=[0])[:-2]  # ".../groups/0/" -> ".../groups/"
    if seats:
        ended = esc(_("Free cancellation has ended"))
        items = []
        for seat in seats:
            deadline = seat.cancellation_deadline
            if deadline > now:
                until = esc(_("Free cancellation until %(when)s") % {
                    "when": datefmt.format(timezone.localtime(deadline, zone), day_time, names)})
            else:
                until = ended
            items.append(
                '<li class="list-group-item" data-testid="overview-group-seat">\n'
                f'      <a class="fw-semibold" href="{prefix}{seat.session_id}/">{esc(seat.title)}</a>\n'
                f'      · {datefmt.format(timezone.localtime(seat.starts_at, zone), day_time, names)}–'
                f'{timezone.localtime(seat.ends_at, zone):%H:%M} · {esc(_("with %(name)s") % {"name": seat.mentor_name})}\n'
                f'      <div class="small">{until}</div>\n    </li>')
        body = '<ul class="list-group list-group-flush">' + "".join(items) + "</ul>"
    else:
        body = f'<p class="mb-2">{esc(_("No seats booked."))}</p>'
    waiting = ""
    if waits:
        links = ", ".join(f'<a href="{prefix}{entry.session_id}/">{esc(entry.title)}</a>' for entry in waits)
        waiting = f'\n  <p class="mb-2 mt-2">{esc(_("On the waitlist for:"))} {links}</p>'
    return mark_safe(
        '<section class="card shadow-sm mt-3" data-testid="overview-groups" aria-labelledby="overview-groups-heading">'
        '<div class="card-body">\n'
        f'  <h2 class="h5" id="overview-groups-heading">{esc(_("Your group sessions"))}</h2>\n'
        f'  {body}{waiting}\n'
        f'  <a href="{reverse("scheduling:group-list")}">{esc(_("Browse group sessions"))}</a>\n</div></section>')
