"""Templated emails to users, rendered in each recipient's own time zone.

Templates live in templates/emails/<name>/{subject.txt,body.txt,body.html}.
Mail is handed over only after the surrounding transaction commits, so a
rolled-back change never announces itself.
"""

import zoneinfo
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from .models import User


def render_email(*, name: str, to: User, context: dict) -> EmailMultiAlternatives:
    ctx = {"recipient": to, "SITE_URL": settings.SITE_URL, **context}
    with timezone.override(zoneinfo.ZoneInfo(to.timezone)):
        subject = " ".join(render_to_string(f"emails/{name}/subject.txt", ctx).split())
        text = render_to_string(f"emails/{name}/body.txt", ctx)
        html = render_to_string(f"emails/{name}/body.html", ctx)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[to.email])
    message.attach_alternative(html, "text/html")
    return message


def send_templated_email(*, name: str, to: User | Iterable[User], context: dict) -> None:
    """Send one email per recipient once the current transaction commits."""
    recipients = [to] if isinstance(to, User) else list(to)
    messages = [render_email(name=name, to=user, context=context) for user in recipients]

    def _send():
        for message in messages:
            message.send()

    transaction.on_commit(_send)
