from urllib.parse import quote

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


@register.simple_tag(takes_context=True)
def app_list_html(context, app_list):
    """Django's admin/app_list.html (with change links, as the index includes it), written in Python: its
    loops ran a dozen tests and a `with` per model for the ~25 models on the index. Same markup, same words."""
    if not app_list:
        return format_html("<p>{}</p>", _("You don’t have permission to view or edit anything."))
    request = context.get("request")
    path = quote(request.path) if request is not None else ""
    kept = getattr(app_list, "html", None)  # the site's shared list (config/admin_site.py) keeps its markup
    if kept is not None:
        html = kept.get(path)
        if html is None:
            html = kept[path] = _app_list_html(app_list, path)
        return html
    return _app_list_html(app_list, path)


def _app_list_html(app_list, path: str) -> str:
    words = {key: _(key) for key in ("Model name", "Add link", "Change or view list link", "Add", "View", "Change")}
    out = []
    for app in app_list:
        label = app["app_label"]
        rows = []
        for model in app["models"]:
            name = model["object_name"].lower()
            url = model.get("admin_url")
            here = bool(url) and url in path
            head = (format_html('<a href="{}"{}>{}</a>', url, mark_safe(' aria-current="page"') if here else "",
                                model["name"]) if url else conditional_escape(model["name"]))
            add = (format_html('<td><a href="{}" class="addlink" aria-describedby="{}-{}">{}</a></td>',
                               model["add_url"], label, name, words["Add"]) if model.get("add_url") else "<td></td>")
            if url:
                kind = "view" if model.get("view_only") else "change"
                change = format_html('<td><a href="{}" class="{}link" aria-describedby="{}-{}">{}</a></td>', url,
                                     kind, label, name, words["View" if kind == "view" else "Change"])
            else:
                change = "<td></td>"
            rows.append(format_html('<tr class="model-{}{}"><th scope="row" id="{}-{}">{}</th>{}{}</tr>', name,
                                    " current-model" if here else "", label, name, head, mark_safe(add),
                                    mark_safe(change)))
        out.append(format_html(
            '<div class="app-{} module{}"><table><caption><a href="{}" class="section" title="{}">{}</a></caption>'
            '<thead class="visually-hidden"><tr><th scope="col">{}</th><th scope="col">{}</th>'
            '<th scope="col">{}</th></tr></thead>{}</table></div>',
            label, " current-app" if app["app_url"] in path else "", app["app_url"],
            _("Models in the %(name)s application") % {"name": app["name"]}, app["name"], words["Model name"],
            words["Add link"], words["Change or view list link"], mark_safe("".join(rows))))
    return mark_safe("\n".join(out))
