"""Mail backends for tests that need a mail server with a temper."""

import os
import time

from django.core.mail.backends.filebased import EmailBackend as FileBackend


class SlowFileBackend(FileBackend):
    """A slow mail server: every message takes SLOW_MAIL_SECONDS, then lands in the folder."""

    def send_messages(self, email_messages):
        time.sleep(float(os.environ.get("SLOW_MAIL_SECONDS", "0.2")) * len(email_messages))
        return super().send_messages(email_messages)
