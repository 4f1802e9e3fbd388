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
