"""Lists of sessions and slots are built in Python, once per row, not with a
template include and several `|date` filters per row: on the slot picker and
the long session lists that template work was most of the page's time."""

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
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
    return format_html('<span class="badge text-bg-danger">{}</span>', session.get_status_display())


def deadline_text(session, *, user, now, zone) -> str:
    if session.status != "scheduled" or user.pk != session.student_id:
        return ""
    deadline = session.cancellation_deadline
    when = _local(deadline, zone).strftime(ROW_TIME)
    if deadline < now:
        return format_html('<span class="text-danger small">Free cancellation ended {} — cancelling now forfeits '
                           'the session</span>', when)
    return format_html('<span class="text-secondary small" data-testid="deadline">Free cancellation until {} your '
                       'time</span>', when)


def session_row(session, *, user, now, zone) -> str:
    starts = _local(session.starts_at, zone)
    ends = _local(session.ends_at, zone)
    who = (format_html("with {}", session.mentor.get_full_name()) if user.pk == session.student_id
           else session.student.get_full_name())
    actions = ""
    if session.status == "scheduled" and session.starts_at > now:
        reschedule = ""
        if user.pk == session.student_id and session.cancellation_deadline >= now:
            reschedule = format_html('<a class="btn btn-sm btn-outline-primary" href="{}">Reschedule</a>',
                                     reverse("scheduling:session-reschedule", args=[session.pk]))
        actions = format_html(
            '<div class="d-flex gap-2">{}<a class="btn btn-sm btn-outline-danger" href="{}">Cancel</a></div>',
            mark_safe(reschedule), reverse("scheduling:session-cancel", args=[session.pk]))
    return format_html(
        '<li class="list-group-item d-flex flex-wrap justify-content-between align-items-center gap-2"><div>'
        '<a class="fw-semibold text-decoration-none" href="{}">{}–{}</a> · {} · {} {}<div>{}</div></div>{}</li>',
        reverse("scheduling:session-detail", args=[session.pk]), starts.strftime(ROW_TIME), ends.strftime("%H:%M"),
        session.service.name, who, mark_safe(status_badge(session)),
        mark_safe(deadline_text(session, user=user, now=now, zone=zone)), mark_safe(actions),
    )


@register.simple_tag(takes_context=True)
def session_rows(context, sessions):
    """`<li>` rows for a list of sessions, in the viewer's zone."""
    user, now, zone = context["user"], context["now"], timezone.get_current_timezone()
    return mark_safe("".join(session_row(s, user=user, now=now, zone=zone) for s in sessions))


@register.simple_tag
def slot_buttons(slots, confirm_url):
    """The buttons of one day on the slot picker (each slot's strings computed once, in Python)."""
    return format_html_join(
        "\n", '<a class="btn btn-sm {}" href="{}?{}" data-start="{}">{}{}</a>',
        ((("btn-success" if slot.in_your_hours else "btn-outline-secondary"), confirm_url,
          urlencode({"start": slot.iso}), slot.iso, slot.local.strftime("%H:%M"),
          " ★" if slot.in_your_hours else "") for slot in slots),
    )
