"""The floor `bench pages` compares every page with: the least a logged-in page can cost here.

One query for 20 rows, a login-required view, a template that formats dates —
through the same middleware stack as every page. It is mounted only by the
benchmark (`FLOOR_URLCONF` wraps the site's own URLs), never in production.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import include, path

from scheduling.models import Session


@login_required
def floor(request):
    rows = list(Session.objects.order_by("-starts_at").values("pk", "starts_at", "ends_at", "status")[:20])
    return render(request, "portal/bench_floor.html", {"rows": rows})


urlpatterns = [
    path("__bench__/floor/", floor, name="bench-floor"),
    path("", include("config.urls")),
]
