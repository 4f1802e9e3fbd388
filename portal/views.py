"""Pages that span the domains: each role's home, the mentor directory and
profiles (with their booking and flash actions), notification settings.

Thin, like every view here: fetch what this user may see, call a selector or
one service, render.
"""

from bisect import bisect_left
from datetime import datetime, time, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import role_required
from accounts.forms import NotificationSettingsForm
from accounts.models import Role, User
from accounts.services import calendar_token_regenerate, calendar_token_revoke
from conversations import selectors as conversation_selectors
from mentorship import selectors as mentorship_selectors
from mentorship.forms import DirectoryFilterForm
from scheduling import group_selectors
from scheduling import selectors as scheduling_selectors
from scheduling.allowance import booking_outlook, outlook_and_enrolment

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


@require_GET
def favicon(request):
    """Browsers and feed readers ask for /favicon.ico without reading our <link rel="icon">."""
    return redirect(static("img/favicon.ico"), permanent=True)


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
    card = mentorship_selectors.mentor_card(request.user, now=now)
    # Whether there are proposals to answer and group places to list rides along with the enrolment: most
    # students have neither, and then neither is read (without a current plan, both are read as usual).
    outlook, enrolment = outlook_and_enrolment(request.user, now=now, flags=_overview_flags)
    known = enrolment is not None
    group_seats, group_waits = group_selectors.student_places(
        request.user, now=now, any_places=(enrolment.any_seats or enrolment.any_waits) if known else None)
    context = {
        "now": now,
        "card": card,
        "current_mentor": card.mentor,  # read once, with the card
        "outlook": outlook,
        "credits_enrolment": enrolment,  # the credits card reads it from here rather than twice more
        **scheduling_selectors.student_sessions(request.user, now=now,
                                                any_pending=enrolment.any_pending if known else None),
        "group_seats": group_seats,
        "group_waits": group_waits,
    }
    return render(request, "portal/overview.html", context)


def _overview_flags(student: int, now) -> dict:
    return {"any_pending": scheduling_selectors.any_pending_proposals(student, now=now),
            **group_selectors.any_places(student, now=now)}


@role_required(Role.MENTOR)
def agenda(request):
    """The mentor's home: a week (?week=) of sessions and free hours, today, upcoming, sessions to
    mark, recent feedback."""
    now = timezone.now()
    today = now.astimezone(request.user.tzinfo).date()
    week = scheduling_selectors.week_view({}, wanted=request.GET.get("week"), default=today, today=today)
    # The week's sessions come with today's, the next ones and those to mark: one query for the four lists.
    agenda = scheduling_selectors.mentor_agenda(request.user, now=now, week_start=week.start)
    week_sessions, service = agenda.pop("week_sessions"), agenda.pop("offered_service")
    calendar = agenda.pop("calendar")  # the free times' calendar came with the lists: no query of its own
    context = {
        "now": now,
        **agenda,
        **_agenda_week(request.user, now=now, week=week, sessions=week_sessions, service=service, calendar=calendar),
    }
    return render(request, "portal/agenda.html", context)


def _agenda_week(mentor, *, now, week, sessions, service, calendar=None) -> dict:
    """`service`: the mentor's first offered service (its length is the free times' step), None for none;
    `calendar`: the mentor's calendar at `now`, read with the agenda (see `mentor_agenda`)."""
    tz = mentor.tzinfo
    duration = service.duration if service else timedelta(hours=1)
    starts = scheduling_selectors.free_slot_starts(mentor=mentor, duration=duration, now=now, calendar=calendar)
    # Only the week's free times are shown (and the first one overall): merge only the starts of its days.
    week_from = datetime.combine(week.start, time.min, tzinfo=tz)
    week_to = datetime.combine(week.start + timedelta(days=7), time.min, tzinfo=tz)
    free = scheduling_selectors.free_ranges(starts[bisect_left(starts, week_from):bisect_left(starts, week_to)],
                                            duration=duration, tz=tz)
    days = [
        {"day": weekday.day, "is_today": weekday.is_today, "sessions": sessions.get(weekday.day, []),
         "free": free.get(weekday.day, [])}
        for weekday in week.days
    ]
    return {"week": week, "week_days": days, "first_free": starts[0].astimezone(tz) if starts else None,
            "free_minutes": int(duration.total_seconds() // 60)}


# --- mentors: the directory and profiles, with booking actions ------------------


@role_required(Role.MENTOR)
@require_http_methods(["GET"])
def my_students(request):
    """The mentor's current students, each linked to their sessions (and notes) together."""
    rows = mentorship_selectors.students_of(request.user, now=timezone.now())
    return render(request, "portal/my_students.html", {"rows": rows})


@login_required
@require_http_methods(["GET"])
def directory(request):
    filters = DirectoryFilterForm(request.GET or None)
    data = filters.cleaned_data if filters.is_valid() else {}
    try:
        page = int(request.GET.get("page", 1))
    except ValueError:
        page = 1
    directory_page = mentorship_selectors.directory(
        request.user, now=timezone.now(), skill=data.get("skill"), language=data.get("language"),
        accepting_only=bool(data.get("accepting")), page=page,
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filters": filters,
        "entries": directory_page.entries,
        "page": directory_page,
        "page_query": query.urlencode(),
        "outlook": booking_outlook(request.user, now=timezone.now()) if request.user.is_student else None,
        "my_hours": directory_page.viewer_hours,
    }
    return render(request, "portal/directory.html", context)


def _viewer_thread(viewer: int) -> dict:
    return {"viewer_thread_id": conversation_selectors.thread_with_outer(User(pk=viewer))}


@login_required
@require_http_methods(["GET"])
def mentor_detail(request, mentor_id: int):
    student = request.user.is_student
    # A student's thread with this mentor (for the "Your conversation" link) rides along with the mentor.
    entry = mentorship_selectors.mentor_detail(request.user, mentor_id, now=timezone.now(),
                                               flags=_viewer_thread if student else None)
    if entry is None:
        raise Http404("No such mentor.")
    context = {
        "entry": entry,
        "mentor_local_now": timezone.now().astimezone(entry.mentor.tzinfo),
        "is_my_mentor": student and entry.mentor.is_viewers_mentor,
        "outlook": booking_outlook(request.user, now=timezone.now()) if student else None,
        "thread_id": entry.mentor.viewer_thread_id if student else None,
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
        messages.success(request, _("Saved. Booking, change and cancellation emails always go out."))
        return redirect("portal:settings-notifications")
    return render(request, "portal/settings_notifications.html", {"form": form})


@login_required
@require_POST
def calendar_feed_regenerate(request):
    calendar_token_regenerate(user=request.user)
    messages.success(request, _("Here is your new calendar link. The old one no longer works."))
    return redirect("portal:settings-notifications")


@login_required
@require_POST
def calendar_feed_revoke(request):
    calendar_token_revoke(user=request.user)
    messages.success(request, _("Your calendar feed is turned off; subscribed calendars stop updating."))
    return redirect("portal:settings-notifications")
