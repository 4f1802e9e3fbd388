"""Success managers' view of group sessions: attendees, waitlist, schedule one, cancel one with a reason."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from accounts.audit import audit_record
from accounts.models import Role, User

from . import services
from .errors import SchedulingError
from .group_forms import GroupScheduleForm
from .group_models import (
    GroupSeat,
    GroupSession,
    GroupStatus,
    WaitlistEntry,
    WaitStatus,
)


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class SeatInline(_ReadOnlyInline):
    model = GroupSeat
    verbose_name_plural = _("attendees (every seat, including those given up)")
    fields = ["student", "status", "booked_at", "via_waitlist", "status_changed_at", "status_note"]
    readonly_fields = fields


class WaitlistInline(_ReadOnlyInline):
    model = WaitlistEntry
    verbose_name_plural = _("waitlist")
    fields = ["student", "status", "joined_at", "offered_at", "closed_at"]
    readonly_fields = fields


class ManagerScheduleForm(GroupScheduleForm):
    mentor = forms.ModelChoiceField(queryset=User.objects.filter(role=Role.MENTOR, is_active=True))

    field_order = ["mentor"]


class GroupCancelReasonForm(forms.Form):
    reason = forms.CharField(max_length=300, widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": _("A reason is required; everyone with a seat reads it.")})


@admin.register(GroupSession)
class GroupSessionAdmin(admin.ModelAdmin):
    list_display = ["starts_at", "title", "mentor", "seats_label", "waiting", "status"]
    list_filter = ["status", ("mentor", admin.RelatedOnlyFieldListFilter), ("starts_at", admin.DateFieldListFilter)]
    search_fields = ["title", "topic", "mentor__email", "mentor__full_name"]
    date_hierarchy = "starts_at"
    list_select_related = ["mentor"]
    inlines = [SeatInline, WaitlistInline]
    readonly_fields = ["mentor", "title", "topic", "description", "starts_at", "ends_at", "seats", "seats_taken",
                       "video_url", "status", "series", "created_at", "created_by", "cancelled_at", "cancelled_by",
                       "cancel_reason", "manager_actions"]
    fields = readonly_fields

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            waiting_count=Count("waitlist", filter=Q(waitlist__status=WaitStatus.WAITING)))

    @admin.display(description=_("seats"))
    def seats_label(self, obj):
        return f"{obj.seats_taken} / {obj.seats}"

    @admin.display(description=_("waiting"), ordering="waiting_count")
    def waiting(self, obj):
        return obj.waiting_count

    def has_delete_permission(self, request, obj=None):
        return False  # seats and their credits refer to it; cancel instead

    @admin.display(description=_("Actions"))
    def manager_actions(self, obj):
        if obj is None or not obj.pk:
            return "-"
        if obj.status != GroupStatus.SCHEDULED or obj.starts_at <= timezone.now():
            return gettext("None available for this group session.")
        return format_html('<a class="button" href="{}">{}</a>', reverse("admin:scheduling_groupsession_cancel",
                                                                      args=[obj.pk]),
                           gettext("Cancel with a reason (refund every seat)"))

    def get_urls(self):
        return [
            path("<int:pk>/cancel/", self.admin_site.admin_view(self.cancel_view),
                 name="scheduling_groupsession_cancel"),
        ] + super().get_urls()

    def add_view(self, request, form_url="", extra_context=None):
        """Scheduling goes through the service (calendar rule, weekly series), never a bare model form."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ManagerScheduleForm(request.POST or None, tz=request.user.tzinfo)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                result = services.group_session_schedule(
                    mentor=data["mentor"], title=data["title"], topic=data["topic"],
                    description=data["description"], skills=data["skills"], starts_at=data["starts_at"],
                    duration_minutes=data["duration_minutes"], seats=data["seats"], video_url=data["video_url"],
                    weeks=data["weeks"], actor=request.user, now=timezone.now(),
                )
            except SchedulingError as exc:
                form.add_error(None, exc.message)
            else:
                for group in result.created:
                    audit_record(actor=request.user, obj=group, message="Scheduled for the mentor.")
                for start, why in result.skipped:
                    self.message_user(request, gettext("Skipped %(when)s UTC: %(why)s") % {
                        "when": f"{start:%Y-%m-%d %H:%M}", "why": why}, messages.WARNING)
                if result.created:
                    count = len(result.created)
                    self.message_user(request, ngettext("Scheduled %(count)d group session.",
                                                        "Scheduled %(count)d group sessions.", count)
                                      % {"count": count}, messages.SUCCESS)
                    return redirect("admin:scheduling_groupsession_changelist")
                form.add_error(None, gettext("Nothing was scheduled."))
        context = {**self.admin_site.each_context(request), "title": gettext("Schedule a group session"), "form": form,
                   "opts": self.model._meta}
        return render(request, "admin/scheduling/group_schedule.html", context)

    def cancel_view(self, request, pk: int):
        if not self.has_change_permission(request):
            raise PermissionDenied
        group = get_object_or_404(GroupSession.objects.select_related("mentor"), pk=pk)
        form = GroupCancelReasonForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            reason = form.cleaned_data["reason"]
            try:
                services.group_session_cancel(group=group, actor=request.user, now=timezone.now(), reason=reason)
            except SchedulingError as exc:
                form.add_error(None, exc.message)
            else:
                audit_record(actor=request.user, obj=group, message=f"Cancelled. Reason: {reason}")
                self.message_user(request, gettext("Cancelled; every seat is refunded and everyone told."),
                                  messages.SUCCESS)
                return redirect("admin:scheduling_groupsession_change", pk)
        context = {**self.admin_site.each_context(request), "title": gettext("Cancel group session"), "group": group,
                   "form": form, "opts": self.model._meta}
        return render(request, "admin/scheduling/group_cancel.html", context)
