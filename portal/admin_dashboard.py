"""The programme dashboard's pages inside the admin: the whole programme (also on
the admin index), one mentor, one student; each chart as SVG and as CSV."""

from datetime import timedelta

from csp.constants import NONE, SELF, UNSAFE_INLINE
from csp.decorators import csp_replace
from django.contrib import admin
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext
from django.views.decorators.http import require_GET

from accounts.models import Role, User

from . import charts
from .dashboard import UTILISATION_DAYS, WEEKS, Dashboard, Scope, dashboard

VIEW_PERMISSION = "scheduling.view_session"
app_name = "programme"

# The whole programme's figures (the admin index opens on them) are the same for every manager in a zone and
# cost a dozen aggregate queries: they are counted at most this often, and the panel says when.
PROGRAMME_COUNTED_EVERY = timedelta(minutes=2)
_PROGRAMME_KEY = "dashboard:programme:v1:{zone}"


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


def board_for(scope: Scope, *, now=None) -> Dashboard:
    """The scope's dashboard in the current zone. The whole programme's comes from the shared cache when it
    was counted less than PROGRAMME_COUNTED_EVERY ago (`counted_at` says when); a mentor's or a student's is
    counted for the request. The panel, its charts and its CSV read the same board, so they agree."""
    now = now or timezone.now()
    if scope.mentor is not None or scope.student is not None:
        return dashboard(scope, now=now)
    zone = timezone.get_current_timezone()
    key = _PROGRAMME_KEY.format(zone=getattr(zone, "key", str(zone)))
    board = cache.get(key)
    if board is None:
        board = dashboard(scope, now=now, zone=zone)
        board.counted_at = now
        cache.set(key, board, int(PROGRAMME_COUNTED_EVERY.total_seconds()))
    return board


def programme_panel_html(render) -> str:
    """The whole programme's panel for the admin index: `render(context)` is called only when no manager
    in this zone and language has seen the current board yet; the HTML is kept as long as that board."""
    zone = timezone.get_current_timezone()
    key = _PROGRAMME_KEY.format(zone=getattr(zone, "key", str(zone))) + f":html:{get_language()}"
    html = cache.get(key)
    if html is None:
        now = timezone.now()
        context = panel_context(Scope(), now=now)
        html = render(context)
        left = context["board"].counted_at + PROGRAMME_COUNTED_EVERY - now
        if left.total_seconds() >= 1:
            cache.set(key, html, int(left.total_seconds()))
    return html


def panel_context(scope: Scope, *, now=None) -> dict:
    """What templates/admin/portal/dashboard/_panel.html needs."""
    board = board_for(scope, now=now)
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
            "zone_name": getattr(board.zone, "key", str(board.zone)),
            "counted_every": int(PROGRAMME_COUNTED_EVERY.total_seconds() // 60)}


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
    board = board_for(scope_from(request))
    return HttpResponse(charts.SVGS[chart](board), content_type="image/svg+xml")


@require_GET
def chart_csv(request, chart: str):
    _guard(request)
    if chart not in charts.TABLES:
        raise Http404
    scope = scope_from(request)
    board = board_for(scope)
    response = HttpResponse(charts.to_csv(charts.TABLES[chart](board)), content_type="text/csv; charset=utf-8")
    suffix = f"-mentor-{scope.mentor.pk}" if scope.mentor else f"-student-{scope.student.pk}" if scope.student else ""
    response["Content-Disposition"] = f'attachment; filename="{chart}{suffix}-{timezone.now():%Y-%m-%d}.csv"'
    return response


urlpatterns = [
    path("", admin.site.admin_view(dashboard_page), name="dashboard"),
    path("<slug:chart>.svg", admin.site.admin_view(chart_svg), name="chart-svg"),
    path("<slug:chart>.csv", admin.site.admin_view(chart_csv), name="chart-csv"),
]
