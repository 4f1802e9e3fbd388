from django import template

from portal.admin_dashboard import may_see_dashboard, panel_context
from portal.dashboard import Scope

register = template.Library()


@register.inclusion_tag("admin/portal/dashboard/_panel.html", takes_context=True)
def programme_dashboard(context):
    """The whole programme's dashboard, for the admin index (nothing for staff who may not see sessions)."""
    request = context.get("request")
    if request is None or not may_see_dashboard(request.user):
        return {"hidden": True}
    return {**panel_context(Scope()), "heading_level": 2, "scope": Scope(), "on_index": True}
