"""Lists of sessions and slots are built in Python, once per row, not with a
template include and several `|date` filters per row: on the slot picker and
the long session lists that template work was most of the page's time."""

import functools

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form
from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts import datefmt

from .. import calendar, wording
from ..forms import BookingForm, NotesForm

register = template.Library()



@register.simple_tag
def can_join(session, now):
    return session.can_join(now)


@register.simple_tag
def cancellation_terms(starts_at, now, tz=None):
    """The 24-hour rule for a start, worded once (scheduling/wording.py) in `tz` (default: the active zone).
    Without a `now` in the context (an email rendered from an older payload), as of rendering."""
    return wording.cancellation_terms(starts_at, now=now or timezone.now(), tz=tz or None)


@register.filter
def session_note(note):
    """A stored session note (English, the record) in the reader's language (wording.note_text)."""
    return wording.note_text(note)


@register.simple_tag
def session_phase(session, now):
    return wording.phase(session, now)


@register.simple_tag
def google_calendar_url(session):
    return calendar.google_calendar_url(session)


@register.simple_tag
def no_show_opens(session):
    return session.starts_at + wording.NO_SHOW_AFTER


def _local(value, zone):
    return value.astimezone(zone)


@functools.lru_cache(maxsize=None)
def _row_labels(language: str | None) -> dict[str, str]:
    """The fixed words of a session row in `language` (the active one when called), looked up once per
    language rather than four to six times per row: a sessions page of 20 rows spent more time in gettext than
    in anything else of its own. Django keeps each language's catalogue for the life of the process too."""
    return {
        "in_progress": _("In progress — join now"), "awaiting_attendance": _("Waiting for attendance"),
        "scheduled": _("Scheduled"), "completed": _("Completed"), "cancelled": _("Cancelled"),
        "forfeited_waived": _("Forfeited · waived"), "forfeited": _("Forfeited"),
        "join": _("Join the video room"), "no_room": _("Your mentor hasn't set a video room yet."),
        "propose": _("Propose a new time"), "reschedule": _("Reschedule"), "ask": _("Ask for another time"),
        "cancel": _("Cancel"), "with": _("with %(mentor)s"),
    }


def row_labels() -> dict[str, str]:
    return _row_labels(get_language())


def status_badge(session, *, phase: str = "upcoming", labels: dict | None = None) -> str:
    """`phase` (wording.phase, for a scheduled session): in progress and waiting for attendance say so."""
    labels = labels or row_labels()
    status = session.status
    if status == "scheduled":
        if phase == "in_progress":
            return f'<span class="badge text-bg-success" data-testid="phase">{labels["in_progress"]}</span>'
        if phase == "awaiting_attendance":
            return f'<span class="badge text-bg-warning" data-testid="phase">{labels["awaiting_attendance"]}</span>'
        return f'<span class="badge text-bg-primary">{labels["scheduled"]}</span>'
    if status == "completed":
        return f'<span class="badge text-bg-success">{labels["completed"]}</span>'
    if status == "cancelled":
        return f'<span class="badge text-bg-secondary">{labels["cancelled"]}</span>'
    if status == "forfeited":
        label = labels["forfeited_waived"] if session.forfeit_waived_at else labels["forfeited"]
        return f'<span class="badge text-bg-warning">{label}</span>'
    return f'<span class="badge text-bg-danger">{escape(session.get_status_display())}</span>'


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
    """What scheduling/_status.html renders, word for word (the agenda's week, the session page). `badges`:
    `_badges(get_language())`, when the caller shows many."""
    badges = badges or _badges(get_language())
    status = session.status
    if status == "scheduled":
        ph = wording.phase(session, now)
        if ph == "in_progress" or ph == "awaiting_attendance":
            return badges[ph]
        return badges["scheduled"]
    if status == "completed" or status == "cancelled":
        return badges[status]
    if status == "forfeited":
        return badges["refunded"] if session.forfeit_waived_at else badges["forfeited"]
    return f'<span class="badge text-bg-danger">{conditional_escape(session.get_status_display())}</span>'


def deadline_text(session, *, user, now, zone, phase: str) -> str:
    """The 24-hour rule in the one wording (scheduling/wording.py); nothing once the session is under way."""
    if session.status != "scheduled" or user.pk != session.student_id or phase != "upcoming":
        return ""
    terms = wording.cancellation_terms(session.starts_at, now=now, tz=zone)
    tone = "text-secondary" if terms.is_free else "text-danger"
    return f'<span class="small {tone}" data-testid="deadline">{escape(terms.text)}</span>'


def join_block(session, labels: dict | None = None) -> str:
    """What _join.html shows while the session is in progress (the room is open then)."""
    labels = labels or row_labels()
    if session.video_url:
        return (f'<a class="btn btn-success" href="{escape(session.video_url)}" target="_blank" rel="noopener" '
                f'data-testid="join">{labels["join"]}</a>')
    return f'<span class="text-secondary small">{labels["no_room"]}</span>'


@register.simple_tag
def join_button(session, now):
    """The video room's button for a scheduled session: the link once it opens (10 minutes before), a disabled
    button until then, or why there is none. (scheduling/_join.html is this tag, for pages that include it.)"""
    if session.status != "scheduled":
        return ""
    if not session.video_url:
        no_room = _("Your mentor hasn't set a video room yet.")
        return mark_safe(f'<span class="text-secondary small">{escape(no_room)}</span>')
    if session.can_join(now):
        return mark_safe(f'<a class="btn btn-success" href="{escape(session.video_url)}" target="_blank" rel="noopener" '
                         f'data-testid="join">{escape(_("Join the video room"))}</a>')
    return mark_safe(f'<button class="btn btn-success" disabled title="{escape(_("Opens 10 minutes before the start"))}">'
                     f'{escape(_("Join (opens 10 min before)"))}</button>')


@register.simple_tag
def session_status(session, now):
    """{% include "scheduling/_status.html" %}, without an include."""
    return mark_safe(status_html(session, now))


@register.simple_tag(takes_context=True)
def session_deadline(context, session, now):
    """{% include "scheduling/_deadline.html" %} (the 24-hour rule for the student of an upcoming session),
    without an include."""
    phase = wording.phase(session, now) if session.status == "scheduled" else ""
    return mark_safe(deadline_text(session, user=context["user"], now=now, zone=timezone.get_current_timezone(),
                                   phase=phase))


# Plain f-strings: every value is either ours (times, ids, URLs from reverse) or escaped here.
def session_row(session, *, user, now, zone, prefix: str, row_time: str | None = None, labels: dict | None = None,
                names: dict | None = None) -> str:
    """`prefix`: the sessions' URL prefix, reversed once per list rather than three times per row.
    `row_time`: the translated date format (|date:"D j M, H:i"), `labels` (row_labels()) and `names`
    (datefmt.day_and_month_names()): the words, looked up once per list."""
    starts = _local(session.starts_at, zone)
    ends = _local(session.ends_at, zone)
    if row_time is None:
        row_time = _("D j M, H:i")
    labels = labels or row_labels()
    if user.pk == session.student_id:
        who = labels["with"] % {"mentor": escape(session.mentor.get_full_name())}
    else:
        who = escape(session.student.get_full_name())
    pk = session.pk
    # Only a scheduled session has a phase to show (and it never reads feedback then: no query per row).
    phase = wording.phase(session, now) if session.status == "scheduled" else ""
    actions = ""
    if phase == "in_progress":
        actions = f"<div>{join_block(session, labels)}</div>"
    elif phase == "upcoming":
        if user.pk != session.student_id:
            path, label = "propose", labels["propose"]
        elif not wording.starts_within_free_cancellation_window(session.starts_at, now=now):
            path, label = "reschedule", labels["reschedule"]
        else:
            path, label = "propose", labels["ask"]
        move = f'<a class="btn btn-sm btn-outline-primary" href="{prefix}{pk}/{path}/">{label}</a>'
        cancel = labels["cancel"]
        actions = (f'<div class="d-flex flex-wrap gap-2">{move}<a class="btn btn-sm btn-outline-danger" '
                   f'href="{prefix}{pk}/cancel/">{cancel}</a></div>')
    return (
        '<li class="list-group-item d-flex flex-wrap justify-content-between align-items-center gap-2"><div>'
        f'<a class="fw-semibold text-decoration-none" href="{prefix}{pk}/">{datefmt.format(starts, row_time, names)}–'
        f'{ends:%H:%M}</a> · {escape(session.service.name)} · {who} {status_badge(session, phase=phase, labels=labels)}'
        f'<div>{deadline_text(session, user=user, now=now, zone=zone, phase=phase)}</div></div>{actions}</li>'
    )


@register.simple_tag(takes_context=True)
def session_rows(context, sessions):
    """`<li>` rows for a list of sessions, in the viewer's zone."""
    user, now, zone = context["user"], context["now"], timezone.get_current_timezone()
    prefix = reverse("scheduling:session-list")
    row_time = _("D j M, H:i")
    labels, names = row_labels(), datefmt.day_and_month_names()
    return mark_safe("".join(session_row(s, user=user, now=now, zone=zone, prefix=prefix, row_time=row_time,
                                         labels=labels, names=names)
                             for s in sessions))


@register.simple_tag
def slot_week_days(week, confirm_url):
    """The seven `<li>` day cards of the slot picker's week (what the loop over `week.days` wrote, day heading,
    "today" badge, buttons, the first slot's late note, or "No free times."), built in Python once per page."""
    names = datefmt.day_and_month_names()
    heading, today = _("l j F"), escape(_("today"))
    none = escape(_("No free times."))
    out = []
    for weekday in week.days:
        day = weekday.day
        badge = f' <span class="badge text-bg-primary">{today}</span>' if weekday.is_today else ""
        if weekday.items:
            first = weekday.items[0]
            note = (f'\n      <p class="small text-danger mt-2 mb-0" data-testid="late-note">'
                    f'{escape(capfirst(first.late_note))}.</p>' if first.late_note else "")
            body = (f'<ul class="list-unstyled d-flex flex-wrap gap-1 mb-0 slot-times">\n'
                    f'{slot_buttons(weekday.items, confirm_url)}\n      </ul>{note}')
        else:
            body = f'<p class="small mb-0">{none}</p>'
        out.append(
            f'<li class="card{" border-primary" if weekday.is_today else ""}" data-day="{day:%Y-%m-%d}">\n'
            f'    <div class="card-body p-2">\n'
            f'      <h3 class="h6 card-title mb-2">{escape(datefmt.format(day, heading, names))}{badge}</h3>\n'
            f'      {body}\n    </div>\n  </li>'
        )
    return mark_safe("\n  ".join(out))


@register.simple_tag
def slot_buttons(slots, confirm_url):
    """The `<li>` buttons of one day on the slot picker: each slot's strings computed once, in Python (about
    a hundred slots a week; four `|date` filters and the tags around them per slot were most of the page)."""
    url = escape(confirm_url)
    # The words and their markup, escaped once for the list (they are the same on every slot).
    in_your_hours = f' ★<span class="visually-hidden">{escape(" " + _("in your hours"))}</span>'
    under_24h = f' <span class="badge text-bg-warning">{escape(_("under 24 h"))}</span>'
    out = []
    for slot in slots:
        iso = slot.iso  # what |date:'c' wrote: the start in the viewer's zone
        # digits, "-", ":", "T", "+": only ":" and "+" need quoting in a query string (what |urlencode did)
        query = iso.replace(":", "%3A").replace("+", "%2B")
        if slot.within_24h:
            css = "btn-outline-danger"
        elif slot.in_your_hours:
            css = "btn-success"
        else:
            css = "btn-outline-secondary"
        late = ""
        label = f"{slot.local:%H:%M}"
        if slot.in_your_hours:
            label += in_your_hours
        if slot.late_note:
            late = f' data-testid="late-slot" title="{escape(capfirst(slot.late_note))}"'
        if slot.within_24h:
            label += under_24h
            if slot.late_note:
                label += f'<span class="visually-hidden"> — {escape(slot.late_note)}</span>'
        out.append(
            f'<li><a class="btn btn-sm {css}" id="slot-{int(slot.starts_at.timestamp())}" href="{url}?start={query}" '
            f'data-start="{iso}" data-within-24h="{"true" if slot.within_24h else "false"}"{late}>{label}</a></li>'
        )
    return mark_safe("\n".join(out))


_NOTES_FORM: dict[str | None, str] = {}
_NOTES_VALUE = "session-notes-value-3f9c1e"  # stands for the notes while crispy renders the form once


@register.simple_tag
def notes_form(form):
    """`{{ notes_form|crispy }}` on the mentor's session page, without crispy's ~1.5 ms on every view: the form
    (one textarea holding the session's notes) renders the same for every session in a language but for the
    notes themselves, so crispy renders it once per language and process with a stand-in value, which is then
    replaced by the notes, escaped as the textarea's template escapes them. A bound form renders as before."""
    if form.is_bound or type(form) is not NotesForm:
        return as_crispy_form(form)
    language = get_language()
    html = _NOTES_FORM.get(language)
    if html is None:
        html = _NOTES_FORM[language] = str(as_crispy_form(NotesForm(initial={"notes": _NOTES_VALUE})))
    notes = form["notes"].value()
    # The textarea shows nothing for "" or None (Textarea.format_value), else the text, escaped.
    return mark_safe(html.replace(_NOTES_VALUE, escape(notes) if notes not in ("", None) else ""))


_BOOKING_FORMS: dict[tuple, str] = {}
_START_VALUE, _KEY_VALUE = "booking-start-3f9c1e", "booking-key-3f9c1e"  # stand-ins while crispy renders once


@register.simple_tag
def booking_form(form):
    """`{{ form|crispy }}` for the confirm page's form (two hidden fields and the weeks select), rendered by crispy
    once per language and number of weeks, then filled in: every booking shows it, and every race it loses
    (crispy was about a tenth of such a request). A form with errors is rendered as it is."""
    if type(form) is not BookingForm or form.errors:
        return as_crispy_form(form)
    choices = form.fields["weeks"].choices
    key = (get_language(), tuple(choices))
    html = _BOOKING_FORMS.get(key)
    if html is None:
        stand_in = BookingForm(max_weeks=len(choices), initial={"start": _START_VALUE, "booking_key": _KEY_VALUE,
                                                                 "weeks": "none"})
        html = _BOOKING_FORMS[key] = str(as_crispy_form(stand_in))
    weeks = form["weeks"].value()
    option = f'<option value="{escape(weeks)}">'
    return mark_safe(html.replace(_START_VALUE, escape(form["start"].value() or ""))
                     .replace(_KEY_VALUE, escape(form["booking_key"].value() or ""))
                     .replace(option, option[:-1] + " selected>", 1))
