"""A thread's story, and the inbox's rows, rendered in one pass.

Messages are most of a thread page (50 a page), so their `<li>` is built here
once per message rather than through `{% include %}` with two `|date`, a
`urlize` and a `linebreaksbr` each; the rarer session and flash events keep
their template (`conversations/_entry.html`). The markup and the words are the
template's, to the character.
"""

from functools import lru_cache

from django import template
from django.template.defaultfilters import linebreaksbr, urlize
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from accounts import datefmt

register = template.Library()



@lru_cache(maxsize=4096)
def body_html(body: str) -> str:
    """A message's text as shown: escaped, links made clickable, line breaks kept. Messages never change once
    sent and the same thread is read again and again (each reply, each visit), so each process keeps the last
    few thousand rather than running `urlize`'s per-word regular expressions on every view."""
    return linebreaksbr(urlize(body, autoescape=True), autoescape=True)


def message_li(m, *, viewer_id, zone, words: dict) -> str:
    mine = m.sender_id == viewer_id
    who = words["you"] if mine else conditional_escape(m.sender.get_full_name())
    at = timezone.localtime(m.created_at, zone)
    about = ""
    if m.about_session_id and m.about_session is not None:
        s = m.about_session
        text = _("About the session %(service)s on %(when)s") % {
            "service": s.service.name, "when": datefmt.format(timezone.localtime(s.starts_at, zone), words["about"], words["names"])}
        about = f'\n  <div class="small message-about" data-testid="message-about">{conditional_escape(text)}</div>'
    flash = f'\n  <div class="small message-about">{words["flash"]}</div>' if m.flash_request_id else ""
    body = body_html(m.body)
    return (
        f'\n<li class="message{" message-mine" if mine else ""}" id="message-{m.pk}" data-testid="message">\n'
        f'  <div class="message-meta small"><strong>{who}</strong>\n'
        f'    · <time datetime="{at.strftime("%Y-%m-%dT%H:%M:%S%z")}">{datefmt.format(at, words["when"], words["names"])}</time></div>'
        f'{about}{flash}\n'
        f'  <div class="message-body" data-testid="message-body">{body}</div>\n</li>\n'
    )


@register.simple_tag(takes_context=True)
def thread_entries(context, entries, viewer):
    """The `<li>` of each entry; `viewer` is the reader (None in the admin: no "You", no links)."""
    zone = timezone.get_current_timezone()
    words = {"you": conditional_escape(_("You")), "when": _("D j M Y, H:i"), "about": _("D j M, H:i"),
             "flash": conditional_escape(_("With a meeting request")), "names": datefmt.day_and_month_names()}
    viewer_id = viewer.pk if viewer is not None else None  # once: the viewer is a lazy object
    event_template = None
    parts = []
    for entry in entries:
        if entry.kind == "message":
            parts.append(message_li(entry.message, viewer_id=viewer_id, zone=zone, words=words))
            continue
        if event_template is None:
            event_template = get_template("conversations/_entry.html")
        with context.push(entry=entry, viewer=viewer):
            parts.append(event_template.template.render(context))
    return mark_safe("".join(parts))


@register.simple_tag
def inbox_rows(memberships, viewer):
    """The inbox's `<li>` rows (templates/conversations/inbox.html), built once per row here."""
    zone = timezone.get_current_timezone()
    viewer_id = viewer.pk
    when, you, names = _("j M, H:i"), conditional_escape(_("You:")), datefmt.day_and_month_names()
    blocked, unread = conditional_escape(_("Blocked")), conditional_escape(_("unread"))
    prefix = reverse("conversations:thread", args=[0])[:-2]  # ".../inbox/0/" -> ".../inbox/"
    parts = []
    for row in memberships:
        t = row.thread
        other = t.mentor if t.student_id == viewer_id else t.student
        at = timezone.localtime(t.last_message_at, zone)
        last = t.last_message
        mine = f"{you} " if last is not None and last.sender_id == viewer_id else ""
        body = conditional_escape(Truncator(last.body).chars(120)) if last is not None else ""
        badge = f' <span class="badge text-bg-secondary">{blocked}</span>' if t.blocked_at else ""
        count = (f'<span class="badge rounded-pill text-bg-danger" data-testid="thread-unread">{row.unread_count}'
                 f'<span class="visually-hidden"> {unread}</span></span>' if row.unread_count else "")
        parts.append(
            '<li class="list-group-item d-flex justify-content-between align-items-start gap-2" '
            'data-testid="inbox-row">\n      <div class="text-truncate">\n'
            f'        <a class="fw-semibold" href="{prefix}{t.pk}/">{conditional_escape(other.get_full_name())}</a>'
            f'{badge}\n        <div class="small text-truncate inbox-last">{mine}{body}</div>\n      </div>\n'
            f'      <div class="text-end flex-shrink-0">\n        <time class="small d-block" '
            f'datetime="{at.strftime("%Y-%m-%dT%H:%M:%S%z")}">{datefmt.format(at, when, names)}</time>\n'
            f'        {count}\n      </div>\n    </li>\n'
        )
    return mark_safe("".join(parts))
