"""Lists of sessions and slots are built in Python, once per row, not with a
template include and several `|date` filters per row: on the slot picker and
the long session lists that template work was most of the page's time."""

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()

ROW_TIME = "%a %-d %b, %H:%M"  # what |date:"D j M, H:i" wrote



@register.simple_tag
def can_join(session, now):
    return session.can_join(now)


def _local(value, zone):
    return value.astimezone(zone)


def status_badge(session) -> str:
    status = session.status
    if status == "scheduled":
        return '<span class="badge text-bg-primary">Scheduled</span>'
    if status == "completed":
        return '<span class="badge text-bg-success">Completed</span>'
    if status == "cancelled":
        return '<span class="badge text-bg-secondary">Cancelled</span>'
    if status == "forfeited":
        waived = " · waived" if session.forfeit_waived_at else ""
        return f'<span class="badge text-bg-warning">Forfeited{waived}</span>'
    return f'<span class="badge text-bg-danger">{escape(session.get_status_display())}</span>'


def deadline_text(session, *, user, now, zone) -> str:
    if session.status != "scheduled" or user.pk != session.student_id:
        return ""
    deadline = session.cancellation_deadline
    when = _local(deadline, zone).strftime(ROW_TIME)
    if deadline < now:
        return (f'<span class="text-danger small">Free cancellation ended {when} — cancelling now forfeits '
                'the session</span>')
    return f'<span class="text-secondary small" data-testid="deadline">Free cancellation until {when} your time</span>'


# Plain f-strings: every value is either ours (times, ids, URLs from reverse) or escaped here.
def session_row(session, *, user, now, zone, prefix: str) -> str:
    """`prefix`: the sessions' URL prefix, reversed once per list rather than three times per row."""
    starts = _local(session.starts_at, zone)
    ends = _local(session.ends_at, zone)
    if user.pk == session.student_id:
        who = f"with {escape(session.mentor.get_full_name())}"
    else:
        who = escape(session.student.get_full_name())
    pk = session.pk
    actions = ""
    if session.status == "scheduled" and session.starts_at > now:
        reschedule = ""
        if user.pk == session.student_id and session.cancellation_deadline >= now:
            reschedule = (f'<a class="btn btn-sm btn-outline-primary" href="{prefix}{pk}/reschedule/">'
                          'Reschedule</a>')
        actions = (f'<div class="d-flex gap-2">{reschedule}<a class="btn btn-sm btn-outline-danger" '
                   f'href="{prefix}{pk}/cancel/">Cancel</a></div>')
    return (
        '<li class="list-group-item d-flex flex-wrap justify-content-between align-items-center gap-2"><div>'
        f'<a class="fw-semibold text-decoration-none" href="{prefix}{pk}/">{starts.strftime(ROW_TIME)}–'
        f'{ends.strftime("%H:%M")}</a> · {escape(session.service.name)} · {who} {status_badge(session)}'
        f'<div>{deadline_text(session, user=user, now=now, zone=zone)}</div></div>{actions}</li>'
    )


@register.simple_tag(takes_context=True)
def session_rows(context, sessions):
    """`<li>` rows for a list of sessions, in the viewer's zone."""
    user, now, zone = context["user"], context["now"], timezone.get_current_timezone()
    prefix = reverse("scheduling:session-list")
    return mark_safe("".join(session_row(s, user=user, now=now, zone=zone, prefix=prefix) for s in sessions))


@register.simple_tag
def slot_buttons(slots, confirm_url):
    """The buttons of one day on the slot picker: each slot's strings computed once, in Python."""
    url = escape(confirm_url)
    out = []
    for slot in slots:
        iso = slot.iso  # digits, "-", ":", "T", "+": only ":" and "+" need quoting in a query string
        query = iso.replace(":", "%3A").replace("+", "%2B")
        if slot.in_your_hours:
            out.append(f'<a class="btn btn-sm btn-success" href="{url}?start={query}" data-start="{iso}">'
                       f'{slot.local:%H:%M} ★</a>')
        else:
            out.append(f'<a class="btn btn-sm btn-outline-secondary" href="{url}?start={query}" '
                       f'data-start="{iso}">{slot.local:%H:%M}</a>')
    return mark_safe("\n".join(out))
