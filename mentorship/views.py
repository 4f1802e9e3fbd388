"""Pages of the mentorship domain: grids, time off, profiles, the directory, students.

Thin: find what this user may see (404 otherwise), validate, call one service,
turn a domain error into a message.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from accounts.decorators import role_required
from accounts.models import Role

from . import selectors, services, weekgrid
from .forms import DateOverrideForm, GridForm, InterestsForm, MentorProfileForm
from .models import MentorProfile, StudentInterest


def grid_rows(cells: str) -> list[dict]:
    """24 rows (hours) of 7 cells (Monday…Sunday) for the template."""
    return [
        {
            "hour": hour,
            "label": f"{hour:02d}:00",
            "cells": [
                {
                    "index": weekgrid.cell_index(day, hour),
                    "checked": cells[weekgrid.cell_index(day, hour)] == "1",
                    "label": weekgrid.cell_label(weekgrid.cell_index(day, hour)),
                }
                for day in range(weekgrid.DAYS)
            ],
        }
        for hour in range(weekgrid.HOURS)
    ]


@login_required
@require_http_methods(["GET", "POST"])
def availability(request):
    user = request.user
    saved_cells = selectors.grid_cells(user)
    is_override = request.method == "POST" and "override" in request.POST and user.role == Role.MENTOR
    today = user.local_now().date()
    override_form = DateOverrideForm(request.POST if is_override else None, today=today,
                                     initial={"date": today})
    form = GridForm(request.POST if request.method == "POST" and not is_override else None)
    if is_override:
        if override_form.is_valid():
            override = services.date_override_save(user=user, day=override_form.cleaned_data["date"],
                                                   hours=override_form.hours(), note=override_form.cleaned_data["note"],
                                                   now=timezone.now())
            messages.success(request, _("Saved hours for %(date)s: %(hours)s.") % {
                "date": dateformat.format(override.date, _("D j M")), "hours": override.ranges_text})
            return redirect("mentorship:availability")
        status = 400
    elif request.method == "POST":
        if form.is_valid():
            cells = form.cleaned_data["cells"]
            services.grid_save(user=user, cells=cells, now=timezone.now())
            hours = weekgrid.hours_selected(cells)
            messages.success(request, ngettext("Saved: %(hours)s hour a week.", "Saved: %(hours)s hours a week.", hours)
                             % {"hours": hours})
            return redirect("mentorship:availability")
        status = 400  # nothing changed: the page redraws the saved grid with the error
    else:
        status = 200
    context = {
        "form": form,
        "rows": grid_rows(saved_cells),
        "day_names": weekgrid.DAY_NAMES,
        "hours_selected": weekgrid.hours_selected(saved_cells),
        "override_form": override_form,
        "overrides": selectors.mentor_date_overrides(user, today=today) if user.role == Role.MENTOR else [],
    }
    return render(request, "mentorship/availability.html", context, status=status)


@role_required(Role.MENTOR)
@require_POST
def date_override_delete(request, pk: int):
    if not services.date_override_delete(user=request.user, override_id=pk):
        raise Http404("No such date.")
    messages.success(request, _("Removed: that date follows your weekly hours again."))
    return redirect("mentorship:availability")


@role_required(Role.STUDENT)
@require_http_methods(["GET", "POST"])
def interests(request):
    current = StudentInterest.objects.filter(student=request.user).values_list("skill_id", flat=True)
    form = InterestsForm(request.POST or None, initial={"skills": list(current)})
    if request.method == "POST" and form.is_valid():
        services.interests_set(student=request.user, skills=form.cleaned_data["skills"])
        messages.success(request, _("Saved. We use these when pairing you with a mentor."))
        return redirect("mentorship:interests")
    return render(request, "mentorship/interests.html", {"form": form})


@role_required(Role.MENTOR)
@require_http_methods(["GET", "POST"])
def mentor_profile_edit(request):
    profile = MentorProfile.objects.filter(user=request.user).first() or MentorProfile(user=request.user)
    form = MentorProfileForm(
        request.POST or None, request.FILES or None, instance=profile, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.mentor_profile_update(
                mentor=request.user, fields={k: data[k] for k in services.PROFILE_FIELDS}, skills=data["skills"],
                languages=data["languages"], photo=data.get("photo") or None,
                clear_photo=data.get("clear_photo", False),
            )
        except services.MentorshipError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Profile saved."))
            return redirect("mentorship:profile-edit")
    return render(
        request, "mentorship/profile_edit.html",
        {"form": form, "profile": profile},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET"])
def mentor_photo(request, mentor_id: int):
    """Photos are only for signed-in users, so they are served here, not from a public folder."""
    profile = MentorProfile.objects.filter(user_id=mentor_id, user__role=Role.MENTOR, user__is_active=True).first()
    if profile is None or not profile.photo:
        raise Http404("No photo.")
    try:
        handle = profile.photo.open("rb")
    except FileNotFoundError:
        raise Http404("No photo.") from None
    response = FileResponse(handle)
    response["Cache-Control"] = "private, max-age=3600"
    return response
