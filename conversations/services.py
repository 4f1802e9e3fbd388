"""Every write of conversations: keyword-only, one transaction each, `now` passed in.

Lock order, where a service takes several locks: the sender's user row (so
their rate limit and submit key are decided one request at a time), then
the thread row. Emails go through the outbox (accounts.emails), written in
the same transaction and delivered after commit.
"""

import uuid
from datetime import datetime, timedelta
from functools import lru_cache

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.emails import send_templated_email
from accounts.models import Role, User
from scheduling import flash
from scheduling.models import FlashRequest, ServiceType, Session

from . import selectors
from .errors import ConversationError, RateLimited, ThreadBlocked
from .models import MESSAGE_MAX_LENGTH, Membership, Message, Thread

# Per sender, over all their threads: generous for a conversation, tight for a script.
RATE_LIMITS = ((timedelta(minutes=1), 10), (timedelta(hours=1), 100))
BLOCK_REASON_MAX = 500


def _pair(user: User, other: User) -> tuple[User, User]:
    """(student, mentor) for two people, whichever of them is which."""
    if user.role == Role.STUDENT and other.role == Role.MENTOR:
        return user, other
    if user.role == Role.MENTOR and other.role == Role.STUDENT:
        return other, user
    raise ConversationError(_("Conversations are between a student and a mentor."))


def thread_open(*, user: User, other: User, now: datetime) -> Thread:
    """The thread between two people who have a reason to talk (created on first use).

    A reason is a pairing (current or past), a session or a flash request
    between them; a student reaches any other mentor only through a flash
    request (see `message_with_flash_request`).
    """
    student, mentor = _pair(user, other)
    existing = Thread.objects.filter(student=student, mentor=mentor).first()
    if existing is not None:
        return existing
    if not selectors.have_reason_to_talk(student=student, mentor=mentor):
        raise ConversationError(_("You can write to your mentor, your students, and people you have a session "
                                  "or a flash request with."))
    return _create_thread(student=student, mentor=mentor, now=now)


def _create_thread(*, student: User, mentor: User, now: datetime) -> Thread:
    try:
        with transaction.atomic():
            thread = Thread.objects.create(student=student, mentor=mentor, created_at=now)
            Membership.objects.bulk_create([Membership(thread=thread, user=student),
                                            Membership(thread=thread, user=mentor)])
            return thread
    except IntegrityError:  # the other person (or another tab) opened it at the same moment
        return Thread.objects.get(student=student, mentor=mentor)


def clean_body(body: str) -> str:
    body = (body or "").replace("\r\n", "\n").strip()
    if not body:
        raise ConversationError(_("Write something before sending."))
    if len(body) > MESSAGE_MAX_LENGTH:
        raise ConversationError(_("Messages can be up to %(limit)s characters; yours has %(show_value)s. "
                                  "Shorten it or send it in two parts.") % {
            "limit": number_format(MESSAGE_MAX_LENGTH, force_grouping=True),
            "show_value": number_format(len(body), force_grouping=True)})
    return body


def _check_rate(sender: User, now: datetime) -> None:
    longest = max(window for window, _ in RATE_LIMITS)
    counts = Message.objects.filter(sender=sender, created_at__gt=now - longest).aggregate(**{
        f"w{i}": Count("pk", filter=Q(created_at__gt=now - window)) for i, (window, _) in enumerate(RATE_LIMITS)
    })
    for i, (window, limit) in enumerate(RATE_LIMITS):
        if counts[f"w{i}"] >= limit:
            minutes = int(window.total_seconds() // 60)
            if minutes == 1:
                text = _("You've sent %(limit)s messages in the last minute. Wait a little, then send again; "
                         "your text is still in the box.")
            elif minutes % 60 == 0:
                text = ngettext("You've sent %(limit)s messages in the last %(hours)s hour. Wait a little, then send "
                                "again; your text is still in the box.",
                                "You've sent %(limit)s messages in the last %(hours)s hours. Wait a little, then send "
                                "again; your text is still in the box.", minutes // 60)
            else:
                text = _("You've sent %(limit)s messages in the last %(minutes)s minutes. Wait a little, then send "
                         "again; your text is still in the box.")
            raise RateLimited(text % {"limit": limit, "hours": minutes // 60, "minutes": minutes})


def _existing(submit_key: uuid.UUID, *, sender: User) -> Message | None:
    message = Message.objects.filter(submit_key=submit_key).first()
    if message is not None and message.sender_id != sender.pk:
        raise ConversationError(_("This form was already used. Reload the page and send again."))
    return message


def message_send(*, thread: Thread, sender: User, body: str, submit_key: uuid.UUID, now: datetime,
                 about_session: Session | None = None, flash_request: FlashRequest | None = None) -> Message:
    """Post a message; a repeated submit key returns the message it already made."""
    body = clean_body(body)
    if sender.pk not in (thread.student_id, thread.mentor_id):
        raise ConversationError(_("You are not part of this conversation."))
    if about_session is not None and (about_session.student_id, about_session.mentor_id) != (
            thread.student_id, thread.mentor_id):
        about_session = None  # only sessions between these two people are named
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=sender.pk).exists()
        already = _existing(submit_key, sender=sender)
        if already is not None:
            return already
        thread = Thread.objects.select_for_update().get(pk=thread.pk)
        if thread.is_blocked:
            raise ThreadBlocked(_("This conversation is blocked, so no new messages can be sent.")
                                if thread.blocked_by_id != sender.pk else
                                _("You blocked this conversation. Unblock it to write again."))
        _check_rate(sender, now)
        message = Message.objects.create(thread=thread, sender=sender, body=body, created_at=now,
                                         submit_key=submit_key, about_session=about_session,
                                         flash_request=flash_request)
        Thread.objects.filter(pk=thread.pk).update(last_message=message, last_message_at=now)
        # Writing means having read what came before.
        Membership.objects.filter(thread=thread, user=sender).update(last_read_at=now, unread_count=0,
                                                                     unread_since=None)
        Membership.objects.filter(thread=thread).exclude(user=sender).update(
            unread_count=F("unread_count") + 1, unread_since=Coalesce(F("unread_since"), now),
            last_incoming_at=now,
        )
    return message


def message_start(*, sender: User, other: User, body: str, submit_key: uuid.UUID, now: datetime,
                  about_session: Session | None = None) -> Message:
    """The first message to someone: the thread and the message are made together, or neither."""
    with transaction.atomic():
        thread = thread_open(user=sender, other=other, now=now)
        return message_send(thread=thread, sender=sender, body=body, submit_key=submit_key, now=now,
                            about_session=about_session)


def thread_mark_read(*, thread: Thread, user: User, now: datetime) -> None:
    """Everything in the thread is read by `user` (reading a thread marks it read).

    `Membership.objects.filter(thread=thread, user=user).update(last_read_at=now, unread_count=0,
    unread_since=None)` written out once (`_mark_read_statement`): every view of a thread runs it, and building
    the UPDATE through the ORM cost more Python than PostgreSQL took to run it."""
    with connection.cursor() as cursor:
        cursor.execute(_mark_read_statement(), [now, thread.pk, user.pk])


@lru_cache(maxsize=1)
def _mark_read_statement() -> str:
    meta, quote = Membership._meta, connection.ops.quote_name

    def column(name: str) -> str:
        return quote(meta.get_field(name).column)

    return (f"UPDATE {quote(meta.db_table)} SET {column('last_read_at')} = %s, {column('unread_count')} = 0, "
            f"{column('unread_since')} = NULL WHERE {column('thread')} = %s AND {column('user')} = %s")


def thread_block(*, thread: Thread, actor: User, reason: str, now: datetime) -> Thread:
    """Stop the conversation: the other side can no longer write. Success managers are told."""
    reason = (reason or "").strip()[:BLOCK_REASON_MAX]
    with transaction.atomic():
        thread = Thread.objects.select_for_update().select_related("student", "mentor").get(pk=thread.pk)
        if actor.pk not in (thread.student_id, thread.mentor_id):
            raise ConversationError(_("You are not part of this conversation."))
        if thread.is_blocked:
            raise ConversationError(_("This conversation is already blocked."))
        thread.blocked_at, thread.blocked_by, thread.block_reason = now, actor, reason
        thread.save(update_fields=["blocked_at", "blocked_by", "block_reason"])
        managers = list(User.objects.filter(role=Role.MANAGER, is_active=True))
        if managers:
            send_templated_email(
                name="conversation_blocked", to=managers,
                context={"thread": thread, "actor": actor, "other": thread.other(actor), "reason": reason,
                         "admin_path": reverse("admin:conversations_thread_change", args=[thread.pk])},
                topic=f"conversation:{thread.pk}", dedupe_key=f"conversation_blocked:{thread.pk}:{now.isoformat()}",
            )
    return thread


def thread_unblock(*, thread: Thread, actor: User, now: datetime) -> Thread:
    with transaction.atomic():
        thread = Thread.objects.select_for_update().get(pk=thread.pk)
        if not thread.is_blocked:
            raise ConversationError(_("This conversation isn't blocked."))
        if thread.blocked_by_id != actor.pk:
            raise ConversationError(_("Only the person who blocked this conversation can unblock it."))
        thread.blocked_at, thread.blocked_by, thread.block_reason = None, None, ""
        thread.save(update_fields=["blocked_at", "blocked_by", "block_reason"])
    return thread


def message_with_flash_request(*, student: User, mentor: User, service: ServiceType, starts_at: datetime,
                               topic: str, body: str, submit_key: uuid.UUID, now: datetime) -> Message:
    """"Send a message and request a meeting": the flash request and the first
    message of the thread are made together, or neither is."""
    body = clean_body(body)
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=student.pk).exists()
        already = _existing(submit_key, sender=student)
        if already is not None:
            return already
        thread = Thread.objects.filter(student=student, mentor=mentor).first()
        if thread is not None and thread.is_blocked:
            raise ThreadBlocked(_("This conversation is blocked, so no new messages or requests can be sent."))
        _check_rate(student, now)
        request = flash.flash_request_create(student=student, mentor=mentor, service=service, starts_at=starts_at,
                                             topic=topic, message=body[:1000], now=now)
        if thread is None:
            thread = _create_thread(student=student, mentor=mentor, now=now)
        return message_send(thread=thread, sender=student, body=body, submit_key=submit_key, now=now,
                            flash_request=request)
