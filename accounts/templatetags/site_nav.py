"""The layout around every page (base.html's header, footer, stylesheets and scripts), built once per role
and language in each process.

They are the same for every student (or every mentor) and every page — which
link is the current one is marked in the browser (static/js/nav.js) — so the
thirty-odd `{% url %}`, `{% static %}` and `{% translate %}` of the layout
become a dictionary lookup per page, which the floor of `bench pages` does not
pay either. What differs per person and page (the unread badge, the zone, the
CSRF token, the page to come back to) is put in at each request; the markup is
what base.html wrote (compared page for page in both languages when it moved).
"""

from django import template
from django.conf import settings
from django.template.defaulttags import CsrfTokenNode
from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import get_language, get_language_info, pgettext
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


def _key(*parts) -> tuple:
    return (*parts, get_language(), get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)


@register.simple_tag
def role_nav(user) -> str:
    """The `<li>` links of the signed-in user's role (none for a role without pages of its own)."""
    key = _key("nav", user.role, user.is_staff)
    html = _built.get(key)
    if html is None:
        items = []
        for name, words, also in _links(user.role, user.is_staff):
            extra = f' data-nav-also="{also}"' if also else ""
            items.append(f'<li class="nav-item"><a class="nav-link" href="{reverse(name)}"{extra}>'
                         f'{conditional_escape(words)}</a></li>')
        html = _built[key] = "\n".join(items)
    return mark_safe(html)


# Stand-ins for what changes per request, replaced in the built markup (none of them can occur in it otherwise).
_CSRF, _BADGE, _ZONE, _NEXT = "\x00csrf\x00", "\x00badge\x00", "\x00zone\x00", "\x00next\x00"


def _header(user) -> str:
    words = {k: conditional_escape(v) for k, v in {
        "main": pgettext("navigation", "Main"), "site": _("Mentorship"), "toggle": _("Toggle navigation"),
        "skip": _("Skip to main content")}.items()}
    if user.is_authenticated:
        inbox = ""
        if user.role in ("student", "mentor"):
            inbox = (f'<li class="nav-item"><a class="nav-link" href="{reverse("conversations:inbox")}">'
                     f'{conditional_escape(_("Inbox"))}{_BADGE}</a></li>')
        menu = (f'<ul class="navbar-nav me-auto">{role_nav(user)}</ul><ul class="navbar-nav">{inbox}'
                f'<li class="nav-item"><a class="nav-link" href="{reverse("accounts:settings-profile")}" '
                f'data-nav-also="/settings/ /accounts/">{conditional_escape(_("Settings"))}</a></li>'
                f'<li class="nav-item"><form method="post" action="{reverse("account_logout")}" class="d-inline">'
                f'{_CSRF}<button type="submit" class="btn btn-link nav-link">{conditional_escape(_("Sign out"))}'
                f'</button></form></li></ul>')
    else:
        menu = (f'<ul class="navbar-nav ms-auto"><li class="nav-item"><a class="nav-link" '
                f'href="{reverse("account_login")}">{conditional_escape(_("Sign in"))}</a></li>'
                f'<li class="nav-item"><a class="nav-link" href="{reverse("account_signup")}">'
                f'{conditional_escape(_("Sign up"))}</a></li></ul>')
    return (
        '<a class="visually-hidden-focusable position-absolute top-0 start-0 m-2 p-2 bg-white border rounded z-3" '
        f'href="#main">{words["skip"]}</a>\n'
        f'<nav class="navbar navbar-expand-md bg-white border-bottom mb-4" aria-label="{words["main"]}">'
        f'<div class="container"><a class="navbar-brand fw-semibold" href="{reverse("home")}">{words["site"]}</a>'
        '<button class="navbar-toggler" type="button" data-bs-toggle="collapse" data-bs-target="#main-nav" '
        f'aria-controls="main-nav" aria-expanded="false" aria-label="{words["toggle"]}">'
        '<span class="navbar-toggler-icon"></span></button>'
        f'<div class="collapse navbar-collapse" id="main-nav">{menu}</div></div></nav>'
    )


def _footer(user) -> str:
    zone = ""
    if user.is_authenticated:
        zone = "<span>" + _('Times shown in <strong data-testid="user-timezone">%(zone)s</strong> · '
                            '<a href="%(footer_profile_url)s">change</a>') % {
            "zone": _ZONE, "footer_profile_url": reverse("accounts:settings-profile")} + "</span>"
    current = get_language()
    options = "".join(
        # Each language named in itself (English, Español), whatever the page's language.
        f'<option value="{code}" lang="{code}"{" selected" if code == current else ""}>'
        f'{conditional_escape(capfirst(get_language_info(code)["name_local"]))}</option>'
        for code, _name in settings.LANGUAGES
    )
    return (
        '<footer class="border-top bg-white mt-5 py-3 small text-secondary">'
        '<div class="container d-flex flex-wrap justify-content-between gap-2">'
        f'<span>{conditional_escape(_("Mentorship · 1-on-1 sessions with your mentor"))}</span>{zone}'
        f'<form method="post" action="{reverse("accounts:set-language")}" class="d-flex align-items-center gap-2" '
        f'data-testid="language-switcher">{_CSRF}<input type="hidden" name="next" value="{_NEXT}">'
        f'<label for="footer-language" class="mb-0">{conditional_escape(_("Language"))}</label>'
        f'<select id="footer-language" name="language" class="form-select form-select-sm w-auto">{options}</select>'
        '<button type="submit" class="btn btn-sm btn-outline-secondary">'
        f'{conditional_escape(pgettext("language switcher", "Change"))}</button></form></div></footer>'
    )


def _built_for(part: str, user, build) -> str:
    key = _key(part, user.is_authenticated, getattr(user, "role", None), user.is_staff)
    html = _built.get(key)
    if html is None:
        html = _built[key] = build(user)
    return html


@register.simple_tag(takes_context=True)
def site_header(context) -> str:
    """The skip link and the navigation bar (with the unread badge) for the signed-in user's role."""
    user = context["user"]
    html = _built_for("header", user, _header)
    unread = context.get("inbox_unread")
    badge = ""
    if unread:
        badge = (f' <span class="badge rounded-pill text-bg-danger" data-testid="inbox-unread">{escape(unread)}'
                 f'<span class="visually-hidden"> {conditional_escape(_("unread"))}</span></span>')
    return mark_safe(html.replace(_BADGE, badge).replace(_CSRF, CsrfTokenNode().render(context), 1))


@register.simple_tag(takes_context=True)
def site_footer(context) -> str:
    """The footer: the user's zone, and the language switcher that comes back to this page."""
    user = context["user"]
    html = _built_for("footer", user, _footer)
    if user.is_authenticated:
        html = html.replace(_ZONE, escape(user.timezone))
    return mark_safe(html.replace(_CSRF, CsrfTokenNode().render(context))
                     .replace(_NEXT, escape(context["request"].get_full_path())))


@register.simple_tag
def site_stylesheets() -> str:
    key = _key("styles")
    html = _built.get(key)
    if html is None:
        html = _built[key] = (
            f'<link rel="stylesheet" href="{static("bootstrap/css/bootstrap.min.css")}">\n'
            f'  <link rel="stylesheet" href="{static("css/site.css")}">\n'
            f'  <link rel="icon" href="{static("img/favicon.svg")}" type="image/svg+xml">')
    return mark_safe(html)


@register.simple_tag
def site_scripts() -> str:
    key = _key("scripts")
    html = _built.get(key)
    if html is None:
        html = _built[key] = "\n".join(
            f'<script src="{src}"></script>' for src in (
                reverse("javascript-catalog"), static("bootstrap/js/bootstrap.bundle.min.js"), static("js/nav.js"),
                static("js/table-labels.js")))
    return mark_safe(html)
