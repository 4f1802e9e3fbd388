from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from .forms import ProfileSettingsForm


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
    return render(request, "accounts/settings_profile.html", {"form": form})

