import re
import uuid
from bisect import bisect_left
from datetime import datetime, time, timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Exists, OuterRef, Q
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from accounts.decorators import role_required
from accounts.models import Role, User
from config.paging import counted_page
from config.prepared import Prepared

from . import calendar, selectors, services
from .allowance import booking_outlook
from .errors import SchedulingError, TooLate
from .forms import (
    AttendanceForm,
    BookingForm,
    CancelForm,
    FeedbackForm,
    NotesForm,
    OfferedServicesForm,
    PauseRequestForm,
    ProposalForm,
    RescheduleForm,
    parse_start,
)
from .group_selectors import feed_groups
from .models import PauseRequest, RescheduleProposal, ServiceType, Session, SessionStatus
from .page_links import session_links
from .wording import cancellation_terms

# --- fetch helpers: only what this user may see, 404 otherwise -----------------


def _my_session(request, pk: int, **annotations) -> Session:
    try:
        return (
            Session.objects.for_user(request.user)
            .select_related("student", "mentor", "service", "feedback")
            .annotate(**annotations)
            .get(pk=pk)
        )
    except Session.DoesNotExist:
        raise Http404("No such session.") from None


def _bookable_mentor(mentor_id: int) -> User:
    return get_object_or_404(User, pk=mentor_id, role=Role.MENTOR, is_active=True)


def _bookable_offer(mentor_id: int, service_id: int) -> tuple[User, ServiceType]:
    """A bookable mentor (as `_bookable_mentor`) and an active service they offer, in one query (the offer's
    row, with the mentor and the service); 404 when either is not."""
    offer = _OFFER_READ.fetch_first({"mentor": mentor_id, "service": service_id})
    if offer is None:
        raise Http404("No such mentor or service.")
    return offer.user, offer.servicetype


# Compiled once per process (config/prepared.py): the slot picker and every booking read it first, and building
# the four-table query cost more Python than PostgreSQL took to answer it. (A mentor offers a service once.)
_OFFER_READ = Prepared(
    lambda mentor, service: (ServiceType.mentors.through.objects
                             .select_related("user__mentor_profile", "servicetype")
                             .filter(user_id=mentor, user__role=Role.MENTOR, user__is_active=True,
                                     servicetype_id=service, servicetype__is_active=True).order_by("pk")[:1]),
    mentor="int", service="int")


def _refused(request, template: str, context: dict, exc: SchedulingError):
    """Show the confirm page again with why nothing happened, and nearer free times when known."""
    context.update(error=exc.message, nearest=getattr(exc, "nearest", []))
    return render(request, template, context, status=409)


def _max_weeks(now, start) -> int:
    earliest, horizon = selectors.booking_window(now)
    return max(1, min(8, 1 + int((horizon - start).days // 7)))


@role_required(Role.MENTOR)
@require_http_methods(["GET", "POST"])
def offered_services(request):
    form = OfferedServicesForm(request.POST or None, initial={"services": request.user.offered_services.all()})
    if request.method == "POST" and form.is_valid():
        request.user.offered_services.set(form.cleaned_data["services"])
        messages.success(request, _("Saved the services you offer."))
        return redirect("scheduling:offered-services")
    return render(request, "scheduling/offered_services.html", {"form": form})


# --- booking ------------------------------------------------------------------


@role_required(Role.STUDENT)
def book_mentor(request, mentor_id: int):
    """Book Now: pick a service (skipped when the mentor offers just one)."""
    mentor = _bookable_mentor(mentor_id)
    offered = list(selectors.offered_services(mentor))
    if len(offered) == 1:
        return redirect("scheduling:book-slots", mentor_id=mentor.pk, service_id=offered[0].pk)
    return render(request, "scheduling/book_service.html", {"mentor": mentor, "services": offered})


@role_required(Role.STUDENT)
def book_slots(request, mentor_id: int, service_id: int):
    mentor, service = _bookable_offer(mentor_id, service_id)
    now = timezone.now()
    outlook = booking_outlook(request.user, now=now)
    starts = []
    if outlook.can_book:  # no times that would end at a refused Book
        starts = selectors.free_slot_starts(mentor=mentor, duration=service.duration, now=now, student=request.user)
    return render(request, "scheduling/book_slots.html", {
        "mentor": mentor, "service": service, "now": now, "outlook": outlook,
        **_slot_week(request, starts, service.duration, now),
    })


def _times_to_move_to(request, session: Session, now) -> dict:
    """The week of free times this session could move to (both people free), in the viewer's zone."""
    starts = selectors.free_slot_starts(mentor=session.mentor, duration=session.service.duration, now=now,
                                        student=session.student, exclude_session_id=session.pk)
    return _slot_week(request, starts, session.service.duration, now)


def _slot_week(request, starts, duration, now) -> dict:
    """The week of free times asked for (?week=), by default the week of the first free one.

    Only the shown week's starts (about a hundred of the four weeks' several hundred) become SlotChoices:
    `days` holds that week's local days."""
    tz = request.user.tzinfo
    today = now.astimezone(tz).date()
    _, horizon = selectors.booking_window(now)
    bounds = {"wanted": request.GET.get("week"), "default": starts[0].astimezone(tz).date() if starts else today,
              "today": today, "first": today, "last": horizon.astimezone(tz).date()}
    shown = selectors.week_view({}, **bounds)
    week_from = datetime.combine(shown.start, time.min, tzinfo=tz)
    week_to = datetime.combine(shown.start + timedelta(days=7), time.min, tzinfo=tz)
    lo = bisect_left(starts, week_from)
    in_week = starts[lo:bisect_left(starts, week_to)]
    days = selectors.slots_by_day(starts=in_week, duration=duration, viewer=request.user, now=now)
    if lo == 0 and in_week:  # the shown week starts with the first free time (no ?week=, or that week)
        first_free = next(slot for slots in days.values() for slot in slots)
    else:
        first = selectors.slots_by_day(starts=starts[:1], duration=duration, viewer=request.user, now=now)
        first_free = next((slot for slots in first.values() for slot in slots), None)
    return {"days": days, "week": selectors.week_view(days, **bounds), "first_free": first_free}


@role_required(Role.STUDENT)
@require_http_methods(["GET", "POST"])
def book_confirm(request, mentor_id: int, service_id: int):
    mentor, service = _bookable_offer(mentor_id, service_id)
    now = timezone.now()
    slots_url = reverse("scheduling:book-slots", args=[mentor.pk, service.pk])
    start = parse_start(request.POST.get("start") if request.method == "POST" else request.GET.get("start"))
    if start is None:
        messages.error(request, _("That time isn't a valid slot. Pick one from the list."))
        return redirect(slots_url)

    outlook = booking_outlook(request.user, now=now)
    max_weeks = _max_weeks(now, start)
    if outlook.room is not None:
        max_weeks = max(1, min(max_weeks, outlook.room))
    form = BookingForm(request.POST or None, max_weeks=max_weeks,
                       initial={"start": start.isoformat(), "booking_key": uuid.uuid4(), "weeks": 1})
    unavailable = None
    if request.method == "GET" and outlook.can_book:
        # Never an active Book that will be refused: the time is re-checked before the button is shown.
        free = selectors.free_slot_starts(mentor=mentor, duration=service.duration, now=now, student=request.user)
        if start not in free:
            unavailable = services.why_unavailable(student=request.user, mentor=mentor, starts_at=start,
                                                   ends_at=start + service.duration, now=now)
    context = {
        "mentor": mentor, "service": service, "start": start, "end": start + service.duration, "form": form,
        "terms": cancellation_terms(start, now=now), "outlook": outlook, "unavailable": unavailable,
        "bookable": outlook.can_book and unavailable is None,
        "weeks_note": outlook.weeks_note(_max_weeks(now, start)),
        "slots_url": slots_url, "now": now,
    }
    if request.method == "GET":
        return render(request, "scheduling/book_confirm.html", context)

    if not form.is_valid():
        return render(request, "scheduling/book_confirm.html", context, status=400)
    data = form.cleaned_data
    try:
        if data["weeks"] > 1:
            result = services.booking_series_create(
                student=request.user, mentor=mentor, service=service, first_starts_at=data["start"],
                weeks=data["weeks"], actor=request.user, now=now,
            )
            return render(request, "scheduling/series_result.html", {"result": result, "mentor": mentor,
                                                                     "service": service, "now": now})
        session = services.booking_create(
            student=request.user, mentor=mentor, service=service, starts_at=data["start"], actor=request.user,
            now=now, booking_key=data["booking_key"], offer_checked=True,  # _bookable_offer read it as an offer,
            video_url=getattr(getattr(mentor, "mentor_profile", None), "video_url", ""),  # with the mentor's room
        )
    except SchedulingError as exc:
        context["bookable"] = True  # show the form again under the refusal, with the nearest times
        return _refused(request, "scheduling/book_confirm.html", context, exc)
    messages.success(request, _("Booked! We've emailed you the details. Add it to your calendar below."))
    return redirect("scheduling:session-detail", pk=session.pk)


# --- one session ----------------------------------------------------------------


SESSION_FILTERS = {
    "upcoming": gettext_lazy("Upcoming"),
    "past": gettext_lazy("Past"),
    SessionStatus.COMPLETED: gettext_lazy("Completed"),
    SessionStatus.CANCELLED: gettext_lazy("Cancelled"),
    SessionStatus.FORFEITED: gettext_lazy("Forfeited"),
    SessionStatus.MENTOR_NO_SHOW: gettext_lazy("Mentor no-show"),
}
SESSIONS_PER_PAGE = 20


@login_required
@require_http_methods(["GET"])
def session_list(request):
    """Everyone's sessions, newest first, filtered by status and by the other person, a page at a time."""
    now = timezone.now()
    shown = request.GET.get("status", "")
    if shown not in SESSION_FILTERS:
        shown = ""
    sessions = Session.objects.for_user(request.user).select_related("student", "mentor", "service")
    other = None
    if request.GET.get("with", "").isdigit():
        # Only someone this user has sessions with; anyone else is ignored, not revealed.
        other = User.objects.exclude(pk=request.user.pk).filter(pk=int(request.GET["with"])).first()
        if other is not None and sessions.filter(Q(student=other) | Q(mentor=other)).exists():
            sessions = sessions.filter(Q(student=other) | Q(mentor=other))
        else:
            other = None
    if shown == "upcoming":
        sessions = sessions.upcoming(now).order_by("starts_at")
    elif shown == "past":
        sessions = sessions.exclude(status=SessionStatus.SCHEDULED, ends_at__gt=now).order_by("-starts_at")
    elif shown:
        sessions = sessions.filter(status=shown).order_by("-starts_at")
    else:
        sessions = sessions.order_by("-starts_at")
    page = counted_page(sessions, SESSIONS_PER_PAGE, request.GET.get("page"))  # the count rides along
    query = {key: value for key, value in (("status", shown), ("with", other.pk if other else "")) if value}
    return render(request, "scheduling/session_list.html", {
        "page_obj": page, "sessions": page.object_list, "now": now, "filters": SESSION_FILTERS, "shown": shown,
        "shown_label": SESSION_FILTERS.get(shown, _("All sessions")), "other": other, "query": urlencode(query),
    })


@login_required
def session_detail(request, pk: int):
    # Whether any proposal is open rides along with the session: the proposals are read only when there are
    # some (seldom), not on every view of the page.
    session = _my_session(request, pk, has_open_proposals=Exists(
        RescheduleProposal.objects.pending().filter(session=OuterRef("pk"))))
    now = timezone.now()
    open_proposals = list(session.proposals.pending()) if session.has_open_proposals else []
    for proposal in open_proposals:
        proposal.session = session  # already read, with both people: no join to read it again
    open_proposals = [p for p in open_proposals if not p.is_expired(now)]
    return render(request, "scheduling/session_detail.html", {
        "to_answer": [p for p in open_proposals if p.proposed_by_id != request.user.pk],
        "my_proposals": [p for p in open_proposals if p.proposed_by_id == request.user.pk],
        "session": session, "now": now, "is_student": session.student_id == request.user.pk,
        "is_mentor": session.mentor_id == request.user.pk,
        "events": session.events.select_related("actor"),
        "notes_form": NotesForm(initial={"notes": session.mentor_notes}),
        "feedback_form": FeedbackForm(), "attendance_form": AttendanceForm(),
        # Links other apps register (e.g. "Message your mentor"); see page_links.
        "page_links": session_links(session, request.user),
    })


@login_required
@require_http_methods(["GET", "POST"])
def session_cancel(request, pk: int):
    """GET shows the consequence (refund or forfeit); POST acts."""
    session = _my_session(request, pk)
    now = timezone.now()
    by_student = session.student_id == request.user.pk
    late = by_student and session.is_late_cancellation(now)
    form = CancelForm(request.POST or None, initial={"expect_forfeit": "1" if late else "0"})
    context = {"session": session, "late": late, "by_student": by_student, "form": form, "now": now}
    if request.method == "POST" and form.is_valid():
        try:
            services.session_cancel(session=session, actor=request.user, now=now,
                                    reason=form.cleaned_data["reason"], expect_forfeit=form.cleaned_data["expect_forfeit"])
        except TooLate as exc:
            context.update(error=exc.message, late=True, form=CancelForm(initial={"expect_forfeit": "1"}))
            return render(request, "scheduling/session_cancel.html", context, status=409)
        except SchedulingError as exc:
            messages.error(request, exc.message)
            return redirect("scheduling:session-detail", pk=session.pk)
        session.refresh_from_db()
        if session.status == SessionStatus.FORFEITED:
            messages.warning(request, _("The session is cancelled and forfeited; the credit is spent."))
        elif by_student:
            messages.success(request, _("Cancelled. Your credit is back — book another time whenever you like."))
        else:
            messages.success(request, _("Cancelled. The student's credit is back and they have been told."))
        return redirect("scheduling:session-detail", pk=session.pk)
    if session.status != SessionStatus.SCHEDULED:
        messages.info(request, _("This session is no longer scheduled."))
        return redirect("scheduling:session-detail", pk=session.pk)
    return render(request, "scheduling/session_cancel.html", context, status=400 if request.method == "POST" else 200)


@login_required
def session_reschedule(request, pk: int):
    """Pick a new time, at least 24 h before the start."""
    session = _my_session(request, pk)
    now = timezone.now()
    if session.student_id != request.user.pk:
        raise Http404("Only the student reschedules.")
    context = {"session": session, "now": now}
    if session.status == SessionStatus.SCHEDULED and not session.is_late_cancellation(now):
        context.update(_times_to_move_to(request, session, now))
    return render(request, "scheduling/session_reschedule.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def session_reschedule_confirm(request, pk: int):
    session = _my_session(request, pk)
    now = timezone.now()
    if session.student_id != request.user.pk:
        raise Http404("Only the student reschedules.")
    back = reverse("scheduling:session-reschedule", args=[session.pk])
    start = parse_start(request.POST.get("start") if request.method == "POST" else request.GET.get("start"))
    if start is None:
        messages.error(request, _("That time isn't a valid slot. Pick one from the list."))
        return redirect(back)
    form = RescheduleForm(request.POST or None, initial={"start": start.isoformat()})
    context = {"session": session, "start": start, "end": start + session.service.duration, "form": form,
               "terms": cancellation_terms(start, now=now), "back": back, "now": now}
    if request.method == "GET":
        return render(request, "scheduling/session_reschedule_confirm.html", context)
    if not form.is_valid():
        return render(request, "scheduling/session_reschedule_confirm.html", context, status=400)
    try:
        services.session_reschedule(session=session, new_starts_at=form.cleaned_data["start"], actor=request.user,
                                    now=now)
    except SchedulingError as exc:
        return _refused(request, "scheduling/session_reschedule_confirm.html", context, exc)
    messages.success(request, _("Rescheduled. Your credit carries over to the new time."))
    return redirect("scheduling:session-detail", pk=session.pk)


@login_required
def session_ics(request, pk: int):
    """Add to calendar: the session as a one-event .ics download."""
    session = _my_session(request, pk)
    response = HttpResponse(calendar.session_ics(session, now=timezone.now()), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="session-{session.pk}.ics"'
    return response


# --- another time, agreed by both ---------------------------------------------


@login_required
def session_propose(request, pk: int):
    """The mentor proposes another time; inside 24 h the student asks for one. Times come from the mentor's hours."""
    session = _my_session(request, pk)
    now = timezone.now()
    is_student = session.student_id == request.user.pk
    context = {"session": session, "now": now, "is_student": is_student}
    if session.status == SessionStatus.SCHEDULED and session.starts_at > now:
        if is_student and not session.is_late_cancellation(now):
            return redirect("scheduling:session-reschedule", pk=session.pk)
        context.update(_times_to_move_to(request, session, now))
    return render(request, "scheduling/session_propose.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def session_propose_confirm(request, pk: int):
    session = _my_session(request, pk)
    now = timezone.now()
    back = reverse("scheduling:session-propose", args=[session.pk])
    start = parse_start(request.POST.get("start") if request.method == "POST" else request.GET.get("start"))
    if start is None:
        messages.error(request, _("That time isn't a valid slot. Pick one from the list."))
        return redirect(back)
    form = ProposalForm(request.POST or None, initial={"start": start.isoformat()})
    context = {"session": session, "start": start, "end": start + session.service.duration, "form": form,
               "back": back, "now": now, "is_student": session.student_id == request.user.pk,
               "terms": cancellation_terms(start, now=now)}
    if request.method == "GET":
        return render(request, "scheduling/session_propose_confirm.html", context)
    if not form.is_valid():
        return render(request, "scheduling/session_propose_confirm.html", context, status=400)
    try:
        services.proposal_create(session=session, actor=request.user, starts_at=form.cleaned_data["start"],
                                 note=form.cleaned_data["note"], now=now)
    except SchedulingError as exc:
        return _refused(request, "scheduling/session_propose_confirm.html", context, exc)
    messages.success(request, _("Sent. The session stays at its current time until they accept; we'll email you."))
    return redirect("scheduling:session-detail", pk=session.pk)


def _my_proposal(request, pk: int) -> RescheduleProposal:
    try:
        return RescheduleProposal.objects.select_related("session").get(
            Q(session__student=request.user) | Q(session__mentor=request.user), pk=pk)
    except RescheduleProposal.DoesNotExist as exc:
        raise Http404("No such proposal.") from exc


@login_required
@require_POST
def proposal_accept(request, pk: int):
    proposal = _my_proposal(request, pk)
    try:
        services.proposal_accept(proposal=proposal, actor=request.user, now=timezone.now())
        messages.success(request, _("Done — the session moved to the new time. The credit is kept; "
                                    "both of you have an updated invite."))
    except SchedulingError as exc:
        messages.error(request, exc.message)
    return redirect("scheduling:session-detail", pk=proposal.session_id)


@login_required
@require_POST
def proposal_decline(request, pk: int):
    proposal = _my_proposal(request, pk)
    try:
        services.proposal_decline(proposal=proposal, actor=request.user, note=request.POST.get("note", ""),
                                  now=timezone.now())
        messages.success(request, _("Declined. The session stays at its current time."))
    except SchedulingError as exc:
        messages.error(request, exc.message)
    return redirect("scheduling:session-detail", pk=proposal.session_id)


@login_required
@require_POST
def proposal_withdraw(request, pk: int):
    proposal = _my_proposal(request, pk)
    try:
        services.proposal_withdraw(proposal=proposal, actor=request.user, now=timezone.now())
        messages.success(request, _("Proposal withdrawn."))
    except SchedulingError as exc:
        messages.error(request, exc.message)
    return redirect("scheduling:session-detail", pk=proposal.session_id)


@login_required
@require_POST
def session_attendance(request, pk: int):
    session = _my_session(request, pk)
    form = AttendanceForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors["attended"][0])
    else:
        try:
            services.attendance_mark(session=session, actor=request.user, attended=form.cleaned_data["attended"],
                                     now=timezone.now())
            messages.success(request, _("Attendance saved."))
        except SchedulingError as exc:
            messages.error(request, exc.message)
    # The agenda posts here too and wants its page back; only a local path is followed.
    next_url = request.POST.get("next", "")
    local = next_url.startswith("/") and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=False)
    # A path, never a view name: redirect() would try to reverse junk like "-1".
    return HttpResponseRedirect(next_url if local else reverse("scheduling:session-detail", args=[session.pk]))


@login_required
@require_POST
def session_notes(request, pk: int):
    session = _my_session(request, pk)
    form = NotesForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Notes can be at most 10,000 characters."))
    else:
        try:
            services.session_notes_save(session=session, actor=request.user, notes=form.cleaned_data["notes"],
                                        now=timezone.now())
            messages.success(request, _("Notes saved. The student can read them on the session page."))
        except SchedulingError as exc:
            messages.error(request, exc.message)
    return redirect("scheduling:session-detail", pk=session.pk)


@login_required
@require_POST
def session_feedback(request, pk: int):
    session = _my_session(request, pk)
    form = FeedbackForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    else:
        try:
            services.feedback_leave(session=session, actor=request.user, rating=form.cleaned_data["rating"],
                                    comment=form.cleaned_data["comment"], now=timezone.now())
            messages.success(request, _("Thanks for your feedback!"))
        except SchedulingError as exc:
            messages.error(request, exc.message)
    return redirect("scheduling:session-detail", pk=session.pk)


CALENDAR_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")


def calendar_feed(request, token: str):
    """A user's private iCalendar feed: no login, the secret token is the key."""
    # Only what token_urlsafe makes can match; junk (NUL bytes included, which
    # PostgreSQL refuses in a query) is simply not found.
    valid = CALENDAR_TOKEN.fullmatch(token) is not None
    user = User.objects.filter(calendar_token=token, is_active=True).first() if valid else None
    if user is None:
        raise Http404("No such calendar.")
    now = timezone.now()
    sessions = selectors.calendar_feed_sessions(user, now=now)
    # The feed's owner reads it in their language, whatever the calendar app sends as Accept-Language.
    with translation.override(user.language or "en"):
        body = calendar.feed(sessions, now=now, name=_("Mentorship sessions"), groups=feed_groups(user, now=now))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    response["Content-Disposition"] = 'inline; filename="mentorship.ics"'
    return response


@role_required(Role.STUDENT)
@require_http_methods(["GET", "POST"])
def pause_requests(request):
    """Settings → Pause: ask for a pause and see what was decided."""
    form = PauseRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.pause_request_create(student=request.user, now=timezone.now(), **form.cleaned_data)
        except SchedulingError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Sent. Your success manager will get back to you; you'll get an email."))
            return redirect("scheduling:pause-requests")
    history = PauseRequest.objects.filter(student=request.user).select_related("decided_by")
    return render(request, "scheduling/pause_requests.html", {"form": form, "history": history},
                  status=400 if request.method == "POST" else 200)


@role_required(Role.STUDENT)
@require_POST
def pause_withdraw(request, pk: int):
    pause = get_object_or_404(PauseRequest, pk=pk, student=request.user)
    try:
        services.pause_request_withdraw(request=pause, student=request.user, now=timezone.now())
        messages.success(request, _("Request withdrawn."))
    except SchedulingError as exc:
        messages.error(request, exc.message)
    return redirect("scheduling:pause-requests")
