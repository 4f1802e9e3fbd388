from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from .forms import NotificationSettingsForm, ProfileSettingsForm
from .services import calendar_token_regenerate, calendar_token_revoke


@login_required
@require_http_methods(["GET", "POST"])
def settings_profile(request):
    old_zone = request.user.timezone
    form = ProfileSettingsForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        if form.cleaned_data["timezone"] != old_zone:
            messages.success(
                request,
                f"Saved. Times are now shown in {request.user.timezone}. Your weekly hours stay "
                "at the same wall-clock times in your new zone.",
            )
        else:
            messages.success(request, "Saved.")
        return redirect("accounts:settings-profile")
    return render(request, "accounts/settings_profile.html", {"form": form, "settings_tab": "profile"})


@login_required
@require_http_methods(["GET", "POST"])
def settings_notifications(request):
    """Optional reminders on/off, and the private calendar feed."""
    form = NotificationSettingsForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Saved. Booking, change and cancellation emails always go out.")
        return redirect("accounts:settings-notifications")
    return render(request, "accounts/settings_notifications.html", {"form": form})


@login_required
@require_POST
def calendar_feed_regenerate(request):
    calendar_token_regenerate(user=request.user)
    messages.success(request, "Here is your new calendar link. The old one no longer works.")
    return redirect("accounts:settings-notifications")


@login_required
@require_POST
def calendar_feed_revoke(request):
    calendar_token_revoke(user=request.user)
    messages.success(request, "Your calendar feed is turned off; subscribed calendars stop updating.")
    return redirect("accounts:settings-notifications")
