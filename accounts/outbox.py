"""Delivering outbox rows exactly once.

A row is claimed with a conditional UPDATE (pending → sending); only the one
caller that wins the claim sends it. Failures go back to pending with an
exponential backoff until MAX_ATTEMPTS, then stay failed, visible in the admin.
A row left in "sending" by a worker that died mid-send is never retried
automatically (the message may already have left): it is marked failed for a
person to check and resend from the admin.

Every message carries a Message-ID made from its row (`<outbox-42@host>`), so
a retry after a connection dropped mid-send is recognisable downstream as the
same message.

Delivery runs as small tasks (one row, or a batch of ten) on the "mail" queue (its own workers),
so a slow mail server or a backlog of thousands never delays the sweeps on the
default queue. Time-critical messages (sign-in emails, "starting soon", "last
chance") jump the mail queue's backlog through the broker's priorities.
"""

import logging
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import F
from django.utils import timezone

from .models import OutboundEmail

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
STUCK_AFTER = timedelta(minutes=10)
# A row handed to the broker is not handed again by the sweep for this long
# (it is waiting in the mail queue); if the broker lost it, the sweep re-sends.
REDISPATCH_AFTER = timedelta(minutes=15)
SWEEP_BATCH = 1000  # rows handed to the mail queue per sweep run
TASK_BATCH = 10  # rows per delivery task: small, so urgent mail overtakes a backlog within seconds
S = OutboundEmail.Status

# Broker priorities (Redis: 0 is served first). People wait on the sign-in
# emails, and the reminders are worthless late; bulk announcements can wait.
URGENT, NORMAL, BULK = 0, 3, 9
URGENT_KINDS = {"session_starting_soon", "session_last_chance"}
BULK_KINDS = {"credits_reset", "session_mark_attendance"}


def priority_for(kind: str) -> int:
    if kind in URGENT_KINDS or kind.startswith("account_"):
        return URGENT
    return BULK if kind in BULK_KINDS else NORMAL


def message_id(email_id: int) -> str:
    """The same Message-ID for every attempt at one outbox row."""
    domain = urlsplit(settings.SITE_URL).hostname or "mentorship.local"
    return f"<outbox-{email_id}@{domain}>"


def backoff(attempts: int) -> timedelta:
    return timedelta(minutes=2 ** min(attempts, 6))  # 2, 4, 8 … 64 minutes


def enqueue(emails: list[int] | list[OutboundEmail]) -> int:
    """Hand rows to the mail queue in small batches (one task per row when
    there are few); if the broker is unreachable the sweep sends them later.
    Returns how many rows were handed over."""
    from .tasks import deliver_email, deliver_emails

    by_priority: dict[int, list[int]] = {}
    for e in emails:
        email_id, kind = (e.pk, e.kind) if isinstance(e, OutboundEmail) else (e, "")
        by_priority.setdefault(priority_for(kind), []).append(email_id)
    handed, pending = 0, [pk for ids in by_priority.values() for pk in ids]
    try:
        # One producer (one broker connection) for the lot.
        with deliver_email.app.producer_or_acquire() as producer:
            for priority, ids in sorted(by_priority.items()):
                for start in range(0, len(ids), TASK_BATCH):
                    chunk = ids[start:start + TASK_BATCH]
                    if len(chunk) == 1:
                        deliver_email.apply_async((chunk[0],), priority=priority, producer=producer)
                    else:
                        deliver_emails.apply_async((chunk,), priority=priority, producer=producer)
                    handed += len(chunk)
                    pending = [pk for pk in pending if pk not in set(chunk)]
    except Exception as exc:  # the broker being down must not fail the request
        log.warning("Broker unreachable, %s outbox emails wait for the sweep: %s", len(pending), exc)
        OutboundEmail.objects.filter(pk__in=pending).update(dispatched_at=None)
    return handed


def claim(email_id: int, *, now: datetime) -> bool:
    return bool(
        OutboundEmail.objects.filter(pk=email_id, status=S.PENDING, next_attempt_at__lte=now).update(
            status=S.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
    )


def _message(email: OutboundEmail) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=email.subject, body=email.body_text, to=[email.to_email],
        headers={"Message-ID": message_id(email.pk)},
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    if email.ics:
        # Calendars read the text/calendar part; the .ics file is for the rest.
        message.attach_alternative(email.ics, f"text/calendar; method={email.ics_method}; charset=utf-8")
        message.attach("invite.ics", email.ics, "application/ics")
    return message


def deliver(email_id: int, *, now: datetime | None = None) -> bool:
    """Send one row if this caller wins its claim. True when it was sent now."""
    now = now or timezone.now()
    if not claim(email_id, now=now):
        return False  # sent, being sent, cancelled, or not due: never twice
    email = OutboundEmail.objects.select_related("recipient").get(pk=email_id)
    try:
        if email.payload is not None:
            # Queued after_commit and never rendered (the process stopped in between): render it now.
            from .emails import render_email

            render_email(email)
        _message(email).send()
    except Exception as exc:
        failed = email.attempts >= MAX_ATTEMPTS
        OutboundEmail.objects.filter(pk=email_id, status=S.SENDING).update(
            status=S.FAILED if failed else S.PENDING, last_error=f"{exc.__class__.__name__}: {exc}"[:2000],
            next_attempt_at=now + backoff(email.attempts), dispatched_at=None,
        )
        log.warning("Email %s failed (attempt %s): %s", email_id, email.attempts, exc)
        return False
    OutboundEmail.objects.filter(pk=email_id).update(status=S.SENT, sent_at=timezone.now(), last_error="")
    return True


def sweep(*, now: datetime | None = None, limit: int = SWEEP_BATCH) -> int:
    """Hand what is due (rows the broker never carried or lost, retries whose
    backoff is over) to the mail queue, one task per row; never sends itself,
    so a slow mail server cannot hold the sweep. Returns how many were handed."""
    from django.db.models import Q

    now = now or timezone.now()
    OutboundEmail.objects.filter(status=S.SENDING, claimed_at__lt=now - STUCK_AFTER).update(
        status=S.FAILED, last_error="The worker stopped while sending; it may or may not have gone out. "
                                    "Check with the recipient, then resend from the admin.",
    )
    due = (
        OutboundEmail.objects.filter(status=S.PENDING, next_attempt_at__lte=now)
        .filter(Q(dispatched_at__isnull=True) | Q(dispatched_at__lt=now - REDISPATCH_AFTER))
    )
    rows = list(due.order_by("next_attempt_at").only("pk", "kind")[:limit])
    if not rows:
        return 0
    # Marked before publishing: a second beat's sweep skips them, and a task
    # that runs at once still finds its row pending and due.
    OutboundEmail.objects.filter(pk__in=[r.pk for r in rows], status=S.PENDING).update(dispatched_at=now)
    return enqueue(rows)


def cancel_pending(*, topic: str, kinds: list[str]) -> int:
    """Drop queued messages that a change made stale (e.g. reminders of a moved session)."""
    return OutboundEmail.objects.filter(topic=topic, kind__in=kinds, status=S.PENDING).update(status=S.CANCELLED)


def retry_now(email_ids: list[int], *, now: datetime) -> int:
    return OutboundEmail.objects.filter(pk__in=email_ids, status=S.FAILED).update(
        status=S.PENDING, next_attempt_at=now, last_error="", dispatched_at=now
    )
