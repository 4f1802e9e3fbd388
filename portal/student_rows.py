"""The rows of the student page's tables (portal/admin.py, change_form.html), built once in Python.

Up to 150 rows (pairings, ledger, upcoming and past sessions, pauses, history) each with a moment or two:
in the template every row paid for its `{% url %}`, its `|when` (the zone, the year and the translated format
looked up again), its `get_…_display` (Django rebuilds and hashes the whole choices list on each call) and its
`{% translate %}`. Here each of those is looked up once per page; the HTML is the template's, escaped the same
way (format_html)."""

import html

from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from accounts.timefmt import Moments
from credits.models import LedgerEntry
from scheduling.models import PauseRequest, Session, SessionStatus

_PK = 2147483647  # a placeholder pk: reverse once, then put each row's pk in its place


def _url_for(name: str):
    url = reverse(name, args=[_PK])
    return lambda pk: url.replace(str(_PK), str(pk))


def _e(value) -> str:
    """conditional_escape without its wrappers: HTML as it is, anything else escaped (html.escape, as Django)."""
    return value.__html__() if hasattr(value, "__html__") else html.escape(str(value))


def _join(row_format: str, rows) -> str:
    """format_html_join("\\n", ...) without a format_html and a SafeString per cell."""
    return mark_safe("\n".join(row_format.format(*map(_e, row)) for row in rows))


def _labels(model, field: str) -> dict:
    """A choice field's labels in the active language, as get_<field>_display shows them."""
    return {value: str(label) for value, label in model._meta.get_field(field).flatchoices}


def _name(row: dict, relation: str, default="—") -> str:
    """`user.get_full_name()` from the row's `<relation>_name` and `<relation>_email`; `default` for nobody."""
    return row[f"{relation}_name"] or row[f"{relation}_email"] or default


def table_rows(panels, student, *, now) -> dict:
    """{table: the <tbody> rows} for the panels' tables (their rows: dicts, see portal.admin.PANEL_LISTS)."""
    moments = Moments(student, now=now)
    when = moments.html
    dash = "—"
    session_url = _url_for("admin:scheduling_session_change")
    pause_url = _url_for("admin:scheduling_pauserequest_change")

    current = gettext("current")
    assignments = _join("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", (
        (_name(a, "mentor"), when(a["started_at"]), when(a["ended_at"]) if a["ended_at"] else current, a["reason"],
         _name(a, "assigned_by"))
        for a in panels.assignments))

    kinds = _labels(LedgerEntry, "kind")
    automatic = gettext("automatic")
    ledger = _join("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", (
        (when(e["created_at"]), kinds.get(e["kind"], e["kind"]), f"{e['amount']:+d}", e["balance_after"],
         format_html('<a href="{}">#{}</a>', session_url(e["session_id"]), e["session_id"]) if e["session_id"]
         else dash, _name(e, "actor", automatic), e["note"])
        for e in panels.ledger))

    statuses = _labels(Session, "status")
    waived = gettext("Forfeit waived — credit returned")

    def sessions(rows):
        return _join('<tr><td><a href="{}">{}</a></td><td>{}</td><td>{}</td><td>{}</td></tr>', (
            (session_url(s["id"]), when(s["starts_at"], s["ends_at"]), _name(s, "mentor"), s["service_name"],
             waived if s["status"] == SessionStatus.FORFEITED and s["forfeit_waived_at"]
             else statuses.get(s["status"], s["status"]))
            for s in rows))

    pause_statuses = _labels(PauseRequest, "status")
    day = moments.compile(gettext("j M Y"))
    pauses = _join('<tr><td><a href="{}">{} – {}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>', (
        (pause_url(p["id"]), day(p["starts_on"]), day(p["ends_on"]), p["reason"],
         pause_statuses.get(p["status"], p["status"]), _name(p, "decided_by"), p["decision_note"])
        for p in panels.pauses))

    def on(entry):
        url = entry.get_admin_url()
        target = format_html('<a href="{}">{}</a>', url, entry.object_repr) if url else entry.object_repr
        return format_html('{}\n          <span class="help">({})</span>', target, entry.content_type.name)

    history = _join("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", (
        (when(e.action_time), e.user.get_full_name(), on(e), e.get_change_message()) for e in panels.history))

    assignment = panels.current_assignment
    return {"assignments": assignments, "ledger": ledger, "upcoming": sessions(panels.upcoming),
            "past": sessions(panels.past), "pauses": pauses, "history": history,
            "current_mentor": _name(assignment, "mentor") if assignment else "",
            "since": when(assignment["started_at"]) if assignment else "",
            "next_reset": when(panels.enrolment.next_reset_at) if panels.enrolment and panels.enrolment.next_reset_at
            else ""}


def readonly_fieldsets(adminform):
    """The change form's fieldsets as admin/includes/fieldset.html writes them, when every field is read-only,
    one to a line, in fieldsets without a heading or description (the student page's five fields): the
    template's nested loops and tests cost more than the rest of the form. None otherwise (the template)."""
    out = []
    for fieldset in adminform:
        if fieldset.name or fieldset.description:
            return None
        rows = []
        for line in fieldset:
            fields = list(line)
            if len(fields) != 1 or not fields[0].is_readonly:
                return None
            field = fields[0]
            help_text = field.field["help_text"]
            rows.append(format_html(
                '<div class="form-row field-{}"><div><div class="flex-container">{}<div class="readonly">{}</div>'
                "</div>{}</div></div>", field.field["name"], field.label_tag(), field.contents(),
                format_html('<div class="help"><div>{}</div></div>', mark_safe(help_text)) if help_text else ""))
        out.append(format_html('<fieldset class="module aligned {}">{}</fieldset>', fieldset.classes,
                               mark_safe("\n".join(rows))))
    return mark_safe("\n".join(out))
