"""Templated emails to users, rendered in each recipient's own time zone.

Templates live in templates/emails/<name>/{subject.txt,body.txt,body.html}.
Each email becomes an outbox row in the caller's transaction (so a rolled-back
change never announces itself, and a committed one is never lost); delivery
is enqueued on Celery after commit and swept up later if the broker is down.
"""

import zoneinfo
from collections.abc import Iterable
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from .models import OutboundEmail, User


_held: ContextVar[bool] = ContextVar("outbox_held", default=False)


@contextmanager
def held():
    """Queue rows without handing them to Celery (demo seeding marks them unsent)."""
    token = _held.set(True)
    try:
        yield
    finally:
        _held.reset(token)


def _render(name: str, to: User, context: dict) -> tuple[str, str, str]:
    ctx = {"recipient": to, "SITE_URL": settings.SITE_URL, **context}
    with timezone.override(zoneinfo.ZoneInfo(to.timezone)):
        subject = " ".join(render_to_string(f"emails/{name}/subject.txt", ctx).split())
        text = render_to_string(f"emails/{name}/body.txt", ctx)
        html = render_to_string(f"emails/{name}/body.html", ctx)
    return subject, text, html


def preview_email(*, name: str, to: User, context: dict) -> tuple[str, str]:
    """(subject, text body) exactly as `to` would receive it; nothing is queued."""
    subject, text, _ = _render(name, to, context)
    return subject, text


def send_templated_email(
    *, name: str, to: User | Iterable[User], context: dict, ics: tuple[str, str] | None = None,
    topic: str = "", dedupe_key: str | None = None,
) -> list[OutboundEmail]:
    """Queue one email per recipient; delivered after the transaction commits.

    `ics` is (METHOD, calendar text) for an invite. `dedupe_key` (suffixed with
    the recipient) makes the same message impossible to queue twice.
    """
    recipients = [to] if isinstance(to, User) else list(to)
    queued = []
    dispatched_at = None if _held.get() else timezone.now()
    for user in recipients:
        subject, text, html = _render(name, user, context)
        key = f"{dedupe_key}:{user.pk}" if dedupe_key else None
        try:
            with transaction.atomic():
                queued.append(OutboundEmail.objects.create(
                    recipient=user, to_email=user.email, kind=name, subject=subject[:255], body_text=text,
                    body_html=html, ics_method=ics[0] if ics else "", ics=ics[1] if ics else "", topic=topic,
                    dedupe_key=key, dispatched_at=dispatched_at,
                ))
        except IntegrityError:
            continue  # already queued once: exactly once
    if queued and not _held.get():
        from .outbox import enqueue

        transaction.on_commit(lambda: enqueue(queued))
    return queued


def queue_rendered_email(*, to_email: str, subject: str, body_text: str, body_html: str = "", kind: str,
                         recipient: User | None = None) -> OutboundEmail:
    """An email rendered elsewhere (allauth's sign-in emails) into the outbox:
    the same delivery, retries, Message-ID and admin view as ours."""
    email = OutboundEmail.objects.create(
        recipient=recipient, to_email=to_email, kind=kind[:64], subject=subject[:255], body_text=body_text,
        body_html=body_html, dispatched_at=timezone.now(),
    )
    from .outbox import enqueue

    transaction.on_commit(lambda: enqueue([email]))
    return email
