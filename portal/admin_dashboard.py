"""The programme dashboard's pages inside the admin: the whole programme (also on
the admin index), one mentor, one student; each chart as SVG and as CSV."""

from csp.constants import NONE, SELF, UNSAFE_INLINE
from csp.decorators import csp_replace
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from accounts.models import Role, User

from . import charts
from .dashboard import UTILISATION_DAYS, WEEKS, Scope, dashboard

VIEW_PERMISSION = "scheduling.view_session"
app_name = "programme"


def may_see_dashboard(user) -> bool:
    return user.is_active and user.is_staff and user.has_perm(VIEW_PERMISSION)


def scope_from(request) -> Scope:
    """?mentor=<id> or ?student=<id>; anything else that isn't a whole number is a 404."""
    for key, role in (("mentor", Role.MENTOR), ("student", Role.STUDENT)):
        value = request.GET.get(key)
        if value is not None:
            if not value.isdigit():
                raise Http404
            return Scope(**{key: get_object_or_404(User, pk=int(value), role=role)})
    return Scope()


def scope_query(scope: Scope) -> str:
    if scope.mentor is not None:
        return f"?mentor={scope.mentor.pk}"
    if scope.student is not None:
        return f"?student={scope.student.pk}"
    return ""


def panel_context(scope: Scope, *, now=None) -> dict:
    """What templates/admin/portal/dashboard/_panel.html needs."""
    board = dashboard(scope, now=now or timezone.now())
    query = scope_query(scope)
    sections = []
    for key in ("sessions", "risk", "credits", "mentors"):
        if (key == "mentors" and scope.student is not None) or (key == "risk" and not board.risk):
            continue
        sections.append({
            "key": key,
            "table": charts.TABLES[key](board),
            "svg": reverse("programme:chart-svg", args=[key]) + query,
            "csv": reverse("programme:chart-csv", args=[key]) + query,
        })
    return {"board": board, "sections": sections, "weeks": WEEKS, "utilisation_days": UTILISATION_DAYS,
            "zone_name": getattr(board.zone, "key", str(board.zone))}


def _guard(request):
    if not may_see_dashboard(request.user):
        raise PermissionDenied


@require_GET
def dashboard_page(request):
    _guard(request)
    scope = scope_from(request)
    context = {
        **admin.site.each_context(request),
        **panel_context(scope),
        "title": gettext("Dashboard — %(scope)s") % {"scope": scope.label},
        "scope": scope,
    }
    return TemplateResponse(request, "admin/portal/dashboard/page.html", context)


# The SVG is an image document with pygal's own <style>: allow its inline styles, nothing else.
@require_GET
@csp_replace({"default-src": [NONE], "style-src": [UNSAFE_INLINE], "img-src": [SELF], "script-src": [NONE]})
def chart_svg(request, chart: str):
    _guard(request)
    if chart not in charts.SVGS:
        raise Http404
    board = dashboard(scope_from(request), now=timezone.now())
    return HttpResponse(charts.SVGS[chart](board), content_type="image/svg+xml")


@require_GET
def chart_csv(request, chart: str):
    _guard(request)
    if chart not in charts.TABLES:
        raise Http404
    scope = scope_from(request)
    board = dashboard(scope, now=timezone.now())
    response = HttpResponse(charts.to_csv(charts.TABLES[chart](board)), content_type="text/csv; charset=utf-8")
    suffix = f"-mentor-{scope.mentor.pk}" if scope.mentor else f"-student-{scope.student.pk}" if scope.student else ""
    response["Content-Disposition"] = f'attachment; filename="{chart}{suffix}-{timezone.now():%Y-%m-%d}.csv"'
    return response


urlpatterns = [
    path("", admin.site.admin_view(dashboard_page), name="dashboard"),
    path("<slug:chart>.svg", admin.site.admin_view(chart_svg), name="chart-svg"),
    path("<slug:chart>.csv", admin.site.admin_view(chart_csv), name="chart-csv"),
]
