"""The success managers' credit tools.

Every change to credits goes through a service, so it is locked, checked and
written to the ledger with the manager as actor and a reason. Nothing here can
edit or delete a ledger entry, not even for a superuser.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from accounts.admin_mixins import NoSaveButtonsMixin, ReadOnlyAdmin
from accounts.models import Role
from accounts.timefmt import format_when, when_html

from . import services
from .errors import CreditsError
from .forms import CreditChangeForm
from .models import CreditAccount, CreditRequest, Enrolment, EnrolmentStatus, LedgerEntry, Plan


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["name", "allowance_kind", "sessions", "group_allowance_kind", "group_sessions", "max_upcoming", "is_active",
                    "summary"]
    list_filter = ["allowance_kind", "is_active"]
    search_fields = ["name"]
    fields = ["name", "allowance_kind", "sessions", "max_upcoming", "group_allowance_kind", "group_sessions", "is_active"]

    @admin.display(description=_("What students get"))
    def summary(self, obj):
        return f"{obj.describe()} · {obj.describe_group()}"

    def has_delete_permission(self, request, obj=None):
        return False  # enrolments and ledger entries refer to it; deactivate instead


class EnrolmentAddForm(forms.ModelForm):
    class Meta:
        model = Enrolment
        fields = ["student", "plan"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["student"].queryset = self.fields["student"].queryset.filter(role=Role.STUDENT)
        self.fields["plan"].queryset = Plan.objects.filter(is_active=True)
        self.fields["plan"].help_text = gettext("Monthly and pack plans grant their sessions straight away.")

    def clean_student(self):
        student = self.cleaned_data["student"]
        if Enrolment.objects.current().filter(student=student).exists():
            raise forms.ValidationError(gettext("This student already has a plan. Open that enrolment to change its plan."))
        return student


class EnrolmentChangeForm(forms.ModelForm):
    class Meta:
        model = Enrolment
        fields = ["plan"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "plan" in self.fields:
            self.fields["plan"].queryset = Plan.objects.filter(is_active=True)
            self.fields["plan"].help_text = gettext(
                "Changing the plan ends this enrolment and starts a new one today. Moving to a monthly plan "
                "expires what is left and grants this month's sessions; a pack grants its sessions on top."
            )


def _copy_into(target: Enrolment, source: Enrolment) -> None:
    for field in Enrolment._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))
    target._state.adding = False


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    list_display = ["student", "plan", "status", "starts_on", "next_reset", "balance"]
    list_filter = ["status", "plan"]
    search_fields = ["student__email", "student__full_name"]
    list_select_related = ["student", "plan", "student__credit_account"]
    actions = ["pause_selected", "resume_selected", "end_selected"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = EnrolmentChangeForm if obj is not None else EnrolmentAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["student", "plan"]
        return ["student", "plan", "status", "starts_on", "next_reset", "paused", "ended", "balance"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        readonly = ["student", "status", "starts_on", "next_reset", "paused", "ended", "balance"]
        if obj.status == EnrolmentStatus.ENDED:
            readonly.append("plan")
        return readonly

    @admin.display(description=_("Next reset (student's zone)"), ordering="next_reset_at")
    def next_reset(self, obj):
        return when_html(obj.next_reset_at, obj.student)

    @admin.display(description=_("Paused"))
    def paused(self, obj):
        return when_html(obj.paused_at, obj.student)

    @admin.display(description=_("Ended"))
    def ended(self, obj):
        return when_html(obj.ended_at, obj.student)

    @admin.display(description=_("Credits left"))
    def balance(self, obj):
        account = getattr(obj.student, "credit_account", None)
        if obj.plan.is_unlimited:
            return gettext("unlimited")
        return account.balance if account else 0

    def has_delete_permission(self, request, obj=None):
        return False  # end it instead; its ledger entries keep pointing at it

    def save_model(self, request, obj, form, change):
        now = timezone.now()
        try:
            if not change:
                created = services.enrolment_start(student=obj.student, plan=obj.plan, actor=request.user, now=now)
                _copy_into(obj, created)
            elif "plan" in form.changed_data:
                new_plan = obj.plan
                obj.refresh_from_db()
                created = services.enrolment_change_plan(enrolment=obj, plan=new_plan, actor=request.user, now=now)
                messages.info(request, gettext("%(student)s moved to %(plan)s: the old enrolment ended and a new "
                                               "one started today.") % {"student": obj.student, "plan": new_plan})
                _copy_into(obj, created)
        except CreditsError as exc:
            # The form checked already; this is a race with another manager. Say so and change nothing.
            messages.error(request, exc.message)
            raise PermissionDenied(exc.message) from exc

    def _run(self, request, queryset, service, done_message):
        done, now = 0, timezone.now()
        for enrolment in queryset.select_related("student"):
            try:
                service(enrolment=enrolment, actor=request.user, now=now)
                done += 1
            except CreditsError as exc:
                self.message_user(request, f"{enrolment.student}: {exc.message}", level=messages.ERROR)
        if done:
            self.message_user(request, done_message(done) % {"count": done}, level=messages.SUCCESS)

    # Each message whole, singular and plural, so a translation can agree the verb with the count.
    @admin.action(description=_("Pause selected enrolments (no bookings, no monthly grants)"),
                  permissions=["change"])
    def pause_selected(self, request, queryset):
        self._run(request, queryset, services.enrolment_pause,
                  lambda n: ngettext("Paused %(count)d enrolment.", "Paused %(count)d enrolments.", n))

    @admin.action(description=_("Resume selected enrolments"), permissions=["change"])
    def resume_selected(self, request, queryset):
        self._run(request, queryset, services.enrolment_resume,
                  lambda n: ngettext("Resumed %(count)d enrolment.", "Resumed %(count)d enrolments.", n))

    @admin.action(description=_("End selected enrolments"), permissions=["change"])
    def end_selected(self, request, queryset):
        self._run(request, queryset, services.enrolment_end,
                  lambda n: ngettext("Ended %(count)d enrolment.", "Ended %(count)d enrolments.", n))


@admin.register(CreditAccount)
class CreditAccountAdmin(NoSaveButtonsMixin, admin.ModelAdmin):
    list_display = ["student", "balance", "group_balance", "plan", "updated"]
    search_fields = ["student__email", "student__full_name"]
    list_select_related = ["student"]
    fields = ["student", "balance", "group_balance", "plan", "updated", "change_credits_link", "recent_entries"]
    readonly_fields = fields

    @admin.display(description=_("Last change (student's zone)"), ordering="updated_at")
    def updated(self, obj):
        return when_html(obj.updated_at, obj.student)

    def get_queryset(self, request):
        current = Enrolment.objects.current().filter(student=OuterRef("student")).values("plan__name")[:1]
        return super().get_queryset(request).annotate(plan_name=Subquery(current))

    @admin.display(description=_("Plan"))
    def plan(self, obj):
        return getattr(obj, "plan_name", None) or "—"

    @admin.display(description="")
    def change_credits_link(self, obj):
        return format_html('<a class="button" href="{}">{}</a>',
                           reverse("admin:credits_creditaccount_change_credits", args=[obj.pk]),
                           gettext("Grant, top up or adjust credits"))

    @admin.display(description=_("Latest entries"))
    def recent_entries(self, obj):
        entries = obj.entries.select_related("actor").order_by("-created_at", "-id")[:10]
        rows = format_html_join(
            "", "<li>{} · {} {} → {} · {}</li>",
            ((format_when(e.created_at, obj.student), e.get_kind_display(), f"{e.amount:+d}",
              e.balance_after, e.note or "") for e in entries),
        )
        link = reverse("admin:credits_ledgerentry_changelist") + f"?account__id__exact={obj.pk}"
        return format_html('<ul class="credits-admin-entries">{}</ul><a href="{}">{}</a>', rows, link,
                           gettext("Full ledger"))

    def has_add_permission(self, request):
        return False  # accounts open with a student's first enrolment

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path("<path:object_id>/change-credits/", self.admin_site.admin_view(self.change_credits_view),
                 name="credits_creditaccount_change_credits"),
            *super().get_urls(),
        ]

    def change_credits_view(self, request, object_id):
        if not object_id.isascii() or not object_id.isdigit():
            raise Http404("No such credit account.")  # not a 500 from the database
        account = get_object_or_404(CreditAccount.objects.select_related("student"), pk=object_id)
        if not self.has_change_permission(request, account):
            raise PermissionDenied
        form = CreditChangeForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                entry = services.credits_admin_change(
                    student=account.student, kind=form.cleaned_data["kind"], amount=form.cleaned_data["amount"],
                    reason=form.cleaned_data["reason"], actor=request.user, now=timezone.now(),
                )
            except CreditsError as exc:
                form.add_error(None, exc.message)
            else:
                self.message_user(
                    request, gettext("%(kind)s %(amount)s for %(student)s: the balance is now %(balance)s.") % {
                        "kind": entry.get_kind_display(), "amount": f"{entry.amount:+d}", "student": account.student,
                        "balance": entry.balance_after,
                    }, level=messages.SUCCESS,
                )
                return redirect("admin:credits_creditaccount_change", account.pk)
        account.refresh_from_db()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Change credits of %(student)s") % {"student": account.student},
            "account": account,
            "form": form,
            "original": account,
        }
        return TemplateResponse(request, "credits/admin/change_credits.html", context,
                                status=400 if request.method == "POST" else 200)


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    """The ledger is append-only: managers read it here and change credits through the account's page."""

    list_display = ["when", "student", "kind", "amount", "balance_after", "session_id", "actor_name", "short_note"]
    list_display_links = ["when"]
    list_filter = ["kind", ("created_at", admin.DateFieldListFilter), "enrolment__plan"]
    search_fields = ["account__student__email", "account__student__full_name", "note", "=session_id"]
    list_select_related = ["account__student", "actor"]
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-id"]  # the newest movement first, as on a bank statement
    fields = ["account", "kind", "amount", "balance_after", "session_id", "group_seat_id", "enrolment", "period", "actor", "note",
              "when"]
    readonly_fields = fields
    show_full_result_count = False  # the ledger grows without bound; skip the extra COUNT(*)

    @admin.display(description=_("When (student's zone)"), ordering="created_at")
    def when(self, obj):
        return when_html(obj.created_at, obj.account.student)

    @admin.display(description=_("Student"), ordering="account__student__full_name")
    def student(self, obj):
        return obj.account.student.get_full_name()

    @admin.display(description=_("By"), ordering="actor__full_name")
    def actor_name(self, obj):
        return obj.actor.get_full_name() if obj.actor else gettext("automatic")

    @admin.display(description=_("Note"))
    def short_note(self, obj):
        if len(obj.note) <= 60:
            return obj.note
        return format_html('<span title="{}">{}…</span>', obj.note, obj.note[:58])


@admin.register(CreditRequest)
class CreditRequestAdmin(NoSaveButtonsMixin, admin.ModelAdmin):
    list_display = ["asked", "student", "message", "handled_at", "handled_by"]
    list_filter = [("handled_at", admin.EmptyFieldListFilter)]
    search_fields = ["student__email", "student__full_name", "message"]
    list_select_related = ["student", "handled_by"]
    readonly_fields = ["student", "message", "asked", "handled_at", "handled_by", "credits"]
    fields = readonly_fields
    actions = ["mark_handled"]
    ordering = ["-created_at"]

    @admin.display(description=_("Asked (student's zone)"), ordering="created_at")
    def asked(self, obj):
        return when_html(obj.created_at, obj.student)

    @admin.display(description=_("Credits"))
    def credits(self, obj):
        account = CreditAccount.objects.filter(student=obj.student).first()
        if account is None:
            return gettext("No account yet")
        return format_html('<a href="{}">{}</a>', reverse("admin:credits_creditaccount_change", args=[account.pk]),
                           gettext("%(balance)s left — open the account") % {"balance": account.balance})

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Mark selected requests as handled"), permissions=["change"])
    def mark_handled(self, request, queryset):
        count = queryset.filter(handled_at__isnull=True).update(handled_at=timezone.now(), handled_by=request.user)
        self.message_user(request, ngettext("Marked %(count)d request as handled.", "Marked %(count)d requests as handled.",
                                            count) % {"count": count}, messages.SUCCESS)
