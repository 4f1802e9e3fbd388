from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from accounts.admin_mixins import ReadOnlyAdmin
from accounts.audit import audit_record

from . import pauses, services
from .errors import SchedulingError
from .models import UNMARKED_AFTER, Feedback, PauseRequest, ServiceType, Session, SessionEvent, SessionStatus
from .models import FlashRequest, RescheduleProposal


@admin.register(ServiceType)
class ServiceTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "duration_minutes", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name"]
    filter_horizontal = ["mentors"]


class UnmarkedFilter(admin.SimpleListFilter):
    title = "attendance"
    parameter_name = "unmarked"

    def lookups(self, request, model_admin):
        return [("yes", "Unmarked 24 h after the end")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(status=SessionStatus.SCHEDULED, ends_at__lte=timezone.now() - UNMARKED_AFTER)
        return queryset


class SessionEventInline(admin.TabularInline):
    model = SessionEvent
    extra = 0
    can_delete = False
    fields = ["kind", "at", "actor", "note", "previous_starts_at", "credit_returned"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=300, widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": "A reason is required."})


# Success-manager actions on one session, each through the booking services so
# the ledger, the history and the emails stay right.
SESSION_ACTIONS = {
    "waive": ("Waive forfeit (refund the credit)", services.forfeit_waive, "change_session"),
    "mentor-no-show": ("Record mentor no-show (refund the credit)", services.mentor_no_show_record, "change_session"),
    "cancel": ("Cancel on the student's behalf (refund the credit)", None, "change_session"),
}


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ["starts_at", "student", "mentor", "service", "status", "forfeit_waived_at"]
    list_filter = ["status", UnmarkedFilter, ("mentor", admin.RelatedOnlyFieldListFilter), "service",
                   ("starts_at", admin.DateFieldListFilter)]
    search_fields = ["student__email", "student__full_name", "mentor__email", "mentor__full_name"]
    date_hierarchy = "starts_at"
    list_select_related = ["student", "mentor", "service"]
    inlines = [SessionEventInline]
    readonly_fields = [
        "student", "mentor", "service", "series", "starts_at", "ends_at", "status", "video_url", "created_at",
        "created_by", "status_changed_at", "status_changed_by", "status_note", "forfeit_waived_at", "mentor_notes",
        "manager_actions",
    ]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False  # sessions are booked by students, through the rules

    def has_delete_permission(self, request, obj=None):
        return False  # the history of a credit must stay

    @admin.display(description="Actions")
    def manager_actions(self, obj):
        if obj is None or not obj.pk:
            return "-"
        allowed = []
        if obj.status == SessionStatus.FORFEITED and obj.forfeit_waived_at is None:
            allowed.append("waive")
        if obj.status in (SessionStatus.SCHEDULED, SessionStatus.COMPLETED, SessionStatus.FORFEITED) and \
                obj.starts_at <= timezone.now():
            allowed.append("mentor-no-show")
        if obj.status == SessionStatus.SCHEDULED and obj.starts_at > timezone.now():
            allowed.append("cancel")
        if not allowed:
            return "None available for this session."
        return format_html_join(
            " ", '<a class="button" href="{}">{}</a>',
            ((reverse("admin:scheduling_session_action", args=[obj.pk, key]), SESSION_ACTIONS[key][0]) for key in allowed),
        )

    def get_urls(self):
        return [
            path("<int:pk>/do/<slug:action>/", self.admin_site.admin_view(self.action_view),
                 name="scheduling_session_action"),
        ] + super().get_urls()

    def action_view(self, request, pk: int, action: str):
        if action not in SESSION_ACTIONS or not self.has_change_permission(request):
            raise PermissionDenied
        session = get_object_or_404(Session.objects.select_related("student", "mentor", "service"), pk=pk)
        label, service, _ = SESSION_ACTIONS[action]
        form = ReasonForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            reason, now = form.cleaned_data["reason"], timezone.now()
            try:
                if action == "cancel":
                    services.session_cancel(session=session, actor=request.user, now=now, reason=reason)
                else:
                    service(session=session, actor=request.user, reason=reason, now=now)
            except SchedulingError as exc:
                form.add_error(None, exc.message)
            else:
                audit_record(actor=request.user, obj=session, message=f"{label}. Reason: {reason}")
                self.message_user(request, f"Done: {label.split(' (')[0].lower()}.", messages.SUCCESS)
                return redirect("admin:scheduling_session_change", pk)
        context = {**self.admin_site.each_context(request), "title": label, "session": session, "form": form,
                   "opts": self.model._meta}
        return render(request, "admin/scheduling/session_action.html", context)


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ["session", "rating", "created_at"]
    list_filter = ["rating"]
    readonly_fields = ["session", "rating", "comment", "created_at"]

    def has_add_permission(self, request):
        return False


class PauseDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("decline", "Decline")], widget=forms.RadioSelect)
    note = forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 3}),
                           label="Note to the student", error_messages={"required": "A note for the student is required."})
    cancel_sessions = forms.BooleanField(required=False, label="Cancel the sessions inside the pause, with credits refunded")


@admin.register(PauseRequest)
class PauseRequestAdmin(admin.ModelAdmin):
    list_display = ["student", "starts_on", "ends_on", "status", "created_at", "decided_by"]
    list_filter = ["status"]
    search_fields = ["student__email", "student__full_name"]
    list_select_related = ["student", "decided_by"]
    readonly_fields = ["student", "starts_on", "ends_on", "reason", "status", "created_at", "decided_by",
                       "decided_at", "decision_note", "paused_at", "resumed_at", "decide_link"]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False  # students ask from their Settings

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Decision")
    def decide_link(self, obj):
        if obj.status != PauseRequest.Status.PENDING:
            return "Decided."
        return format_html('<a class="button" href="{}">Approve or decline…</a>',
                           reverse("admin:scheduling_pauserequest_decide", args=[obj.pk]))

    def get_urls(self):
        return [path("<int:pk>/decide/", self.admin_site.admin_view(self.decide_view),
                     name="scheduling_pauserequest_decide")] + super().get_urls()

    def decide_view(self, request, pk: int):
        if not self.has_change_permission(request):
            raise PermissionDenied
        pause = get_object_or_404(PauseRequest.objects.select_related("student"), pk=pk)
        inside = list(pauses.sessions_inside(pause))
        form = PauseDecisionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data, now = form.cleaned_data, timezone.now()
            try:
                if data["decision"] == "approve":
                    services.pause_approve(request=pause, actor=request.user, note=data["note"],
                                         cancel_sessions=data["cancel_sessions"], now=now)
                else:
                    services.pause_decline(request=pause, actor=request.user, note=data["note"], now=now)
            except SchedulingError as exc:
                form.add_error(None, exc.message)
            else:
                self.message_user(request, f"Pause {data['decision']}d; the student has been emailed.", messages.SUCCESS)
                return redirect("admin:scheduling_pauserequest_change", pk)
        context = {**self.admin_site.each_context(request), "title": "Decide a pause request", "pause": pause,
                   "inside": inside, "form": form, "opts": self.model._meta}
        return render(request, "admin/scheduling/pause_decide.html", context)





@admin.register(FlashRequest)
class FlashRequestAdmin(ReadOnlyAdmin):
    """Flash requests change only through the student's and mentor's pages."""

    list_display = ["created_at", "student", "mentor", "service", "proposed_starts_at", "status", "session"]
    list_filter = ["status"]
    search_fields = ["student__email", "student__full_name", "mentor__email", "mentor__full_name", "topic"]
    list_select_related = ["student", "mentor", "service", "session"]
    readonly_fields = ["student", "mentor", "service", "proposed_starts_at", "topic", "message", "status",
                       "counter_starts_at", "mentor_note", "session", "created_at", "responded_at", "decided_at"]
    fields = readonly_fields


@admin.register(RescheduleProposal)
class RescheduleProposalAdmin(ReadOnlyAdmin):
    """Proposals of another time change only through the student's and mentor's pages."""

    list_display = ["created_at", "session", "by_mentor", "starts_at", "status", "decided_at"]
    list_filter = ["status", "by_mentor"]
    search_fields = ["session__student__email", "session__mentor__email"]
    list_select_related = ["session__student", "session__mentor", "session__service"]
