import zoneinfo

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext_lazy as _

from .timezones import validate_timezone


class Role(models.TextChoices):
    STUDENT = "student", _("Student")
    MENTOR = "mentor", _("Mentor")
    MANAGER = "manager", _("Success manager")


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **fields):
        if not email:
            raise ValueError("Users need an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **fields):
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **fields)

    def create_superuser(self, email, password=None, **fields):
        fields.setdefault("role", Role.MANAGER)
        fields["is_staff"] = True
        fields["is_superuser"] = True
        return self._create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150)
    timezone = models.CharField(
        _("timezone"),
        max_length=64,
        default="UTC",
        validators=[validate_timezone],
        help_text=_("IANA time zone, e.g. Europe/London. Every time you see is shown in it."),
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.STUDENT)
    # Pages, emails, reminders and invites are in this language (preselected at
    # signup from the browser's Accept-Language).
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="en",
        help_text=_("Pages, emails and calendar invites are in this language."),
    )
    is_active = models.BooleanField(_("is active"), default=True)
    is_staff = models.BooleanField(
        _("is staff"), default=False, help_text=_("Can log into the admin. Only success managers and superusers.")
    )
    date_joined = models.DateTimeField(_("date joined"), default=dj_timezone.now)

    # Optional reminders; transactional emails (booked, cancelled…) always go.
    remind_last_chance = models.BooleanField(
        _("“Last chance to cancel for free” emails"), default=True,
        help_text=_("About 25 hours before a session, while you can still cancel for free."),
    )
    remind_starting_soon = models.BooleanField(
        _("“Starting soon” emails"), default=True, help_text=_("One hour before a session, with the video link.")
    )
    remind_attendance = models.BooleanField(
        _("“Mark attendance” emails (mentors)"), default=True, help_text=_("After a session ends, until you mark it.")
    )
    email_new_messages = models.BooleanField(
        _("“New message” emails"), default=True,
        help_text=_("When a message waits unread for 10 minutes; at most one an hour per conversation."),
    )
    # The secret in the user's private calendar feed URL; empty = no feed.
    calendar_token = models.CharField(_("calendar token"), max_length=64, null=True, blank=True, unique=True, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name", "email"]
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
            # Students and mentors never reach the admin, whatever a form says.
            models.CheckConstraint(
                condition=models.Q(is_staff=False) | models.Q(role="manager") | models.Q(is_superuser=True),
                name="user_only_managers_are_staff",
            ),
        ]

    def __str__(self):
        return f"{self.full_name} <{self.email}>" if self.full_name else self.email

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def get_full_name(self):
        return self.full_name or self.email

    def get_short_name(self):
        return (self.full_name or self.email).split()[0]

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    @property
    def initials(self) -> str:
        parts = (self.full_name or self.email).split()
        return "".join(p[0] for p in parts[:2]).upper()

    def local_now(self):
        return dj_timezone.now().astimezone(self.tzinfo)

    @property
    def is_student(self) -> bool:
        return self.role == Role.STUDENT

    @property
    def is_mentor(self) -> bool:
        return self.role == Role.MENTOR

    @property
    def is_manager(self) -> bool:
        return self.role == Role.MANAGER


class OutboundEmail(models.Model):
    """The outbox: every email is a row written in the same transaction as the
    change it announces, then delivered by Celery (and swept up if the broker
    was down). A conditional claim makes each row go out at most once."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled (no longer relevant)")

    recipient = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="outbound_emails",
                                  verbose_name=_("recipient"))
    to_email = models.EmailField(_("to email"))
    kind = models.CharField(_("kind"), max_length=64, help_text=_("The template name, e.g. session_booked."))
    subject = models.CharField(_("subject"), max_length=255)
    body_text = models.TextField(_("body text"))
    body_html = models.TextField(_("body html"), blank=True)
    ics_method = models.CharField(_("ics method"), max_length=16, blank=True)
    ics = models.TextField(_("ics"), blank=True)
    # Set while the row waits to be rendered (after the change commits): the
    # template's context as JSON, objects named by model and id. Empty once rendered.
    payload = models.JSONField(_("payload"), null=True, blank=True, editable=False)
    # What this message is about ("session:42"): pending reminders about it are
    # cancelled when it changes, so nobody gets a stale reminder.
    topic = models.CharField(_("topic"), max_length=64, blank=True, db_index=True)
    dedupe_key = models.CharField(_("dedupe key"), max_length=200, null=True, blank=True, unique=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=dj_timezone.now)
    # When the row was last handed to the mail queue; the sweep leaves it alone
    # for a while after that instead of queueing it again.
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=dj_timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("outbound email")
        verbose_name_plural = _("outbound emails")
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self):
        return f"{self.kind} to {self.to_email} ({self.status})"
