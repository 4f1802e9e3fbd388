"""The directory's mentor cards, built in Python once per card (an inclusion tag for the avatar, an include
for the skills, two {% url %} and a plural blocktranslate per card were most of the page's template time).
The markup and the words are those of the template they replace; every value is escaped here."""

from django import template
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

register = template.Library()


def _avatar(mentor, profile, photo: tuple[str, str]) -> str:
    """What mentorship/_avatar.html shows (no extra class): the photo when there is one, else the initials."""
    if profile is not None and profile.photo:
        alt = _("Photo of %(name)s") % {"name": escape(mentor.get_full_name())}
        return f'<img class="avatar " src="{photo[0]}{mentor.pk}{photo[1]}" alt="{alt}">'
    return f'<span class="avatar " aria-hidden="true">{escape(mentor.initials)}</span>'


def _skills(skills, none_listed: str) -> str:
    """What mentorship/_skills.html shows."""
    if not skills:
        return f'<span class="text-secondary small">{none_listed}</span>'
    return "".join(f'<span class="badge text-bg-light border skill-badge me-1">{escape(s.name)}</span>' for s in skills)


_PLACEHOLDER = 918273645


def _url_parts(name: str) -> tuple[str, str]:
    """A URL reversed once with a placeholder id: (before, after) the id, completed per card."""
    before, after = reverse(name, args=[_PLACEHOLDER]).split(str(_PLACEHOLDER))
    return before, after


@register.simple_tag(takes_context=True)
def directory_cards(context, entries):
    """The `col` blocks of the directory's cards, in the order given."""
    can_book = context["user"].role == "student" and getattr(context.get("outlook"), "can_book", False)
    (detail, detail_end), (book, book_end) = _url_parts("portal:mentor-detail"), _url_parts("scheduling:book-mentor")
    photo = _url_parts("mentorship:mentor-photo")
    # {% translate %} escaped its words; so does this.
    none_listed, not_accepting, full, book_now = (escape(_("No skills listed yet")), escape(_("Not accepting")),
                                                  escape(_("Full")), escape(_("Book Now")))
    out = []
    for entry in entries:
        mentor, profile = entry.mentor, entry.profile
        pk = mentor.pk
        hours = ngettext(
            '<strong data-testid="shared-hours">%(label)s</strong> shared hour a week with you',
            '<strong data-testid="shared-hours">%(label)s</strong> shared hours a week with you',
            entry.shared_hours_plural,
        ) % {"label": escape(entry.shared_hours_label)}
        if not entry.accepting:
            badge = f' <span class="badge text-bg-secondary ms-1">{not_accepting}</span>'
        elif entry.seats_left == 0:
            badge = f' <span class="badge text-bg-secondary ms-1">{full}</span>'
        else:
            badge = ""
        action = (f'<a class="btn btn-sm btn-primary mt-2" href="{book}{pk}{book_end}">{book_now}</a>' if can_book else "")
        headline = escape(profile.headline) if profile is not None else ""
        out.append(
            '<div class="col-md-6 col-lg-4"><article class="card h-100 shadow-sm" data-testid="mentor-card">'
            '<div class="card-body"><div class="d-flex align-items-center gap-3 mb-2">'
            f'{_avatar(mentor, profile, photo)}<div><h2 class="h6 mb-0"><a href="{detail}{pk}{detail_end}">'
            f'{escape(mentor.get_full_name())}</a></h2><div class="small text-secondary">{escape(mentor.timezone)}'
            f'</div></div></div><p class="mb-2">{headline}</p>'
            f'<div class="mb-2">{_skills(entry.skills, none_listed)}</div>'
            f'<p class="mb-0">{hours}{badge}</p>{action}</div></article></div>'
        )
    return mark_safe("\n".join(out))
