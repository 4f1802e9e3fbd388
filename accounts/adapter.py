"""allauth glue: its emails (sign-up verification, password reset, email
change notices) go through our outbox like every other email.

With the mail server down, signing up or asking for a reset still answers
normally; the row waits and goes out when the server is back, with a stable
Message-ID and the retries and admin view every outbox row has.
"""

from allauth.account.adapter import DefaultAccountAdapter
from django.contrib.sites.shortcuts import get_current_site
from django.core.mail import EmailMultiAlternatives
from django.utils import translation

from .emails import queue_rendered_email
from .models import User


def _kind(template_prefix: str) -> str:
    # "account/email/password_reset_key" -> "account_password_reset_key"
    return "account_" + template_prefix.rsplit("/", 1)[-1]


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        ctx = {"request": self.request, "email": email, "current_site": get_current_site(self.request), **context}
        recipient = context.get("user") if isinstance(context.get("user"), User) else None
        if recipient is None:
            recipient = User.objects.filter(email__iexact=email).first()
        # In the account holder's language; a new address (sign-up) gets the page's.
        with translation.override(recipient.language if recipient else translation.get_language()):
            message = self.render_mail(template_prefix, email, ctx)
        html = ""
        if isinstance(message, EmailMultiAlternatives):
            html = next((content for content, mimetype in message.alternatives if mimetype == "text/html"), "")
        body = message.body
        if getattr(message, "content_subtype", "plain") == "html":
            html, body = message.body, ""
        queue_rendered_email(to_email=email, subject=message.subject, body_text=body, body_html=html,
                             kind=_kind(template_prefix), recipient=recipient)
