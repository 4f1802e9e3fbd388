import zoneinfo

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone as dj_timezone

from .timezones import validate_timezone


class Role(models.TextChoices):
    STUDENT = "student", "Student"
    MENTOR = "mentor", "Mentor"
    MANAGER = "manager", "Success manager"


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
    email = models.EmailField("email address", unique=True)
    full_name = models.CharField(max_length=150)
    timezone = models.CharField(
        max_length=64,
        default="UTC",
        validators=[validate_timezone],
        help_text="IANA time zone, e.g. Europe/London. Every time you see is shown in it.",
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.STUDENT)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(
        default=False, help_text="Can log into the admin. Only success managers and superusers."
    )
    date_joined = models.DateTimeField(default=dj_timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name", "email"]
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
