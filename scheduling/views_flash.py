"""Flash mentorship pages: a student asks for a one-off time, the mentor answers.

Thin views: fetch what this user may act on (404 otherwise), validate the
form, call one service from scheduling.flash, turn a domain error into a
message on the page.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.decorators import role_required
from accounts.models import Role, User

from . import flash, selectors
from .allowance import booking_outlook
from .errors import SchedulingError
from .forms import FlashCounterForm, FlashDeclineForm, FlashRequestForm
from .models import FlashRequest


def _as_student(request, pk: int) -> FlashRequest:
    """A request this user sent; anyone else (mentor included) gets a 404."""
    return get_object_or_404(FlashRequest.objects.select_related("student", "mentor", "service"), pk=pk,
                             student=request.user)


def _as_mentor(request, pk: int) -> FlashRequest:
    return get_object_or_404(FlashRequest.objects.select_related("student", "mentor", "service"), pk=pk,
                             mentor=request.user)


def _form_errors(form) -> str:
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


@role_required(Role.STUDENT)
@require_http_methods(["GET", "POST"])
def flash_new(request, mentor_id: int):
    """Ask a mentor for a one-off session at a time of the student's choosing."""
    mentor = get_object_or_404(User, pk=mentor_id, role=Role.MENTOR, is_active=True)
    services = selectors.offered_services(mentor)
    now = timezone.now()
    form = FlashRequestForm(request.POST or None, services=services, tz=request.user.tzinfo)
    context = {"mentor": mentor, "form": form, "has_services": services.exists(),
               "outlook": booking_outlook(request.user, now=now), "now": now}
    if request.method == "GET":
        return render(request, "scheduling/flash_new.html", context)
    if not form.is_valid():
        return render(request, "scheduling/flash_new.html", context, status=400)
    data = form.cleaned_data
    try:
        flash.flash_request_create(student=request.user, mentor=mentor, service=data["service"],
                                   starts_at=data["starts_at"], topic=data["topic"], message=data["message"],
                                   now=now)
    except SchedulingError as exc:
        form.add_error(None, exc.message)
        return render(request, "scheduling/flash_new.html", context, status=409)
    messages.success(request, _("Request sent. %(mentor)s will accept it, decline it, or suggest another time; "
                                "you'll get an email either way.") % {"mentor": mentor.get_full_name()})
    return redirect("scheduling:flash-list")


@login_required
def flash_list(request):
    """Students see the requests they sent; mentors the ones they received."""
    if request.user.role not in (Role.STUDENT, Role.MENTOR):
        raise Http404("Flash requests are for students and mentors.")
    now = timezone.now()
    context = {"now": now, "is_mentor": request.user.role == Role.MENTOR,
               **flash.flash_requests_for(request.user, now=now)}
    if context["is_mentor"]:
        context["counter_form"] = FlashCounterForm(tz=request.user.tzinfo)
        context["decline_form"] = FlashDeclineForm()
    return render(request, "scheduling/flash_list.html", context)


def _done(request, call, success: str):
    try:
        call()
    except SchedulingError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    return _back(request)


def _back(request):
    """The same actions are offered where the request is discussed (a conversation); go back there."""
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()},
                                                require_https=request.is_secure()):
        return redirect(back)
    return redirect("scheduling:flash-list")


# --- the mentor answers ------------------------------------------------------------


@login_required
@require_POST
def flash_accept(request, pk: int):
    req = _as_mentor(request, pk)
    return _done(request, lambda: flash.flash_accept(request=req, mentor=request.user, now=timezone.now()),
                 _("Accepted. The session is booked and the student has been emailed."))


@login_required
@require_POST
def flash_decline(request, pk: int):
    req = _as_mentor(request, pk)
    form = FlashDeclineForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return _back(request)
    return _done(request, lambda: flash.flash_decline(request=req, mentor=request.user,
                                                      note=form.cleaned_data["note"], now=timezone.now()),
                 _("Declined. The student has been told."))


@login_required
@require_POST
def flash_counter(request, pk: int):
    req = _as_mentor(request, pk)
    form = FlashCounterForm(request.POST, tz=request.user.tzinfo)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return _back(request)
    return _done(request, lambda: flash.flash_counter(request=req, mentor=request.user,
                                                      starts_at=form.cleaned_data["starts_at"],
                                                      note=form.cleaned_data["note"], now=timezone.now()),
                 _("Suggested. The student will accept or decline the new time."))


# --- the student answers or withdraws -------------------------------------------------


@login_required
@require_POST
def flash_counter_accept(request, pk: int):
    req = _as_student(request, pk)
    return _done(request, lambda: flash.flash_counter_accept(request=req, student=request.user, now=timezone.now()),
                 _("Booked at the suggested time. We've emailed you the details."))


@login_required
@require_POST
def flash_counter_decline(request, pk: int):
    req = _as_student(request, pk)
    return _done(request, lambda: flash.flash_counter_decline(request=req, student=request.user,
                                                              now=timezone.now()),
                 _("Declined the suggested time. Your mentor has been told."))


@login_required
@require_POST
def flash_withdraw(request, pk: int):
    req = _as_student(request, pk)
    return _done(request, lambda: flash.flash_withdraw(request=req, student=request.user, now=timezone.now()),
                 _("Request withdrawn."))
