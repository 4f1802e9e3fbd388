"""Group sessions: students browse, book, leave and wait; mentors schedule, mark attendance, cancel.

Thin views: fetch what this user may see (404 otherwise), validate, call one
service, turn a domain error into a message on the page.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from accounts.decorators import role_required
from accounts.models import Role
from credits.selectors import current_enrolment, group_summary

from . import group_selectors as selectors
from . import services
from .errors import SchedulingError, TooLate
from .group_forms import (
    GroupCancelForm,
    GroupEditForm,
    GroupFilterForm,
    GroupScheduleForm,
    SeatAttendanceForm,
    SeatCancelForm,
)
from .group_models import (
    GroupSeat,
    GroupSession,
    GroupStatus,
    SeatStatus,
    WaitlistEntry,
    WaitStatus,
)


def _visible_group(request, pk: int, *, with_skill_names: bool = False) -> GroupSession:
    """Students see any group session; a mentor sees their own; anyone else gets 404.

    `with_skill_names`: the skills' names read in the same query (`group.skill_names`), for the page."""
    if with_skill_names:
        group = selectors.group_for_page(pk)
        if group is None:
            raise Http404("No such group session.")
    else:
        group = get_object_or_404(GroupSession.objects.select_related("mentor", "cancelled_by"), pk=pk)
    if request.user.role == Role.STUDENT or group.mentor_id == request.user.pk:
        return group
    raise Http404("No such group session.")


def _own_group(request, pk: int) -> GroupSession:
    return get_object_or_404(GroupSession.objects.select_related("mentor"), pk=pk, mentor=request.user)


@login_required
def group_list(request):
    now = timezone.now()
    if request.user.role == Role.MENTOR:
        return render(request, "scheduling/group_mentor_list.html",
                      {"now": now, **selectors.for_mentor(request.user, now=now)})
    if request.user.role != Role.STUDENT:
        raise Http404("Group sessions are in the admin for success managers.")
    filters = GroupFilterForm(request.GET or None, mentors=selectors.mentors_with_groups(now=now))
    data = filters.cleaned_data if filters.is_valid() else {}
    page = int(request.GET["page"]) if request.GET.get("page", "").isdigit() else 1
    page = min(max(page, 1), 1000)
    rows, has_later = selectors.upcoming_for_student(request.user, now=now, skill_id=data.get("skill"),
                                                     mentor_id=data.get("mentor"), page=page)
    query = request.GET.copy()
    query.pop("page", None)
    allowance = group_summary(request.user, now=now, enrolment=current_enrolment(request.user))
    return render(request, "scheduling/group_list.html", {
        "now": now, "filters": filters, "rows": rows, "allowance": allowance,
        "page": page, "has_later": has_later, "query": query.urlencode(),
    })


@login_required
def group_detail(request, pk: int):
    group = _visible_group(request, pk, with_skill_names=True)
    now = timezone.now()
    context = {"group": group, "now": now, "skill_names": group.skill_names}
    if group.mentor_id == request.user.pk:
        context.update(attendees=selectors.attendees(group), waiting=selectors.waitlist(group),
                       attendance_form=SeatAttendanceForm(), is_mentor=True)
    else:
        seat = selectors.seat_of(group, request.user)
        # A student with a seat never waits for the same session (waitlist_join refuses, a booking closes the wait).
        entry = None if seat else selectors.waiting_entry_of(group, request.user)
        context.update(
            seat=seat,
            entry=entry, position=services.group.waitlist_position(entry) if entry else None,
            offer_open=bool(entry and not group.is_full and group.is_late_cancellation(now)),
            allowance=group_summary(request.user, now=now, enrolment=current_enrolment(request.user)),
            late=group.is_late_cancellation(now),
        )
    return render(request, "scheduling/group_detail.html", context)


@role_required(Role.STUDENT)
@require_POST
def group_book(request, pk: int):
    group = _visible_group(request, pk)
    try:
        services.group_seat_book(group=group, student=request.user, actor=request.user, now=timezone.now())
    except SchedulingError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Seat booked! We've emailed you the invitation."))
    return redirect("scheduling:group-detail", pk=group.pk)


@role_required(Role.STUDENT)
@require_http_methods(["GET", "POST"])
def group_seat_cancel(request, pk: int):
    """GET shows the consequence (credit back or forfeited); POST acts."""
    group = _visible_group(request, pk)
    seat = get_object_or_404(GroupSeat, session=group, student=request.user, status=SeatStatus.BOOKED)
    now = timezone.now()
    late = group.is_late_cancellation(now)
    form = SeatCancelForm(request.POST or None, initial={"expect_forfeit": "1" if late else "0"})
    context = {"group": group, "seat": seat, "late": late, "form": form, "now": now}
    if request.method == "POST" and form.is_valid():
        try:
            seat = services.group_seat_cancel(seat=seat, actor=request.user, now=now,
                                              expect_forfeit=form.cleaned_data["expect_forfeit"])
        except TooLate as exc:
            context.update(error=exc.message, late=True, form=SeatCancelForm(initial={"expect_forfeit": "1"}))
            return render(request, "scheduling/group_seat_cancel.html", context, status=409)
        except SchedulingError as exc:
            messages.error(request, exc.message)
            return redirect("scheduling:group-detail", pk=group.pk)
        if seat.status == SeatStatus.FORFEITED:
            messages.warning(request, _("You left the session; the seat is forfeited and the group credit spent."))
        else:
            messages.success(request, _("Seat cancelled. Your group credit is back."))
        return redirect("scheduling:group-detail", pk=group.pk)
    return render(request, "scheduling/group_seat_cancel.html", context,
                  status=400 if request.method == "POST" else 200)


@role_required(Role.STUDENT)
@require_POST
def group_waitlist_join(request, pk: int):
    group = _visible_group(request, pk)
    try:
        services.waitlist_join(group=group, student=request.user, now=timezone.now())
    except SchedulingError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("You're on the waitlist. Nothing is spent unless you get a seat."))
    return redirect("scheduling:group-detail", pk=group.pk)


def _my_entry(request, group) -> WaitlistEntry:
    return get_object_or_404(WaitlistEntry, session=group, student=request.user, status=WaitStatus.WAITING)


@role_required(Role.STUDENT)
@require_POST
def group_waitlist_leave(request, pk: int):
    group = _visible_group(request, pk)
    entry = _my_entry(request, group)
    try:
        services.waitlist_leave(entry=entry, student=request.user, now=timezone.now())
    except SchedulingError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("You left the waitlist."))
    return redirect("scheduling:group-detail", pk=group.pk)


@role_required(Role.STUDENT)
@require_POST
def group_waitlist_accept(request, pk: int):
    group = _visible_group(request, pk)
    entry = _my_entry(request, group)
    try:
        services.waitlist_accept(entry=entry, student=request.user, now=timezone.now())
    except SchedulingError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The seat is yours. We've emailed you the invitation."))
    return redirect("scheduling:group-detail", pk=group.pk)


# --- mentors --------------------------------------------------------------------


@role_required(Role.MENTOR)
@require_http_methods(["GET", "POST"])
def group_schedule(request):
    form = GroupScheduleForm(request.POST or None, tz=request.user.tzinfo)
    result = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = services.group_session_schedule(
                mentor=request.user, title=data["title"], topic=data["topic"], description=data["description"],
                skills=data["skills"], starts_at=data["starts_at"], duration_minutes=data["duration_minutes"],
                seats=data["seats"], video_url=data["video_url"], weeks=data["weeks"], actor=request.user,
                now=timezone.now(),
            )
        except SchedulingError as exc:
            form.add_error(None, exc.message)
        else:
            if result.created and not result.skipped:
                count = len(result.created)
                messages.success(request, ngettext("Scheduled %(count)s group session.",
                                                   "Scheduled %(count)s group sessions.", count) % {"count": count})
                return redirect("scheduling:group-list")
            if not result.created:
                day_and_time = _("D j M H:i")  # "Tue 1 Dec 18:00"
                weeks = "; ".join(f"{dateformat.format(start.astimezone(request.user.tzinfo), day_and_time)} — {why}"
                                  for start, why in result.skipped)
                form.add_error(None, _("Nothing was scheduled: %(weeks)s") % {"weeks": weeks})
                result = None
    status = 400 if request.method == "POST" and result is None else 200
    return render(request, "scheduling/group_schedule.html", {"form": form, "result": result}, status=status)


@role_required(Role.MENTOR)
@require_POST
def group_attendance(request, pk: int, seat_id: int):
    group = _own_group(request, pk)
    seat = get_object_or_404(GroupSeat, pk=seat_id, session=group)
    form = SeatAttendanceForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose attended or no-show."))
    else:
        try:
            services.group_attendance_mark(seat=seat, actor=request.user, attended=form.cleaned_data["attended"],
                                           now=timezone.now())
            messages.success(request, _("Attendance saved for %(name)s.") % {"name": seat.student.get_full_name()})
        except SchedulingError as exc:
            messages.error(request, exc.message)
    return redirect("scheduling:group-detail", pk=group.pk)


@role_required(Role.MENTOR)
@require_http_methods(["GET", "POST"])
def group_cancel(request, pk: int):
    group = _own_group(request, pk)
    form = GroupCancelForm(request.POST or None)
    if group.status != GroupStatus.SCHEDULED:
        messages.info(request, _("This group session is no longer scheduled."))
        return redirect("scheduling:group-detail", pk=group.pk)
    if request.method == "POST" and form.is_valid():
        try:
            services.group_session_cancel(group=group, actor=request.user, now=timezone.now(),
                                          reason=form.cleaned_data["reason"])
        except SchedulingError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Cancelled. Every seat is refunded and everyone has been told."))
            return redirect("scheduling:group-detail", pk=group.pk)
    return render(request, "scheduling/group_cancel.html",
                  {"group": group, "form": form, "taken": group.seats_taken},
                  status=400 if request.method == "POST" else 200)


@role_required(Role.MENTOR)
@require_http_methods(["GET", "POST"])
def group_edit(request, pk: int):
    """Title, topic, description, video room; attendees get the updated invite."""
    group = _own_group(request, pk)
    initial = {"title": group.title, "topic": group.topic, "description": group.description,
               "video_url": group.video_url}
    form = GroupEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.group_session_update(group=group, actor=request.user, now=timezone.now(), **form.cleaned_data)
        except SchedulingError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Saved. Everyone with a seat has the updated invitation."))
            return redirect("scheduling:group-detail", pk=group.pk)
    return render(request, "scheduling/group_edit.html", {"group": group, "form": form},
                  status=400 if request.method == "POST" else 200)
