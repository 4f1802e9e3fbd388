from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.models import Role

from .health import broker_status, database_status

ROLE_HOMES = {
    Role.STUDENT: "scheduling:overview",
    Role.MENTOR: "scheduling:agenda",
    Role.MANAGER: "admin:index",
}


@login_required
def home(request):
    """Send each role to its own home."""
    if request.user.is_superuser and request.user.role != Role.MANAGER:
        return redirect("admin:index")
    return redirect(ROLE_HOMES[request.user.role])


@never_cache
@require_GET
def healthz(request):
    checks = {"database": database_status(), "broker": broker_status()}
    healthy = all(v == "ok" for v in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503)
