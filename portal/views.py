"""Pages that span the domains: each role's home, the mentor directory and
profiles (with their booking and flash actions), notification settings.

Thin, like every view here: fetch what this user may see, call a selector or
one service, render.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import role_required
from accounts.forms import NotificationSettingsForm
from accounts.models import Role
from accounts.services import calendar_token_regenerate, calendar_token_revoke
from mentorship import selectors as mentorship_selectors
from mentorship import weekgrid
from mentorship.forms import DirectoryFilterForm
from scheduling import selectors as scheduling_selectors
from scheduling.allowance import booking_outlook
from scheduling.flash import pending_for_mentor

from .health import broker_status, database_status

ROLE_HOMES = {
    Role.STUDENT: "portal:overview",
    Role.MENTOR: "portal:agenda",
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


# --- homes --------------------------------------------------------------------


@role_required(Role.STUDENT)
def overview(request):
    """The student's home: their mentor, next session, credits, upcoming and past sessions."""
    now = timezone.now()
    context = {
        "now": now,
        "card": mentorship_selectors.mentor_card(request.user, now=now),
        "current_mentor": mentorship_selectors.current_mentor(request.user),
        "outlook": booking_outlook(request.user, now=now),
        **scheduling_selectors.student_sessions(request.user, now=now),
    }
    return render(request, "portal/overview.html", context)


@role_required(Role.MENTOR)
def agenda(request):
    """The mentor's home: today, upcoming, sessions to mark, recent feedback."""
    now = timezone.now()
    context = {
        "now": now,
        **scheduling_selectors.mentor_agenda(request.user, now=now),
        "flash_pending": pending_for_mentor(request.user, now=now),
    }
    return render(request, "portal/agenda.html", context)


# --- mentors: the directory and profiles, with booking actions ------------------


@login_required
@require_http_methods(["GET"])
def directory(request):
    filters = DirectoryFilterForm(request.GET or None)
    data = filters.cleaned_data if filters.is_valid() else {}
    entries = mentorship_selectors.directory(
        request.user, now=timezone.now(), skill=data.get("skill"), language=data.get("language"),
        accepting_only=bool(data.get("accepting")),
    )
    context = {
        "filters": filters,
        "entries": entries,
        "outlook": booking_outlook(request.user, now=timezone.now()) if request.user.is_student else None,
        "my_hours": weekgrid.hours_selected(mentorship_selectors.grid_cells(request.user)),
    }
    return render(request, "portal/directory.html", context)


@login_required
@require_http_methods(["GET"])
def mentor_detail(request, mentor_id: int):
    entry = mentorship_selectors.mentor_detail(request.user, mentor_id, now=timezone.now())
    if entry is None:
        raise Http404("No such mentor.")
    context = {
        "entry": entry,
        "mentor_local_now": timezone.now().astimezone(entry.mentor.tzinfo),
        "is_my_mentor": request.user.is_student and mentorship_selectors.current_mentor(request.user) == entry.mentor,
        "outlook": booking_outlook(request.user, now=timezone.now()) if request.user.is_student else None,
    }
    return render(request, "portal/mentor_detail.html", context)


# --- settings: notifications and the calendar feed -----------------------------


@login_required
@require_http_methods(["GET", "POST"])
def settings_notifications(request):
    """Optional reminders on/off, and the private calendar feed."""
    form = NotificationSettingsForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Saved. Booking, change and cancellation emails always go out.")
        return redirect("portal:settings-notifications")
    return render(request, "portal/settings_notifications.html", {"form": form})


@login_required
@require_POST
def calendar_feed_regenerate(request):
    calendar_token_regenerate(user=request.user)
    messages.success(request, "Here is your new calendar link. The old one no longer works.")
    return redirect("portal:settings-notifications")


@login_required
@require_POST
def calendar_feed_revoke(request):
    calendar_token_revoke(user=request.user)
    messages.success(request, "Your calendar feed is turned off; subscribed calendars stop updating.")
    return redirect("portal:settings-notifications")
