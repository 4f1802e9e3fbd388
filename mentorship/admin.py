"""The success managers' mentorship tools: students with "Reassign mentor", skills, languages, history."""

from django.contrib import admin
from django.db import models
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from accounts.admin_mixins import ReadOnlyAdmin
from accounts.timefmt import when_html

from .models import (
    AvailabilityGrid,
    DateOverride,
    Language,
    MentorAssignment,
    MentorProfile,
    Skill,
    TimeOff,
)

REASSIGN_PERMISSION = "mentorship.reassign_mentor"
SUGGESTIONS_SHOWN = 30


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(Language)
class LanguageAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(MentorProfile)
class MentorProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "headline", "capacity", "accepting_new_students", "updated"]
    list_filter = ["accepting_new_students", "skills"]
    list_select_related = ["user"]
    search_fields = ["user__full_name", "user__email", "headline"]
    filter_horizontal = ["skills", "languages"]
    readonly_fields = ["user", "updated"]
    # A room typed without a scheme gets https:// (Django 6's default, and the mentors' own form's).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    @admin.display(description=_("Updated (their zone)"), ordering="updated_at")
    def updated(self, obj):
        return when_html(obj.updated_at, obj.user)

    def has_add_permission(self, request):
        return False  # a profile appears when the mentor first needs one


@admin.register(AvailabilityGrid)
class AvailabilityGridAdmin(ReadOnlyAdmin):
    list_display = ["user", "hours", "updated"]
    list_select_related = ["user"]
    search_fields = ["user__full_name", "user__email"]

    @admin.display(description=_("Updated (their zone)"), ordering="updated_at")
    def updated(self, obj):
        return when_html(obj.updated_at, obj.user)

    @admin.display(description=_("hours a week"))
    def hours(self, obj):
        return obj.hours


@admin.register(TimeOff)
class TimeOffAdmin(ReadOnlyAdmin):
    list_display = ["user", "starts_on", "ends_on", "reason"]
    list_select_related = ["user"]
    search_fields = ["user__full_name", "user__email"]
    date_hierarchy = "starts_on"


@admin.register(MentorAssignment)
class MentorAssignmentAdmin(ReadOnlyAdmin):
    """The pairing history. Changes go through "Reassign mentor" so they are checked and announced."""

    list_display = ["student", "mentor", "started", "ended", "assigned_by", "reason"]
    list_filter = [("ended_at", admin.EmptyFieldListFilter)]
    list_select_related = ["student", "mentor", "assigned_by"]
    search_fields = ["student__full_name", "student__email", "mentor__full_name", "mentor__email"]
    ordering = ["-started_at"]

    @admin.display(description=_("From (student's zone)"), ordering="started_at")
    def started(self, obj):
        return when_html(obj.started_at, obj.student)

    @admin.display(description=pgettext_lazy("date range", "To"), ordering="ended_at")
    def ended(self, obj):
        return when_html(obj.ended_at, obj.student) if obj.ended_at else gettext("current")


@admin.register(DateOverride)
class DateOverrideAdmin(ReadOnlyAdmin):
    """Mentors set hours for a date on their availability page."""

    list_display = ["user", "date", "ranges_text", "note"]
    list_select_related = ["user"]
    search_fields = ["user__full_name", "user__email"]
    date_hierarchy = "date"
