from django import template
from django.urls import reverse
from django.utils.formats import localize
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from portal.admin_dashboard import may_see_dashboard, programme_panel_html
from portal.dashboard import Scope

register = template.Library()


@register.simple_tag(takes_context=True)
def programme_dashboard(context):
    """The whole programme's dashboard, for the admin index (nothing for staff who may not see sessions).
    Its HTML is shared by the managers of a zone and language for as long as its figures (admin_dashboard)."""
    request = context.get("request")
    if request is None or not may_see_dashboard(request.user):
        return ""
    template = context.template.engine.get_template("admin/portal/dashboard/_panel.html")
    return mark_safe(programme_panel_html(lambda panel: template.render(context.new(
        {**panel, "heading_level": 2, "scope": Scope(), "on_index": True}))))


# The tables and the per-mentor links have a row per mentor (hundreds on a large programme): built in Python
# once per row rather than with nested template loops ({{ cell }} localised and escaped exactly as the template did).
def _cell(value) -> str:
    if type(value) is str:  # most cells: already worded (localize would return it as it is)
        return escape(value)
    return conditional_escape(localize(value))


@register.simple_tag
def table_body(table):
    """The `<tbody>` rows of a dashboard table: the first cell of a row is its header."""
    if not table.rows:
        return format_html('<tr><td colspan="{}">{}</td></tr>', len(table.header), _("Nothing to count yet."))
    out = []
    for row in table.rows:
        first, *rest = row
        cells = "".join(f"<td>{_cell(cell)}</td>" for cell in rest)
        out.append(f'<tr><th scope="row">{_cell(first)}</th>{cells}</tr>')
    return mark_safe("\n".join(out))


@register.simple_tag
def mentor_dashboard_links(rows):
    """Each mentor's name linking to their dashboard, separated by " · "."""
    base = reverse("programme:dashboard")
    return mark_safe(" · ".join(
        f'<a href="{base}?mentor={row.mentor.pk}">{conditional_escape(row.mentor.get_full_name())}</a>' for row in rows
    ))
