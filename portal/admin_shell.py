"""The student page's frame — Django admin's change form around the panels — written once per language and shape.

Django's change_form.html and the templates it extends and includes (base.html's header and user links, the
breadcrumbs, the object tools, the media, the submit row) cost about 2 ms of template work on every view of the
student page, and all of it but a handful of values is the same for every student and every manager with the
same permissions. So the template is rendered once per process for each *shape* — the language, the zone's UTC
offset (`data-admin-utc-offset`), the URL configuration, the manager's flags the header tests, the media, and
every plain value of the page's context (the permissions, `may_reassign`, `show_save`…) — with stand-ins for
what differs from view to view:

- the student (`original`: its id in the links, its name in the breadcrumbs) and `subtitle` (its name),
- the manager's name in "Welcome, …", the CSRF token,
- the read-only fields and the panels (each view renders them: portal/admin.py).

Each view then writes its values in place of the stand-ins, escaped as the template escapes them, so the markup
is the template's (a test compares both ways, page for page, in both languages). A view whose page could differ
in any other way — messages to show, form errors, inline forms, list filters to preserve, a popup, `to_field`,
a "View on site" link, the navigation sidebar, a field that is not read-only, a context value this module does
not know — renders the template as before.
"""

import re
import sys

from django.conf import settings
from django.contrib.messages import get_messages
from django.middleware.csrf import get_token
from django.template import Context
from django.template.defaultfilters import truncatewords
from django.template.response import TemplateResponse
from django.urls import get_script_prefix, get_urlconf
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

# Stand-ins: none can occur in the template's own markup, nor in a value from the database (PostgreSQL text
# holds no NUL). The id stand-in is a number, as the URLs need one.
_PK = 2305843009213693951
_STAND_IN = re.compile(r"\x00(\w+)\x00|" + str(_PK))


def _stand_in(name: str):
    return mark_safe(f"\x00{name}\x00")


class _StandInStudent:
    """`original` while the frame is written: its id and its name (`{{ original|truncatewords:"18" }}`)."""

    pk = _PK

    def __str__(self):
        return "\x00original\x00"


class _StandInUser:
    """`user` while the frame is written: base.html tests these flags (part of the shape) and shows the name."""

    def __init__(self, user):
        self.is_active, self.is_staff = user.is_active, user.is_staff
        self.is_anonymous, self.is_authenticated = user.is_anonymous, user.is_authenticated
        self._usable_password = user.has_usable_password()

    def has_usable_password(self):
        return self._usable_password

    def get_short_name(self):
        return "\x00welcome\x00"

    get_username = get_short_name


# The context's values that are not plain (str, int, bool, None), each with what makes the frame the same.
# Any other one sends the view to the template.
_PLAIN = (str, int, bool, type(None))
_STAND_INS = {"original", "subtitle", "object_id", "readonly_fieldsets", "panels_html"}
_USED_ONLY_BY_THE_STAND_INS = {"panels", "rows", "adminform"}  # read by the read-only fields and the panels
_NOT_IN_THIS_TEMPLATE = {"available_apps", "log_entries"}  # the sidebar's and the index's (lazy, never read here)
_EMPTY = {"errors", "inline_admin_formsets"}  # a frame is only for a page without them


def _media_key(media) -> str:
    lists = getattr(media, "_css_lists", None), getattr(media, "_js_lists", None)
    return repr(lists) if None not in lists else str(media)


def _shape(request, context) -> tuple | None:
    """The frame's key for this view, or None when the template must render it."""
    if request.method != "GET" or not context.get("change") or context.get("add"):
        return None
    if (context.get("errors") or context.get("inline_admin_formsets") or context.get("preserved_filters")
            or context.get("is_popup") or context.get("to_field") or context.get("has_absolute_url")
            or context.get("is_nav_sidebar_enabled") or not context.get("readonly_fieldsets")
            or context.get("original") is None or context["adminform"].prepopulated_fields):
        return None
    plain = []
    for name, value in context.items():
        if name in _STAND_INS or name in _USED_ONLY_BY_THE_STAND_INS or name in _NOT_IN_THIS_TEMPLATE or name in _EMPTY:
            continue
        if name in ("opts", "media"):
            plain.append((name, value.label if name == "opts" else _media_key(value)))
        elif isinstance(value, _PLAIN):
            plain.append((name, value))
        elif isinstance(value, Promise):  # the site's lazily translated title and header
            plain.append((name, str(value)))
        else:
            return None
    if len(get_messages(request)):
        return None
    user = request.user
    now = timezone.localtime()
    return (get_language(), int(now.utcoffset().total_seconds()), get_script_prefix(),
            get_urlconf() or settings.ROOT_URLCONF, user.is_active, user.is_staff, user.is_anonymous,
            user.has_usable_password(), tuple(sorted(plain)))


_FRAMES: dict[tuple, str] = {}
_FRAMES_KEPT = 256  # shapes are few (languages × zones' offsets × permission sets); a bound all the same


class FramedResponse(TemplateResponse):
    """The change form's TemplateResponse, written from the frame of its shape when it has one."""

    @property
    def rendered_content(self):
        context, request = self.context_data, self._request
        key = _shape(request, context) if ENABLED else None
        token = get_token(request) if key is not None else None
        if token is None:
            return super().rendered_content
        template = self.resolve_template(self.template_name)
        key = (template.origin.name if template.origin else None, *key)
        frame = _FRAMES.get(key)
        if frame is None:
            if len(_FRAMES) >= _FRAMES_KEPT:
                _FRAMES.clear()
            stand_ins = {name: _stand_in(name) for name in ("subtitle", "object_id", "readonly_fieldsets",
                                                            "panels_html")}
            frame = _FRAMES[key] = template.render({
                **context, **stand_ins, "original": _StandInStudent(), "user": _StandInUser(request.user),
                "messages": (), "csrf_token": "\x00csrf\x00",
            }, request)
        original = context["original"]
        values = {
            "subtitle": conditional_escape(context["subtitle"]),
            "object_id": conditional_escape(context["object_id"]),
            "original": conditional_escape(truncatewords(original, 18)),
            "readonly_fieldsets": str(context["readonly_fieldsets"]),
            "panels_html": str(context.get("panels_html", "")),
            "welcome": conditional_escape(request.user.get_short_name() or request.user.get_username() or ""),
            "csrf": conditional_escape(token),
        }
        pk = str(original.pk)
        html = _STAND_IN.sub(lambda m: values[m.group(1)] if m.group(1) else pk, frame)
        # The test client learns a page's context from this signal (sent by the templates it instruments).
        signals = sys.modules.get("django.test.signals")
        if signals is not None:
            signals.template_rendered.send(sender=template.template, template=template.template,
                                           context=Context(context))
        return html


# For the tests: False sends every view to the template.
ENABLED = True
