"""The main navigation's links for each role, built once per role and language in each process.

They are the same for every student (or every mentor) and every page — which
link is the current one is marked in the browser (static/js/nav.js) — so the
fourteen `{% url %}` and `{% translate %}` of base.html become one dictionary
lookup per page. What differs per person (the unread badge, the zone) stays
in the template.
"""

from django import template
from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

register = template.Library()

_built: dict[tuple, str] = {}


def _links(role: str, is_staff: bool) -> list[tuple[str, str, str]]:
    """(url name, words, data-nav-also) in the order shown."""
    if role == "student":
        return [("portal:overview", _("Overview"), ""), ("scheduling:session-list", _("Sessions"), ""),
                ("credits:history", _("Credits"), ""), ("portal:directory", _("Mentors"), "/book/"),
                ("mentorship:availability", _("Availability"), ""), ("scheduling:flash-list", _("Flash requests"), ""),
                ("scheduling:group-list", _("Group sessions"), "")]
    if role == "mentor":
        return [("portal:agenda", _("Agenda"), ""), ("scheduling:session-list", _("Sessions"), ""),
                ("portal:my-students", _("My students"), ""), ("mentorship:availability", _("Availability"), ""),
                ("mentorship:profile-edit", _("Profile"), ""), ("scheduling:flash-list", _("Flash requests"), ""),
                ("scheduling:group-list", _("Group sessions"), "")]
    if is_staff:
        return [("admin:index", _("Admin"), "")]
    return []


@register.simple_tag
def role_nav(user) -> str:
    """The `<li>` links of the signed-in user's role (none for a role without pages of its own)."""
    key = (user.role, user.is_staff, get_language(), get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
    html = _built.get(key)
    if html is None:
        items = []
        for name, words, also in _links(user.role, user.is_staff):
            extra = f' data-nav-also="{also}"' if also else ""
            items.append(f'<li class="nav-item"><a class="nav-link" href="{reverse(name)}"{extra}>'
                         f'{conditional_escape(words)}</a></li>')
        html = _built[key] = "\n".join(items)
    return mark_safe(html)
