"""The "you have unread messages" email, without spam.

A message is emailed to its recipient only if they have not read the thread
10 minutes after it arrived, and at most once per thread per hour. No task
is scheduled per message: beat wakes this sweep every minute and the
Membership row says what is due (`unread_since`, `notified_at`). Each row is
claimed with a conditional UPDATE under a SKIP LOCKED row lock, in the same
transaction that queues its outbox email, so a second beat, a concurrent
sweep or a redelivered task sends nothing twice (as scheduling/reminders.py).
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse

from accounts.emails import send_templated_email

from .models import Membership, Message

READ_GRACE = timedelta(minutes=10)
EMAIL_EVERY = timedelta(hours=1)
BATCH = 200
EXCERPTS = 3


def _due(now: datetime):
    return Membership.objects.filter(
        Q(notified_at__isnull=True) | Q(notified_at__lte=now - EMAIL_EVERY, last_incoming_at__gt=F("notified_at")),
        unread_count__gt=0, unread_since__lte=now - READ_GRACE,
        user__email_new_messages=True, user__is_active=True,
    )


def _email(membership: Membership) -> None:
    thread, user = membership.thread, membership.user
    other = thread.other(user)
    latest = list(Message.objects.filter(thread=thread, sender=other, created_at__gte=membership.unread_since)
                  .order_by("-created_at", "-pk")[:EXCERPTS])[::-1]
    thread_path = reverse("conversations:thread", args=[thread.pk])
    send_templated_email(
        name="conversation_unread", to=user,
        context={"other": other, "thread": thread, "unread": membership.unread_count, "latest": latest,
                 "more": max(0, membership.unread_count - len(latest)),
                 # Through the login page: a signed-out reader lands on the thread after signing in.
                 "thread_link": f"{reverse('account_login')}?next={thread_path}"},
        topic=f"conversation:{thread.pk}",
        dedupe_key=f"conversation_unread:{thread.pk}:{membership.last_incoming_at:%Y%m%d%H%M%S%f}",
    )


def unread_sweep(*, now: datetime) -> int:
    """Queue every due unread-messages email exactly once; returns how many threads were claimed."""
    claimed = 0
    while True:
        with transaction.atomic():
            batch = list(
                _due(now).select_for_update(skip_locked=True, of=("self",))
                .select_related("user", "thread__student", "thread__mentor").order_by("unread_since")[:BATCH]
            )
            if not batch:
                break
            won = _due(now).filter(pk__in=[m.pk for m in batch]).update(notified_at=now)
            if won != len(batch):  # cannot happen under the row locks; refuse to guess which
                transaction.set_rollback(True)
                break
            for membership in batch:
                _email(membership)
            claimed += len(batch)
        if len(batch) < BATCH:
            break
    return claimed
