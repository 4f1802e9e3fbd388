from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views import i18n
from django.views.decorators.http import require_http_methods, require_POST

from .forms import ProfileSettingsForm


@login_required
@require_http_methods(["GET", "POST"])
def settings_profile(request):
    old_zone = request.user.timezone
    form = ProfileSettingsForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        # Said in the language just chosen: the next page (and every email) is in it too.
        with translation.override(request.user.language):
            if form.cleaned_data["timezone"] != old_zone:
                messages.success(
                    request,
                    _("Saved. Times are now shown in %(zone)s. Your weekly hours stay at the same wall-clock times "
                      "in your new zone.") % {"zone": request.user.timezone},
                )
            else:
                messages.success(request, _("Saved."))
        return redirect("accounts:settings-profile")
    # `now` for "your local time now", formatted in the page's language ({% now %} takes no translated format).
    return render(request, "accounts/settings_profile.html", {"form": form, "now": timezone.now()})



@require_POST
def set_language(request):
    """The footer's language switcher: a signed-in person's choice is saved on
    their account (emails follow it too); a visitor's goes in a cookie.
    Django's own view then sets the cookie and redirects back safely."""
    code = request.POST.get("language", "")
    if request.user.is_authenticated and code in dict(settings.LANGUAGES) and code != request.user.language:
        request.user.language = code
        request.user.save(update_fields=["language"])
    return i18n.set_language(request)
