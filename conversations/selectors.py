"""Reads of conversations: the inbox, one thread's story, the unread badge.

Each page is a fixed number of queries whatever the number of threads,
messages or events (the tests assert it).
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Exists, OuterRef, Q, Subquery, Sum

from accounts.models import User
from config.prepared import Prepared
from mentorship.models import MentorAssignment
from scheduling.models import FlashRequest, Session, SessionEvent

from .models import Membership, Message, Thread

MESSAGES_SHOWN = 50
EVENTS_SHOWN = 100
INBOX_PAGE_SIZE = 20


def have_reason_to_talk(*, student: User, mentor: User) -> bool:
    """A pairing (current or past), a session, or a flash request between the two."""
    pair = {"student": student, "mentor": mentor}
    return (MentorAssignment.objects.filter(**pair).exists() or Session.objects.filter(**pair).exists()
            or FlashRequest.objects.filter(**pair).exists())


def thread_between(user: User, other: User) -> Thread | None:
    return Thread.objects.for_user(user).filter(Q(student=other) | Q(mentor=other)).first()


def thread_with_outer(user: User) -> Subquery:
    """The pk of `user`'s thread with the person of the outer query (`OuterRef("pk")`), as `thread_between`
    finds it: for a page that reads that person anyway (the mentor page) and wants it in the same query."""
    other = OuterRef("pk")
    return Subquery(Thread.objects.for_user(user).filter(Q(student=other) | Q(mentor=other)).values("pk")[:1])


# --- the unread badge ---------------------------------------------------------------


def unread_total(user: User) -> int:
    """Unread messages over all of the user's threads: one indexed query.

    Not cached on purpose: a cache would make the first page after every
    message cost a query more than the next, and every page's query count
    must stay the same.
    """
    return Membership.objects.filter(user=user, unread_count__gt=0).aggregate(n=Sum("unread_count"))["n"] or 0


# --- the inbox ----------------------------------------------------------------------


def inbox(user: User, *, search: str = ""):
    """The user's threads with at least one message, newest first; `search` matches the other person's name."""
    rows = (
        Membership.objects.filter(user=user, thread__last_message_at__isnull=False)
        .select_related("thread__student", "thread__mentor", "thread__last_message")
        # Only what a row shows (conversations/templatetags/thread_tags.py inbox_rows).
        .only("unread_count", "thread_id", "user_id", "thread__student_id", "thread__mentor_id",
              "thread__blocked_at", "thread__last_message_at", "thread__last_message_id",
              "thread__student__full_name", "thread__student__email", "thread__mentor__full_name",
              "thread__mentor__email", "thread__last_message__sender_id", "thread__last_message__body")
        .order_by("-thread__last_message_at", "-thread_id")
    )
    search = search.strip()
    if search:
        rows = rows.filter(
            Q(thread__student=user, thread__mentor__full_name__icontains=search)
            | Q(thread__mentor=user, thread__student__full_name__icontains=search)
        )
    return rows


# --- one thread ---------------------------------------------------------------------


@dataclass
class Entry:
    """One line of a thread's story: a message, or something that happened between the two."""

    at: datetime
    kind: str  # "message", "session", "flash"
    message: Message | None = None
    event: SessionEvent | None = None
    flash: FlashRequest | None = None
    flash_step: str = ""
    extra: dict = field(default_factory=dict)


def _flash_steps(request: FlashRequest) -> list[tuple[datetime, str]]:
    F = FlashRequest.Status
    steps = [(request.created_at, "requested")]
    if request.counter_starts_at and request.responded_at:
        steps.append((request.responded_at, "countered"))
    if request.decided_at:
        final = {F.ACCEPTED: "accepted", F.DECLINED: "declined", F.WITHDRAWN: "withdrawn",
                 F.EXPIRED: "expired"}.get(request.status)
        if request.status == F.DECLINED and request.counter_starts_at and request.responded_at != request.decided_at:
            final = "counter_declined"
        if final:
            steps.append((request.decided_at, final))
    return steps


def _people(thread: Thread, ids) -> dict[int, User]:
    """The thread's two people (the views read them with the thread) and anyone else in `ids`, in one query
    only when there is anyone else (a manager who acted on a session, say)."""
    people = {thread.student_id: thread.student, thread.mentor_id: thread.mentor}
    unknown = set(ids) - people.keys() - {None}
    if unknown:
        people.update(User.objects.in_bulk(unknown))
    return people


def _attach_actors(events: list[SessionEvent], thread: Thread) -> None:
    people = _people(thread, {e.actor_id for e in events})
    for e in events:
        e.actor = people.get(e.actor_id)


def _attach(page: list[Message], thread: Thread) -> None:
    """Each message's sender and the session it is about, from what is in hand: the thread's two people;
    anyone else and the sessions in one query each, only when there are any."""
    people = _people(thread, {m.sender_id for m in page})
    session_ids = {m.about_session_id for m in page if m.about_session_id}
    sessions = Session.objects.select_related("service").in_bulk(session_ids) if session_ids else {}
    for m in page:
        m.sender = people[m.sender_id]
        if m.about_session_id:
            m.about_session = sessions.get(m.about_session_id)


def story_flags() -> dict:
    """Whether the thread's two people have any session events and any flash requests, as annotations on the
    thread's own read: most threads have neither, and then `thread_story` reads neither (without these
    annotations on the thread, it reads both as usual)."""
    return {
        "any_events": Exists(SessionEvent.objects.filter(session__student=OuterRef("student_id"),
                                                         session__mentor=OuterRef("mentor_id"))),
        "any_requests": Exists(FlashRequest.objects.filter(student=OuterRef("student_id"),
                                                           mentor=OuterRef("mentor_id"))),
    }


def _thread_read(pk: int, user: int):
    """What `my_thread` reads: the thread if the user takes part in it (`for_user`), its two people, the flags."""
    return (Thread.objects.for_user(User(pk=user)).select_related("student", "mentor")
            .annotate(**story_flags()).filter(pk=pk).order_by()[:1])


def _latest_messages(thread: int):
    # Only what a message row shows (conversations/templatetags/thread_tags.py), without joins: the senders
    # are the thread's two people, already in hand, and a session a message is about is rare (_attach).
    return (Message.objects.filter(thread_id=thread)
            .only("thread_id", "sender_id", "body", "created_at", "about_session_id", "flash_request_id")
            .order_by("-created_at", "-pk"))


# The thread page's two reads of every view, each compiled once per process (config/prepared.py): compiling
# them cost more Python than the rest of the page's reads.
_MY_THREAD = Prepared(_thread_read, pk="int", user="int")
_LATEST_PAGE = Prepared(lambda thread: _latest_messages(thread)[: MESSAGES_SHOWN + 1], thread="int")


def my_thread(user: User, pk: int) -> Thread | None:
    """Thread `pk` if `user` takes part in it, with its two people and the `story_flags`; None otherwise."""
    if not user.is_authenticated:
        return None
    return _MY_THREAD.fetch_first({"pk": pk, "user": user.pk})


def thread_story(thread: Thread, *, viewer: User | None, now: datetime, before: int | None = None,
                 limit: int = MESSAGES_SHOWN) -> dict:
    """Messages oldest first with the sessions and flash requests between the two
    people interleaved as events. Three queries however long the thread.

    With `before` (a message id) the page shows the messages before it; the
    events shown are those inside the span of the messages shown (all of
    them when the thread is short enough to show whole).
    """
    if not thread.pk:
        page = []
    elif before is None and limit == MESSAGES_SHOWN:
        page = _LATEST_PAGE.fetch({"thread": thread.pk})
    else:
        messages = _latest_messages(thread.pk)
        page = list((messages if before is None else messages.filter(pk__lt=before))[: limit + 1])
    has_earlier = len(page) > limit
    page = page[:limit][::-1]
    _attach(page, thread)
    span_start = page[0].created_at if has_earlier and page else None
    span_end = None
    if before is not None:
        span_end = Message.objects.filter(pk=before, thread=thread).values_list("created_at", flat=True).first()

    pair = {"student_id": thread.student_id, "mentor_id": thread.mentor_id}
    # What an event line shows (conversations/_entry.html); the actor is attached like a message's sender.
    events = SessionEvent.objects.filter(**{f"session__{k}": v for k, v in pair.items()}).select_related(
        "session__service").only("at", "kind", "previous_starts_at", "actor_id", "session_id",
                                 "session__starts_at", "session__service__name")
    requests = FlashRequest.objects.filter(**pair).select_related("service", "session")
    if span_start is not None:
        events = events.filter(at__gte=span_start)
        requests = requests.filter(Q(created_at__gte=span_start) | Q(decided_at__gte=span_start)
                                   | Q(responded_at__gte=span_start))
    if span_end is not None:
        events = events.filter(at__lt=span_end)
        requests = requests.filter(created_at__lt=span_end)

    entries = [Entry(at=m.created_at, kind="message", message=m) for m in page]
    shown_events = list(events.order_by("-at", "-pk")[:EVENTS_SHOWN]) if getattr(thread, "any_events", True) else []
    _attach_actors(shown_events, thread)
    entries += [Entry(at=e.at, kind="session", event=e) for e in shown_events]
    shown_requests = requests.order_by("-created_at", "-pk")[:EVENTS_SHOWN] if getattr(thread, "any_requests", True) else []
    for request in shown_requests:
        request.shown_status = request.status_at(now)
        request.shown_status_label = FlashRequest.Status(request.shown_status).label
        for at, step in _flash_steps(request):
            if (span_start is None or at >= span_start) and (span_end is None or at < span_end):
                entries.append(Entry(at=at, kind="flash", flash=request, flash_step=step))
    entries.sort(key=lambda e: (e.at, 0 if e.kind != "message" else 1))
    return {
        "entries": entries,
        "has_earlier": has_earlier,
        "earliest_id": page[0].pk if page else None,
        "message_count": len(page),
    }


def memberships_of(thread: Thread) -> dict[int, Membership]:
    return {m.user_id: m for m in Membership.objects.filter(thread=thread)}
