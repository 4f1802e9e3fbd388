"""Settings → Time off for mentors: days away, and what happens to sessions already booked in them.

It lives in scheduling (not mentorship) because adding time off over booked
sessions asks, per session, keep or cancel — and cancelling is scheduling's.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from accounts.decorators import role_required
from accounts.models import Role
from mentorship import selectors as mentorship_selectors
from mentorship import services as mentorship_services
from mentorship.forms import TimeOffForm

from . import services
from .errors import SchedulingError


def _decisions(post) -> dict[int, str]:
    decisions = {}
    for key, value in post.items():
        if key.startswith("session_") and key[8:].isdigit() and value in ("keep", "cancel"):
            decisions[int(key[8:])] = value
    return decisions


@role_required(Role.MENTOR)
@require_http_methods(["GET", "POST"])
def time_off(request):
    today = request.user.local_now().date()
    form = TimeOffForm(request.POST or None, today=today)
    context = {"form": form, "inside": [], "decisions": {}, "cancel_reason": ""}
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            decisions = _decisions(request.POST)
            cancel_reason = request.POST.get("cancel_reason", "")[:300]
            try:
                outcome = services.time_off_add_with_sessions(
                    mentor=request.user, starts_on=form.cleaned_data["starts_on"],
                    ends_on=form.cleaned_data["ends_on"], reason=form.cleaned_data["reason"],
                    decisions=decisions, cancel_reason=cancel_reason, now=timezone.now(),
                )
            except services.TimeOffDecisionsNeeded as exc:
                context.update(inside=services.sessions_inside(
                    mentor=request.user, starts_on=form.cleaned_data["starts_on"],
                    ends_on=form.cleaned_data["ends_on"]), decisions=decisions, cancel_reason=cancel_reason,
                    decide_message=exc.message)
                context["inside"] = [s for s in context["inside"] if s.ends_at > timezone.now()]
                status = 200
            except SchedulingError as exc:
                form.add_error(None, exc.message)
                context.update(inside=services.sessions_inside(
                    mentor=request.user, starts_on=form.cleaned_data["starts_on"],
                    ends_on=form.cleaned_data["ends_on"]), decisions=decisions, cancel_reason=cancel_reason)
            else:
                parts = [_("Time off added. No sessions can be booked on those days.")]
                if outcome.cancelled:
                    n = len(outcome.cancelled)
                    parts.append(ngettext("Cancelled %(n)d session; the students have their credit back and your "
                                          "reason by email.",
                                          "Cancelled %(n)d sessions; the students have their credit back and your "
                                          "reason by email.", n) % {"n": n})
                if outcome.kept:
                    n = len(outcome.kept)
                    parts.append(ngettext("Kept %(n)d session inside it.", "Kept %(n)d sessions inside it.", n)
                                 % {"n": n})
                messages.success(request, " ".join(parts))
                return redirect("scheduling:time-off")
    context["entries"] = mentorship_selectors.mentor_time_off(request.user, today=today)
    return render(request, "scheduling/time_off.html", context, status=status)


@role_required(Role.MENTOR)
@require_POST
def time_off_delete(request, pk: int):
    if not mentorship_services.time_off_delete(user=request.user, time_off_id=pk):
        raise Http404("No such time off.")
    messages.success(request, _("Time off removed."))
    return redirect("scheduling:time-off")
