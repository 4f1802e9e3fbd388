import csv

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Case, DateTimeField, DurationField, F, IntegerField, Value, When
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from accounts.admin_mixins import NoSaveButtonsMixin, ReadOnlyAdmin
from accounts.audit import audit_record
from accounts.timefmt import format_span, when_html

from . import pauses, services
from .errors import SchedulingError
from .models import (
    Feedback,
    FlashRequest,
    PauseRequest,
    RescheduleProposal,
    ServiceType,
    Session,
    SessionEvent,
    SessionStatus,
)


@admin.register(ServiceType)
class ServiceTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "duration_minutes", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name"]
    filter_horizontal = ["mentors"]


class UnmarkedFilter(admin.SimpleListFilter):
    title = _("attendance")
    parameter_name = "unmarked"

    def lookups(self, request, model_admin):
        return [("yes", _("Unmarked 24 h after the end"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.unmarked(timezone.now())
        return queryset


def status_label(session: Session) -> str:
    """The status as a manager should read it: a waived forfeit gave the credit back."""
    if session.status == SessionStatus.FORFEITED and session.forfeit_waived_at is not None:
        return gettext("Forfeit waived — credit returned")
    return session.get_status_display()


class SessionEventInline(admin.TabularInline):
    model = SessionEvent
    extra = 0
    can_delete = False
    fields = ["kind", "when", "actor", "note", "previous_start", "credit_returned"]
    readonly_fields = fields

    @admin.display(description=_("When (student's zone)"))
    def when(self, obj):
        return when_html(obj.at, obj.session.student)

    @admin.display(description=_("Previous start"))
    def previous_start(self, obj):
        return when_html(obj.previous_starts_at, obj.session.student) if obj.previous_starts_at else "—"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor", "session__student")

    def has_add_permission(self, request, obj=None):
        return False


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=300, widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": _("A reason is required.")})


# Success-manager actions on one session, each through the booking services so
# the ledger, the history and the emails stay right. The last of each is what
# the manager reads once it is done.
SESSION_ACTIONS = {
    "waive": (_("Waive forfeit (refund the credit)"), services.forfeit_waive, "change_session"),
    "mentor-no-show": (_("Record mentor no-show (refund the credit)"), services.mentor_no_show_record,
                       "change_session"),
    "cancel": (_("Cancel on the student's behalf (refund the credit)"), None, "change_session"),
}
SESSION_ACTIONS_DONE = {
    "waive": _("Done: waive forfeit."),
    "mentor-no-show": _("Done: record mentor no-show."),
    "cancel": _("Done: cancel on the student's behalf."),
}


@admin.register(Session)
class SessionAdmin(NoSaveButtonsMixin, admin.ModelAdmin):
    """Sessions change only through the actions below (each a service with a reason), never by editing fields."""

    list_display = ["when", "student_name", "mentor_name", "service", "status_label"]
    list_display_links = ["when"]
    list_filter = ["status", UnmarkedFilter, ("mentor", admin.RelatedOnlyFieldListFilter), "service",
                   ("starts_at", admin.DateFieldListFilter)]
    search_fields = ["student__email", "student__full_name", "mentor__email", "mentor__full_name"]
    date_hierarchy = "starts_at"
    list_select_related = ["student", "mentor", "service"]
    inlines = [SessionEventInline]
    readonly_fields = [
        "student", "mentor", "service", "series", "when", "status_label", "video_url", "created",
        "created_by", "status_changed", "status_changed_by", "status_note", "mentor_notes",
        "manager_actions",
    ]
    fields = readonly_fields
    actions = ["export_csv"]

    @admin.action(description=_("Export the selected sessions as CSV"), permissions=["view"])
    def export_csv(self, request, queryset):
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="sessions-{timezone.now():%Y-%m-%d}.csv"'
        writer = csv.writer(response)
        writer.writerow(["id", "starts (UTC)", "ends (UTC)", "when (student's zone)", "student", "student email",
                         "mentor", "mentor email", "service", "status", "status note"])
        rows = queryset.select_related("student", "mentor", "service").order_by("starts_at", "pk")
        for s in rows.iterator(chunk_size=2000):
            writer.writerow([s.pk, s.starts_at.isoformat(), s.ends_at.isoformat(),
                             format_span(s.starts_at, s.ends_at, s.student), s.student.get_full_name(),
                             s.student.email, s.mentor.get_full_name(), s.mentor.email, s.service.name,
                             status_label(s), s.status_note])
        return response

    def get_ordering(self, request):
        # Upcoming first (soonest at the top), then the past (most recent first): what a manager looks for.
        now = Value(timezone.now(), output_field=DateTimeField())
        upcoming_first = Case(When(starts_at__gt=now, then=Value(0)), default=Value(1), output_field=IntegerField())
        distance_from_now = Case(When(starts_at__gt=now, then=F("starts_at") - now), default=now - F("starts_at"),
                                 output_field=DurationField())
        return [upcoming_first.asc(), distance_from_now.asc()]

    @admin.display(description=_("When (student's zone)"), ordering="starts_at")
    def when(self, obj):
        return when_html(obj.starts_at, obj.student, ends_at=obj.ends_at)

    @admin.display(description=_("Student"), ordering="student__full_name")
    def student_name(self, obj):
        return obj.student.get_full_name()

    @admin.display(description=_("Mentor"), ordering="mentor__full_name")
    def mentor_name(self, obj):
        return obj.mentor.get_full_name()

    @admin.display(description=_("Status"), ordering="status")
    def status_label(self, obj):
        return status_label(obj)

    @admin.display(description=pgettext_lazy("when the session was booked", "Booked"))
    def created(self, obj):
        return when_html(obj.created_at, obj.student)

    @admin.display(description=_("Status changed"))
    def status_changed(self, obj):
        return when_html(obj.status_changed_at, obj.student)

    def has_add_permission(self, request):
        return False  # sessions are booked by students, through the rules

    def has_delete_permission(self, request, obj=None):
        return False  # the history of a credit must stay

    @admin.display(description=_("Actions"))
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
            return gettext("None available for this session.")
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
        label, service, _permission = SESSION_ACTIONS[action]
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
                with translation.override("en"):  # the history is written in one language, like every audit line
                    audit_record(actor=request.user, obj=session, message=f"{label}. Reason: {reason}")
                self.message_user(request, SESSION_ACTIONS_DONE[action], messages.SUCCESS)
                return redirect("admin:scheduling_session_change", pk)
        context = {**self.admin_site.each_context(request), "title": label, "session": session, "form": form,
                   "opts": self.model._meta}
        return render(request, "admin/scheduling/session_action.html", context)


@admin.register(Feedback)
class FeedbackAdmin(NoSaveButtonsMixin, admin.ModelAdmin):
    list_display = ["session", "rating", "given"]
    list_filter = ["rating"]
    list_select_related = ["session__student", "session__mentor"]
    readonly_fields = ["session", "rating", "comment", "given"]
    fields = readonly_fields
    ordering = ["-created_at"]

    @admin.display(description=_("Given (student's zone)"), ordering="created_at")
    def given(self, obj):
        return when_html(obj.created_at, obj.session.student)

    def has_add_permission(self, request):
        return False


class PauseDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("decline", _("Decline"))],
                                 widget=forms.RadioSelect)
    note = forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 3}), label=_("Note to the student"),
                           error_messages={"required": _("A note for the student is required.")})
    cancel_sessions = forms.BooleanField(required=False,
                                         label=_("Cancel the sessions inside the pause, with credits refunded"))


@admin.register(PauseRequest)
class PauseRequestAdmin(NoSaveButtonsMixin, admin.ModelAdmin):
    list_display = ["student", "starts_on", "ends_on", "status", "asked", "decided_by"]
    ordering = ["-created_at"]
    list_filter = ["status"]
    search_fields = ["student__email", "student__full_name"]
    list_select_related = ["student", "decided_by"]
    readonly_fields = ["student", "starts_on", "ends_on", "reason", "status", "asked", "decided_by",
                       "decided", "decision_note", "paused", "resumed", "decide_link"]
    fields = readonly_fields

    @admin.display(description=_("Asked (student's zone)"), ordering="created_at")
    def asked(self, obj):
        return when_html(obj.created_at, obj.student)

    @admin.display(description=_("Decided"))
    def decided(self, obj):
        return when_html(obj.decided_at, obj.student)

    @admin.display(description=_("Paused"))
    def paused(self, obj):
        return when_html(obj.paused_at, obj.student)

    @admin.display(description=_("Resumed"))
    def resumed(self, obj):
        return when_html(obj.resumed_at, obj.student)

    def has_add_permission(self, request):
        return False  # students ask from their Settings

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("Decision"))
    def decide_link(self, obj):
        if obj.status != PauseRequest.Status.PENDING:
            return gettext("Decided.")
        return format_html('<a class="button" href="{}">{}</a>',
                           reverse("admin:scheduling_pauserequest_decide", args=[obj.pk]), gettext("Approve or decline…"))

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
                done = (gettext("Pause approved; the student has been emailed.") if data["decision"] == "approve"
                        else gettext("Pause declined; the student has been emailed."))
                self.message_user(request, done, messages.SUCCESS)
                return redirect("admin:scheduling_pauserequest_change", pk)
        context = {**self.admin_site.each_context(request), "title": gettext("Decide a pause request"), "pause": pause,
                   "inside": inside, "form": form, "opts": self.model._meta}
        return render(request, "admin/scheduling/pause_decide.html", context)





@admin.register(FlashRequest)
class FlashRequestAdmin(ReadOnlyAdmin):
    """Flash requests change only through the student's and mentor's pages."""

    list_display = ["asked", "student", "mentor", "service", "proposed", "status", "session"]
    ordering = ["-created_at"]
    list_filter = ["status"]
    search_fields = ["student__email", "student__full_name", "mentor__email", "mentor__full_name", "topic"]
    list_select_related = ["student", "mentor", "service", "session"]
    readonly_fields = ["student", "mentor", "service", "proposed", "topic", "message", "status",
                       "counter", "mentor_note", "session", "asked", "responded", "decided"]
    fields = readonly_fields

    @admin.display(description=_("Asked (student's zone)"), ordering="created_at")
    def asked(self, obj):
        return when_html(obj.created_at, obj.student)

    @admin.display(description=_("Proposed time"), ordering="proposed_starts_at")
    def proposed(self, obj):
        return when_html(obj.proposed_starts_at, obj.student)

    @admin.display(description=_("Mentor's other time"))
    def counter(self, obj):
        return when_html(obj.counter_starts_at, obj.student)

    @admin.display(description=_("Answered"))
    def responded(self, obj):
        return when_html(obj.responded_at, obj.student)

    @admin.display(description=_("Settled"))
    def decided(self, obj):
        return when_html(obj.decided_at, obj.student)


@admin.register(RescheduleProposal)
class RescheduleProposalAdmin(ReadOnlyAdmin):
    """Proposals of another time change only through the student's and mentor's pages."""

    list_display = ["asked", "session", "by_mentor", "proposed", "status", "decided"]
    ordering = ["-created_at"]
    list_filter = ["status", "by_mentor"]
    search_fields = ["session__student__email", "session__mentor__email"]
    list_select_related = ["session__student", "session__mentor", "session__service"]

    @admin.display(description=_("Asked (student's zone)"), ordering="created_at")
    def asked(self, obj):
        return when_html(obj.created_at, obj.session.student)

    @admin.display(description=_("Proposed time"), ordering="starts_at")
    def proposed(self, obj):
        return when_html(obj.starts_at, obj.session.student)

    @admin.display(description=_("Answered"), ordering="decided_at")
    def decided(self, obj):
        return when_html(obj.decided_at, obj.session.student)


from . import group_admin  # noqa: E402,F401  (group sessions' admin, registered there)
