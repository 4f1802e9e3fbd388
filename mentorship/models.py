"""Mentorship domain: availability grids, time off, mentor profiles, skills, assignments."""

from functools import lru_cache

from django.conf import settings
from django.conf.locale import LANG_INFO
from django.core.validators import MaxValueValidator, URLValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.functional import lazy
from django.utils.translation import get_language_info, gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import User

from . import weekgrid


class AvailabilityGrid(models.Model):
    """A person's weekly hours, as wall-clock hours in their *current* zone.

    cells[weekday * 24 + hour] == "1" (Monday = 0). When the owner changes
    zone, the same wall-clock hours now mean their new zone — nothing is
    converted. A user without a row has no hours.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, related_name="availability_grid", on_delete=models.CASCADE,
                                verbose_name=_("user"))
    cells = models.CharField(_("cells"), max_length=weekgrid.CELLS, default=weekgrid.EMPTY)
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("availability grid")
        verbose_name_plural = _("availability grids")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(cells__regex=r"^[01]{168}$"), name="availability_grid_168_binary_cells"
            ),
        ]

    def __str__(self):
        return _("%(user)s — %(hours)s h/week") % {"user": self.user, "hours": self.hours}

    @property
    def hours(self) -> int:
        return weekgrid.hours_selected(self.cells)


class TimeOff(models.Model):
    """Whole days, inclusive, in the owner's zone, when a mentor takes no sessions."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, related_name="time_off", on_delete=models.CASCADE,
                             verbose_name=_("user"))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        ordering = ["starts_on", "ends_on", "pk"]
        verbose_name = _("time off")
        verbose_name_plural = _("time off")
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")), name="time_off_ends_after_start"),
        ]
        indexes = [models.Index(fields=["user", "ends_on"])]

    def __str__(self):
        return f"{self.user}: {self.starts_on} – {self.ends_on}"


class DateOverride(models.Model):
    """Different hours for one date, in the owner's zone: more or fewer than the weekly grid.

    hours[h] == "1" when the owner is available from h:00 to h+1:00 local time
    on that date; all zeros means no hours that day. Slot search uses it
    instead of the weekly grid for that date (time off still wins).
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, related_name="date_overrides", on_delete=models.CASCADE,
                             verbose_name=_("user"))
    date = models.DateField(_("date"))
    hours = models.CharField(_("hours"), max_length=24, default="0" * 24)
    note = models.CharField(_("note"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        ordering = ["date"]
        verbose_name = _("date override")
        verbose_name_plural = _("date overrides")
        constraints = [
            models.UniqueConstraint(fields=["user", "date"], name="date_override_one_per_user_date"),
            models.CheckConstraint(condition=models.Q(hours__regex=r"^[01]{24}$"), name="date_override_24_binary_hours"),
        ]

    def __str__(self):
        return f"{self.user}: {self.date} ({self.hours.count('1')} h)"

    @property
    def hour_count(self) -> int:
        return self.hours.count("1")

    @property
    def ranges(self) -> list[tuple[int, int]]:
        """[(9, 12), (14, 16)]: runs of available hours."""
        runs, start = [], None
        for h, bit in enumerate(self.hours + "0"):
            if bit == "1" and start is None:
                start = h
            elif bit != "1" and start is not None:
                runs.append((start, h))
                start = None
        return runs

    @property
    def ranges_text(self) -> str:
        if not self.ranges:
            return gettext("No hours (unavailable all day)")
        return ", ".join(f"{a:02d}:00–{b % 24:02d}:00" for a, b in self.ranges)


class Skill(models.Model):
    """The managed list of skills mentors offer and students look for."""

    name = models.CharField(_("name"), max_length=60)

    class Meta:
        ordering = ["name"]
        verbose_name = _("skill")
        verbose_name_plural = _("skills")
        constraints = [models.UniqueConstraint(Lower("name"), name="skill_name_ci_unique")]

    def __str__(self):
        return self.name


@lru_cache(maxsize=256)  # read for every listed language on each directory page
def language_code_for(name: str) -> str:
    """"Spanish", "español" or "es" -> "es"; "" for a name Django doesn't know."""
    wanted = name.strip().lower()
    for code, info in LANG_INFO.items():
        if "name" in info and wanted in (code, info["name"].lower(), info["name_local"].lower()):
            return code
    return ""


def language_display_name(code: str, name: str) -> str:
    """The language named in the reader's language ("Inglés" to a Spanish reader), else as listed."""
    if code in LANG_INFO and "name" in LANG_INFO[code]:
        return str(get_language_info(code)["name_translated"])
    return name


class Language(models.Model):
    """The managed list of languages a mentor can hold sessions in.

    `code` (ISO 639-1, filled in from the name when Django knows it) ties a
    mentor's languages to the one a student reads the site in: matching
    prefers a mentor who speaks it, and the name is shown in the reader's
    language ("Inglés" to a Spanish reader).
    """

    name = models.CharField(_("name"), max_length=60)
    code = models.CharField(_("code"), max_length=8, blank=True, db_index=True,
                            help_text=_("ISO code, e.g. es; filled in from the name when left empty."))

    class Meta:
        ordering = ["name"]
        verbose_name = _("language")
        verbose_name_plural = _("languages")
        constraints = [models.UniqueConstraint(Lower("name"), name="language_name_ci_unique")]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        return language_display_name(self.code, self.name)

    def save(self, *args, **kwargs):
        if not self.code:
            self.code = language_code_for(self.name)
        super().save(*args, **kwargs)


def validate_https_url(value: str) -> None:
    URLValidator(
        schemes=["https"], message=gettext("Enter a full https:// address, e.g. https://meet.example.com/your-room.")
    )(value)


BIO_MAX_LENGTH = 2000

# The limit goes into the sentence when it is shown, in the reader's language.
_bio_help_text = lazy(
    lambda: gettext("Plain text, up to %(max)s characters.") % {"max": BIO_MAX_LENGTH}, str
)


class MentorProfile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, related_name="mentor_profile", on_delete=models.CASCADE,
                                verbose_name=_("user"))
    headline = models.CharField(_("headline"), max_length=120, blank=True,
                                help_text=_("One line, e.g. “Backend engineer, 10 years of Python”."))
    bio = models.TextField(_("bio"), blank=True, max_length=BIO_MAX_LENGTH, help_text=_bio_help_text())
    skills = models.ManyToManyField(Skill, blank=True, related_name="mentor_profiles", verbose_name=_("skills"))
    languages = models.ManyToManyField(Language, blank=True, related_name="mentor_profiles", verbose_name=_("languages"))
    years_experience = models.PositiveSmallIntegerField(_("years experience"), default=0, validators=[MaxValueValidator(70)])
    video_url = models.URLField(
        _("video room URL"), max_length=300, blank=True, validators=[validate_https_url],
        help_text=_("Your designated room; students join sessions here. https only."),
    )
    photo = models.ImageField(_("photo"), upload_to="mentor-photos/", blank=True)
    accepting_new_students = models.BooleanField(_("accepting new students"), default=True)
    capacity = models.PositiveSmallIntegerField(
        _("capacity"), default=5, validators=[MaxValueValidator(100)], help_text=_("The most students you mentor at once.")
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("mentor profile")
        verbose_name_plural = _("mentor profiles")
        constraints = [
            models.CheckConstraint(condition=models.Q(capacity__lte=100), name="mentor_profile_capacity_range"),
            models.CheckConstraint(condition=models.Q(years_experience__lte=70), name="mentor_profile_years_range"),
            models.CheckConstraint(
                condition=models.Q(video_url="") | models.Q(video_url__startswith="https://"),
                name="mentor_profile_video_url_https",
            ),
        ]

    def __str__(self):
        return f"Profile of {self.user}"


class StudentInterest(models.Model):
    """A skill a student wants to work on; matching prefers mentors who teach it."""

    student = models.ForeignKey(settings.AUTH_USER_MODEL, related_name="skill_interests", on_delete=models.CASCADE,
                                verbose_name=_("student"))
    skill = models.ForeignKey(Skill, related_name="student_interests", on_delete=models.CASCADE, verbose_name=_("skill"))

    class Meta:
        verbose_name = _("student interest")
        verbose_name_plural = _("student interests")
        constraints = [models.UniqueConstraint(fields=["student", "skill"], name="student_interest_unique")]


class MentorAssignmentQuerySet(models.QuerySet):
    def current(self):
        return self.filter(ended_at__isnull=True)


class MentorAssignment(models.Model):
    """Who mentors whom, with history: ended rows stay as the record of past pairings."""

    student = models.ForeignKey(settings.AUTH_USER_MODEL, related_name="mentor_assignments", on_delete=models.CASCADE,
                                verbose_name=_("student"))
    mentor = models.ForeignKey(settings.AUTH_USER_MODEL, related_name="student_assignments", on_delete=models.PROTECT,
                               verbose_name=_("mentor"))
    started_at = models.DateTimeField(_("started at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    reason = models.TextField(_("reason"), max_length=1000)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, related_name="+", on_delete=models.SET_NULL,
        verbose_name=_("assigned by"),
    )

    objects = MentorAssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("mentor assignment")
        verbose_name_plural = _("mentor assignments")
        permissions = [("reassign_mentor", "Can pair a student with a mentor")]
        constraints = [
            # The truth behind "at most one current mentor": the service checks
            # too, but only this survives two managers clicking at once.
            models.UniqueConstraint(
                fields=["student"], condition=models.Q(ended_at__isnull=True), name="one_current_mentor_per_student"
            ),
            models.CheckConstraint(
                condition=models.Q(ended_at__isnull=True) | models.Q(ended_at__gte=models.F("started_at")),
                name="mentor_assignment_ends_after_start",
            ),
            models.CheckConstraint(
                condition=~models.Q(student=models.F("mentor")), name="mentor_assignment_not_self"
            ),
        ]
        indexes = [models.Index(fields=["mentor", "ended_at"])]

    def __str__(self):
        return f"{self.student} → {self.mentor}"

    @property
    def is_current(self) -> bool:
        return self.ended_at is None


class StudentAccount(User):
    """Students as the success managers' admin lists them, with "Reassign mentor"."""

    class Meta:
        proxy = True
        verbose_name = _("student")
        verbose_name_plural = _("students")
