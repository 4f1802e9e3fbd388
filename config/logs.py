"""Logging plumbing: quiet expected errors, readable emails on the console."""

import logging

from django.core.mail.backends.base import BaseEmailBackend

# A refused (403), missing (404), malformed (400) or wrong-method (405) request is the site
# working as intended: one line saying so, never a traceback.
EXPECTED_STATUSES = {400, 403, 404, 405}


class ExpectedClientErrors(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) in EXPECTED_STATUSES:
            record.exc_info = None
            record.exc_text = None
            record.stack_info = None
        return True


class LoggingEmailBackend(BaseEmailBackend):
    """The development mail backend: each email as one INFO record (who, subject, the plain
    text), instead of the raw MIME message with its HTML part and calendar attachment."""

    logger = logging.getLogger("mentorship.mail")

    def send_messages(self, email_messages):
        for message in email_messages:
            attachments = [name for name, *_ in getattr(message, "attachments", []) if isinstance(name, str)]
            self.logger.info(
                "Email to %s: %s%s\n%s", ", ".join(message.recipients()), message.subject,
                f" (attached: {', '.join(attachments)})" if attachments else "", message.body.rstrip(),
            )
        return len(email_messages)
