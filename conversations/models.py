"""Threads between a student and a mentor, their messages, and each side's
read state.

One thread per (student, mentor) pair, whatever brought them together (a
pairing, a booking, a flash request): the history reads as one story. Each
side has a Membership row holding what that person has read and when they
were last emailed about it, so the inbox, the unread badge and the email
sweep read one small row per thread instead of counting messages.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils.translation import gettext_lazy as _

MESSAGE_MAX_LENGTH = 4000


class ThreadQuerySet(models.QuerySet):
    def for_user(self, user):
        """Threads this user takes part in; nobody else (managers read them in the admin)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(Q(student=user) | Q(mentor=user))


class Thread(models.Model):
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="threads_as_student")
    mentor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="threads_as_mentor")
    created_at = models.DateTimeField()
    last_message = models.ForeignKey("Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    last_message_at = models.DateTimeField(null=True, blank=True)
    blocked_at = models.DateTimeField(null=True, blank=True)
    blocked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    block_reason = models.CharField(max_length=500, blank=True)

    objects = ThreadQuerySet.as_manager()

    class Meta:
        ordering = [F("last_message_at").desc(nulls_last=True), "-pk"]
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        constraints = [
            models.UniqueConstraint(fields=["student", "mentor"], name="conversation_one_thread_per_pair"),
            models.CheckConstraint(condition=~Q(student=F("mentor")), name="conversation_not_with_self"),
        ]

    def __str__(self):
        return f"{self.student.get_full_name()} ↔ {self.mentor.get_full_name()}"

    def other(self, user):
        return self.mentor if user.pk == self.student_id else self.student

    @property
    def is_blocked(self) -> bool:
        return self.blocked_at is not None


class Membership(models.Model):
    """One side of a thread: what they have read, and when we last emailed them."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conversation_memberships")
    last_read_at = models.DateTimeField(null=True, blank=True)
    # Kept by conditional UPDATEs in the same transaction as each message.
    unread_count = models.PositiveIntegerField(default=0)
    unread_since = models.DateTimeField(null=True, blank=True, help_text=_("The oldest message not read yet."))
    last_incoming_at = models.DateTimeField(null=True, blank=True)
    # The unread-message email: claimed by the sweep with a conditional update.
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["thread", "user"], name="conversation_membership_unique"),
            models.CheckConstraint(condition=Q(unread_count=0, unread_since__isnull=True)
                                   | Q(unread_count__gt=0, unread_since__isnull=False),
                                   name="conversation_unread_since_iff_unread"),
        ]
        indexes = [models.Index(fields=["user", "unread_count"]),
                   models.Index(fields=["unread_since"], condition=Q(unread_count__gt=0),
                                name="conversation_due_unread")]

    def __str__(self):
        return f"{self.user} in thread {self.thread_id}"


class Message(models.Model):
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="messages")
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # Plain text only; links are made clickable when shown, on escaped text.
    body = models.TextField(max_length=MESSAGE_MAX_LENGTH)
    created_at = models.DateTimeField()
    # One key per rendered form: a double click or a resent POST finds the message it already made.
    submit_key = models.UUIDField(unique=True, editable=False)
    about_session = models.ForeignKey("scheduling.Session", null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+")
    flash_request = models.ForeignKey("scheduling.FlashRequest", null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+")

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["thread", "created_at"]), models.Index(fields=["sender", "created_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(body__regex=r"\S"), name="message_not_blank"),
            models.CheckConstraint(condition=LessThanOrEqual(Length("body"), MESSAGE_MAX_LENGTH),
                                   name="message_max_length"),
        ]

    def __str__(self):
        return f"Message {self.pk} in thread {self.thread_id}"
