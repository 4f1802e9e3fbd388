"""The success managers' mentorship tools: students with "Reassign mentor", skills, languages, history."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from accounts.admin_mixins import ReadOnlyAdmin
from accounts.models import Role, User

from . import selectors, services, weekgrid
from .forms import ReassignForm
from .models import (
    AvailabilityGrid, Language, MentorAssignment, MentorProfile, Skill, StudentAccount, TimeOff,
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
    list_display = ["user", "headline", "capacity", "accepting_new_students", "updated_at"]
    list_filter = ["accepting_new_students", "skills"]
    list_select_related = ["user"]
    search_fields = ["user__full_name", "user__email", "headline"]
    filter_horizontal = ["skills", "languages"]
    readonly_fields = ["user", "updated_at"]

    def has_add_permission(self, request):
        return False  # a profile appears when the mentor first needs one


@admin.register(AvailabilityGrid)
class AvailabilityGridAdmin(ReadOnlyAdmin):
    list_display = ["user", "hours", "updated_at"]
    list_select_related = ["user"]
    search_fields = ["user__full_name", "user__email"]


@admin.register(TimeOff)
class TimeOffAdmin(ReadOnlyAdmin):
    list_display = ["user", "starts_on", "ends_on", "reason"]
    list_select_related = ["user"]
    search_fields = ["user__full_name", "user__email"]
    date_hierarchy = "starts_on"


@admin.register(MentorAssignment)
class MentorAssignmentAdmin(ReadOnlyAdmin):
    """The pairing history. Changes go through "Reassign mentor" so they are checked and announced."""

    list_display = ["student", "mentor", "started_at", "ended_at", "assigned_by", "reason"]
    list_filter = [("ended_at", admin.EmptyFieldListFilter)]
    list_select_related = ["student", "mentor", "assigned_by"]
    search_fields = ["student__full_name", "student__email", "mentor__full_name", "mentor__email"]


@admin.register(StudentAccount)
class StudentAccountAdmin(ReadOnlyAdmin):
    list_display = ["full_name", "email", "timezone", "current_mentor_name", "reassign_link"]
    search_fields = ["full_name", "email"]
    ordering = ["full_name", "email"]
    fields = ["full_name", "email", "timezone", "is_active", "date_joined"]

    def get_queryset(self, request):
        current = MentorAssignment.objects.current().filter(student=OuterRef("pk"))
        return (
            super().get_queryset(request)
            .filter(role=Role.STUDENT)
            .annotate(current_mentor_name=Subquery(current.values("mentor__full_name")[:1]))
        )

    @admin.display(description="Current mentor", ordering="current_mentor_name")
    def current_mentor_name(self, obj):
        return obj.current_mentor_name or "— (waiting to be paired)"

    @admin.display(description="")
    def reassign_link(self, obj):
        return format_html('<a href="{}">Reassign mentor</a>', reverse("admin:mentorship_reassign", args=[obj.pk]))

    def get_urls(self):
        custom = [
            path("<int:student_id>/reassign/", self.admin_site.admin_view(self.reassign_view),
                 name="mentorship_reassign"),
        ]
        return custom + super().get_urls()

    def reassign_start(self, request, student_id: int):
        """What every reassign page needs: the permission check, the student,
        their current mentor and the ranked suggestions (subclasses reuse it)."""
        if not request.user.has_perm(REASSIGN_PERMISSION):
            raise PermissionDenied("You may not pair students with mentors.")
        student = get_object_or_404(User, pk=student_id, role=Role.STUDENT)
        now = timezone.now()
        current = selectors.current_mentor(student)
        matches = selectors.rank_mentors(student, now=now)
        choices = [(m.mentor_id, m.full_name) for m in matches if current is None or m.mentor_id != current.pk]
        return student, now, current, matches, choices

    def reassign_context(self, request, *, student, current, matches, form) -> dict:
        """The page's context: suggestions (cut to the best, keeping the chosen one), history, form."""
        show_all = request.GET.get("all") == "1"
        chosen = str(form["mentor"].value() or "")
        shown = matches if show_all else matches[:SUGGESTIONS_SHOWN]
        # Keep a chosen mentor visible even when they rank below the cut.
        if chosen and not any(str(m.mentor_id) == chosen for m in shown):
            shown = shown + [m for m in matches if str(m.mentor_id) == chosen]
        selectors.attach_mentors(shown)
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Reassign mentor: {student.get_full_name()}",
            "student": student,
            "student_hours": weekgrid.hours_selected(selectors.grid_cells(student)),
            "current": current,
            "history": selectors.assignment_history(student)[:10],
            "matches": shown,
            "total": len(matches),
            "show_all": show_all,
            "chosen": chosen,
            "form": form,
        }

    def reassign_view(self, request, student_id: int):
        if request.method not in ("GET", "POST"):
            from django.http import HttpResponseNotAllowed

            return HttpResponseNotAllowed(["GET", "POST"])
        student, now, current, matches, choices = self.reassign_start(request, student_id)
        form = ReassignForm(request.POST if request.method == "POST" else None, mentor_choices=choices)

        if request.method == "POST" and form.is_valid():
            mentor = User.objects.get(pk=form.cleaned_data["mentor"])
            try:
                services.assignment_change(
                    student=student, mentor=mentor, reason=form.cleaned_data["reason"], actor=request.user,
                    now=now, override_capacity=form.cleaned_data["override_capacity"],
                )
            except services.CapacityError as exc:
                form.add_error("override_capacity", exc.message)
            except services.MentorshipError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request,
                    f"{student.get_full_name()} is now paired with {mentor.get_full_name()}. "
                    "The student and the mentors involved have been emailed.",
                )
                return redirect("admin:mentorship_studentaccount_changelist")

        context = self.reassign_context(request, student=student, current=current, matches=matches, form=form)
        return TemplateResponse(
            request, "admin/mentorship/reassign.html", context, status=400 if form.is_bound and form.errors else 200
        )

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or request.user.has_perm(REASSIGN_PERMISSION)
