from django import forms
from django.contrib import admin, messages
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from .audit import audit_record
from .models import OutboundEmail, Role, User
from .services import user_email_set_by_superuser, user_set_role
from .timefmt import when_html

NON_MANAGER_ROLES = [(Role.STUDENT.value, Role.STUDENT.label), (Role.MENTOR.value, Role.MENTOR.label)]


class UserCreationForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["email", "full_name", "timezone", "role"]


class PasswordSummaryWidget(auth_forms.ReadOnlyPasswordHashWidget):
    """Django's password summary, without `disabled` on its <div> (not valid HTML there)."""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"].pop("disabled", None)
        return context


class UserChangeForm(auth_forms.UserChangeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "password" in self.fields:
            self.fields["password"].widget = PasswordSummaryWidget()


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["full_name", "email"]
    list_display = ["email", "full_name", "role", "timezone", "is_active", "joined"]
    list_filter = ["role", "is_active", "is_staff"]
    search_fields = ["email", "full_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Profile"), {"fields": ["full_name", "timezone", "role"]}),
        (_("Access"), {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "full_name", "timezone", "role"]})]
    add_form = UserCreationForm
    form = UserChangeForm
    filter_horizontal = ["groups", "user_permissions"]

    # Success managers run the programme; they never hand out admin access or
    # touch anything that leads to the credentials: not the password, and not
    # the login email (a new address would receive the password reset — an
    # account takeover). People change their own email through allauth's flow,
    # confirmed from the new address with a notice to the old one; a superuser
    # may change it here. Every attempt is recorded on the user's History.
    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return ["last_login", "date_joined"]
        readonly = ["email", "is_staff", "is_superuser", "groups", "user_permissions", "last_login", "date_joined"]
        if obj is not None and obj.role == Role.MANAGER:
            readonly.append("role")
        return readonly

    @admin.display(description=_("Joined (their zone)"), ordering="date_joined")
    def joined(self, obj):
        return when_html(obj.date_joined, obj)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or request.user.is_superuser:
            return fieldsets
        # The password widget links to a page only superusers may open: show managers no such link.
        return [(name, {**opts, "fields": [f for f in opts["fields"] if f != "password"]})
                for name, opts in fieldsets]

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "role" and not request.user.is_superuser:
            kwargs["choices"] = NON_MANAGER_ROLES
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        if obj is not None and not request.user.is_superuser and (obj.is_superuser or obj.role == Role.MANAGER):
            return obj.pk == request.user.pk and super().has_change_permission(request, obj)
        return super().has_change_permission(request, obj)

    def user_change_password(self, request, id, form_url=""):
        if not request.user.is_superuser:
            raise PermissionDenied(gettext("Only superusers set passwords here; users reset their own."))
        return super().user_change_password(request, id, form_url)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "POST" and not request.user.is_superuser and "email" in request.POST:
            target = self.get_object(request, object_id)
            # Printable only: the attempt is stored, and PostgreSQL refuses NUL bytes.
            wanted = "".join(ch for ch in request.POST.get("email", "") if ch.isprintable()).strip().lower()[:254]
            if target is not None and wanted and wanted != target.email.lower():
                audit_record(actor=request.user, obj=target, message=(
                    f"Refused: {request.user.email} tried to change the login email from {target.email} "
                    f"to {wanted}; only the person themselves or a superuser can."
                ))
                messages.warning(request, gettext("The login email was not changed: only the person (from Settings → "
                                                  "Email, confirmed from the new address) or a superuser can change it."))
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.set_unusable_password()  # they set it through "forgot password"
        if change and "email" in form.changed_data:
            if not request.user.is_superuser:  # the field is read-only for them; never trust a form alone
                raise PermissionDenied("Only superusers change a login email.")
            old_email = form.initial.get("email", "")
            super().save_model(request, obj, form, change)
            user_email_set_by_superuser(user=obj, actor=request.user, old_email=old_email, request=request)
        else:
            super().save_model(request, obj, form, change)
        if not change:
            from allauth.account.models import EmailAddress

            EmailAddress.objects.get_or_create(user=obj, email=obj.email, defaults={"primary": True})
        if not obj.is_superuser:
            user_set_role(user=obj, role=obj.role)


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    """The outbox: what went out, what is waiting, and what failed (with why)."""

    list_display = ["queued", "kind", "to_email", "status", "attempts", "sent", "short_error"]
    list_select_related = ["recipient"]
    ordering = ["-created_at"]
    list_filter = ["status", "kind"]
    search_fields = ["to_email", "subject", "topic"]
    date_hierarchy = "created_at"
    # Every field read-only; its moments written the one way, in the recipient's zone.
    readonly_fields = [{"created_at": "queued", "sent_at": "sent", "next_attempt_at": "next_attempt",
                        "claimed_at": "claimed", "dispatched_at": "dispatched"}.get(f.name, f.name)
                       for f in OutboundEmail._meta.fields]
    fields = readonly_fields  # nothing on a record page is an input: the outbox is changed only by actions
    actions = ["retry_failed"]

    @admin.display(description=_("Queued (recipient's zone)"), ordering="created_at")
    def queued(self, obj):
        return when_html(obj.created_at, obj.recipient or "UTC")

    @admin.display(description=_("Sent"), ordering="sent_at")
    def sent(self, obj):
        return when_html(obj.sent_at, obj.recipient or "UTC")

    @admin.display(description=_("Next attempt"))
    def next_attempt(self, obj):
        return when_html(obj.next_attempt_at, obj.recipient or "UTC")

    @admin.display(description=_("Claimed by a worker"))
    def claimed(self, obj):
        return when_html(obj.claimed_at, obj.recipient or "UTC")

    @admin.display(description=_("Handed to the mail queue"))
    def dispatched(self, obj):
        return when_html(obj.dispatched_at, obj.recipient or "UTC")

    @admin.display(description=_("Error"))
    def short_error(self, obj):
        return (obj.last_error[:80] + "…") if len(obj.last_error) > 80 else obj.last_error

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Send the selected failed emails again"), permissions=["change"])
    def retry_failed(self, request, queryset):
        from django.utils import timezone

        from .outbox import enqueue, retry_now

        ids = list(queryset.filter(status=OutboundEmail.Status.FAILED).values_list("pk", flat=True))
        count = retry_now(ids, now=timezone.now())
        enqueue(ids)
        self.message_user(request, ngettext("%(count)d email queued again.", "%(count)d emails queued again.", count)
                          % {"count": count})
