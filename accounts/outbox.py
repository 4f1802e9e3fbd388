"""Delivering outbox rows exactly once.

A row is claimed with a conditional UPDATE (pending → sending); only the one
caller that wins the claim sends it. Failures go back to pending with an
exponential backoff until MAX_ATTEMPTS, then stay failed, visible in the admin.
A row left in "sending" by a worker that died mid-send is never retried
automatically (the message may already have left): it is marked failed for a
person to check and resend from the admin.
"""

import logging
from datetime import datetime, timedelta
from email.utils import make_msgid

from django.core.mail import EmailMultiAlternatives
from django.db.models import F
from django.utils import timezone

from .models import OutboundEmail

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
STUCK_AFTER = timedelta(minutes=10)
S = OutboundEmail.Status


def backoff(attempts: int) -> timedelta:
    return timedelta(minutes=2 ** min(attempts, 6))  # 2, 4, 8 … 64 minutes


def enqueue(ids: list[int]) -> None:
    """Hand ids to Celery; if the broker is unreachable the sweep sends them later."""
    from .tasks import deliver_email

    for email_id in ids:
        try:
            deliver_email.delay(email_id)
        except Exception as exc:  # the broker being down must not fail the request
            log.warning("Broker unreachable, outbox email %s waits for the sweep: %s", email_id, exc)
            return


def claim(email_id: int, *, now: datetime) -> bool:
    return bool(
        OutboundEmail.objects.filter(pk=email_id, status=S.PENDING, next_attempt_at__lte=now).update(
            status=S.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
    )


def _message(email: OutboundEmail) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=email.subject, body=email.body_text, to=[email.to_email],
        headers={"Message-ID": make_msgid(idstring=f"outbox-{email.pk}", domain="mentorship")},
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
            next_attempt_at=now + backoff(email.attempts),
        )
        log.warning("Email %s failed (attempt %s): %s", email_id, email.attempts, exc)
        return False
    OutboundEmail.objects.filter(pk=email_id).update(status=S.SENT, sent_at=timezone.now(), last_error="")
    return True


def sweep(*, now: datetime | None = None, limit: int = 500) -> int:
    """Deliver what is due (new rows the broker never carried, retries)."""
    now = now or timezone.now()
    OutboundEmail.objects.filter(status=S.SENDING, claimed_at__lt=now - STUCK_AFTER).update(
        status=S.FAILED, last_error="The worker stopped while sending; it may or may not have gone out. "
                                    "Check with the recipient, then resend from the admin.",
    )
    due = list(
        OutboundEmail.objects.filter(status=S.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at").values_list("pk", flat=True)[:limit]
    )
    return sum(deliver(email_id, now=now) for email_id in due)


def cancel_pending(*, topic: str, kinds: list[str]) -> int:
    """Drop queued messages that a change made stale (e.g. reminders of a moved session)."""
    return OutboundEmail.objects.filter(topic=topic, kind__in=kinds, status=S.PENDING).update(status=S.CANCELLED)


def retry_now(email_ids: list[int], *, now: datetime) -> int:
    return OutboundEmail.objects.filter(pk__in=email_ids, status=S.FAILED).update(
        status=S.PENDING, next_attempt_at=now, last_error=""
    )
