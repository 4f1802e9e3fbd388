"""The inbox and the thread pages.

Thin views: fetch what this user may see (a stranger, signed in or not, gets
a 404 and nothing changes), validate the form, call one service, turn a
domain error into a message on the page.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import role_required
from accounts.models import Role, User
from credits.selectors import booking_allowance
from scheduling import selectors as scheduling_selectors
from scheduling.errors import SchedulingError
from scheduling.forms import FlashCounterForm, FlashDeclineForm
from scheduling.models import Session

from . import selectors, services
from .errors import ConversationError, RateLimited
from .forms import BlockForm, MessageAndRequestForm, MessageForm
from .models import Thread


def _my_thread(request, pk: int) -> Thread:
    thread = selectors.my_thread(request.user, pk)
    if thread is None:
        raise Http404("No such conversation.")
    return thread


def _about_session(thread_or_pair, session_id) -> Session | None:
    if not session_id:
        return None
    student_id, mentor_id = thread_or_pair
    return (Session.objects.filter(pk=session_id, student_id=student_id, mentor_id=mentor_id)
            .select_related("service").first())


def _session_param(request):
    value = request.GET.get("session") or request.POST.get("session")
    return int(value) if value and str(value).isdigit() else None


def _thread_page(request, thread: Thread, *, form=None, status=200, about=None, error=""):
    now = timezone.now()
    user = request.user
    context = {
        "thread": thread, "other": thread.other(user), "now": now,
        "i_am_mentor": user.pk == thread.mentor_id,
        "form": form or MessageForm(initial={"session": about.pk if about else None}),
        "about_session": about, "error": error,
        "compose_url": reverse("conversations:send", args=[thread.pk]),
        "block_form": BlockForm(),
        **selectors.thread_story(thread, viewer=user, now=now),
    }
    if context["i_am_mentor"]:
        context.update(counter_form=FlashCounterForm(tz=user.tzinfo), decline_form=FlashDeclineForm())
    return render(request, "conversations/thread.html", context, status=status)


@role_required(Role.STUDENT, Role.MENTOR)
@require_GET
def inbox(request):
    search = request.GET.get("q", "")[:100]
    paginator = Paginator(selectors.inbox(request.user, search=search), selectors.INBOX_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "conversations/inbox.html", {"page": page, "search": search.strip()})


@require_GET
def thread_detail(request, pk: int):
    thread = _my_thread(request, pk)
    services.thread_mark_read(thread=thread, user=request.user, now=timezone.now())
    about = _about_session((thread.student_id, thread.mentor_id), _session_param(request))
    return _thread_page(request, thread, about=about)


@require_POST
def thread_send(request, pk: int):
    thread = _my_thread(request, pk)
    form = MessageForm(request.POST)
    about = _about_session((thread.student_id, thread.mentor_id), _session_param(request))
    if not form.is_valid():
        return _thread_page(request, thread, form=form, status=400, about=about)
    try:
        message = services.message_send(thread=thread, sender=request.user, body=form.cleaned_data["body"],
                                        submit_key=form.cleaned_data["submit_key"], now=timezone.now(),
                                        about_session=about)
    except ConversationError as exc:
        return _thread_page(request, thread, form=form, about=about, error=exc.message,
                            status=429 if isinstance(exc, RateLimited) else 409)
    return redirect(f"{reverse('conversations:thread', args=[thread.pk])}#message-{message.pk}")


@require_GET
def thread_messages(request, pk: int):
    """Earlier messages of a long thread, a page at a time."""
    thread = _my_thread(request, pk)
    before = request.GET.get("before", "")
    now = timezone.now()
    context = {"thread": thread, "other": thread.other(request.user), "now": now, "archive": True,
               "i_am_mentor": request.user.pk == thread.mentor_id,
               **selectors.thread_story(thread, viewer=request.user, now=now,
                                        before=int(before) if before.isdigit() else None)}
    return render(request, "conversations/thread.html", context)


@require_POST
def thread_block(request, pk: int):
    thread = _my_thread(request, pk)
    form = BlockForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("conversations:thread", pk=thread.pk)
    try:
        services.thread_block(thread=thread, actor=request.user, reason=form.cleaned_data["reason"],
                              now=timezone.now())
    except ConversationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Blocked. %(name)s can no longer write to you here, and your success manager "
                                    "has been told.") % {"name": thread.other(request.user).get_short_name()})
    return redirect("conversations:thread", pk=thread.pk)


@require_POST
def thread_unblock(request, pk: int):
    thread = _my_thread(request, pk)
    try:
        services.thread_unblock(thread=thread, actor=request.user, now=timezone.now())
    except ConversationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Unblocked. You can both write again."))
    return redirect("conversations:thread", pk=thread.pk)


@require_http_methods(["GET", "POST"])
def thread_with(request, user_id: int):
    """Open the conversation with someone this user has a reason to talk to; the
    thread itself is made with the first message, never by a GET."""
    if not request.user.is_authenticated or request.user.role not in (Role.STUDENT, Role.MENTOR):
        raise Http404("No such conversation.")
    other = get_object_or_404(User, pk=user_id, is_active=True, role__in=[Role.STUDENT, Role.MENTOR])
    if other.role == request.user.role:
        raise Http404("No such conversation.")
    existing = selectors.thread_between(request.user, other)
    if existing is not None:
        url = reverse("conversations:thread", args=[existing.pk])
        if request.method == "POST":
            return thread_send(request, existing.pk)
        session = _session_param(request)
        return redirect(f"{url}?session={session}" if session else url)
    student, mentor = (request.user, other) if request.user.role == Role.STUDENT else (other, request.user)
    if not selectors.have_reason_to_talk(student=student, mentor=mentor):
        raise Http404("No such conversation.")
    about = _about_session((student.pk, mentor.pk), _session_param(request))
    form = MessageForm(request.POST or None, initial={"session": about.pk if about else None})
    error = ""
    if request.method == "POST" and form.is_valid():
        now = timezone.now()
        try:
            message = services.message_start(sender=request.user, other=other, body=form.cleaned_data["body"],
                                              submit_key=form.cleaned_data["submit_key"], now=now,
                                              about_session=about)
        except ConversationError as exc:
            error = exc.message
        else:
            return redirect(f"{reverse('conversations:thread', args=[message.thread_id])}#message-{message.pk}")
    now = timezone.now()
    unsaved = Thread(student=student, mentor=mentor)
    context = {"thread": unsaved, "other": other, "now": now, "new_thread": True, "form": form,
               "about_session": about, "error": error, "compose_url": request.path,
               "i_am_mentor": request.user.pk == mentor.pk,
               **selectors.thread_story(unsaved, viewer=request.user, now=now)}
    status = 200 if request.method == "GET" else 409 if error else 400
    return render(request, "conversations/thread.html", context, status=status)


@role_required(Role.STUDENT)
@require_http_methods(["GET", "POST"])
def ask_meeting(request, mentor_id: int):
    """"Send a message and request a meeting" from a mentor's page."""
    mentor = get_object_or_404(User, pk=mentor_id, role=Role.MENTOR, is_active=True)
    offered = scheduling_selectors.offered_services(mentor)
    now = timezone.now()
    form = MessageAndRequestForm(request.POST or None, services=offered, tz=request.user.tzinfo)
    context = {"mentor": mentor, "form": form, "has_services": offered.exists(),
               "allowance": booking_allowance(request.user, now=now)}
    if request.method == "GET":
        return render(request, "conversations/ask.html", context)
    if not form.is_valid():
        return render(request, "conversations/ask.html", context, status=400)
    data = form.cleaned_data
    try:
        message = services.message_with_flash_request(
            student=request.user, mentor=mentor, service=data["service"], starts_at=data["starts_at"],
            topic=data["topic"], body=data["message"], submit_key=data["submit_key"], now=now)
    except (SchedulingError, ConversationError) as exc:
        form.add_error(None, exc.message)
        return render(request, "conversations/ask.html", context,
                      status=429 if isinstance(exc, RateLimited) else 409)
    messages.success(request, _("Sent. %(mentor)s will accept the meeting, decline it, or suggest another time, "
                                "and can reply here.") % {"mentor": mentor.get_full_name()})
    return redirect(f"{reverse('conversations:thread', args=[message.thread_id])}#message-{message.pk}")
