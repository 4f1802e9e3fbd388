from django import forms
from django.contrib import admin
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied

from .models import OutboundEmail, Role, User
from .services import user_set_role

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
    list_display = ["email", "full_name", "role", "timezone", "is_active", "date_joined"]
    list_filter = ["role", "is_active", "is_staff"]
    search_fields = ["email", "full_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Profile", {"fields": ["full_name", "timezone", "role"]}),
        ("Access", {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "full_name", "timezone", "role"]})]
    add_form = UserCreationForm
    form = UserChangeForm
    filter_horizontal = ["groups", "user_permissions"]

    # Success managers run the programme; they never hand out admin access or
    # touch passwords. Only superusers do.
    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return ["last_login", "date_joined"]
        readonly = ["is_staff", "is_superuser", "groups", "user_permissions", "last_login", "date_joined"]
        if obj is not None and obj.role == Role.MANAGER:
            readonly.append("role")
        return readonly

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
            raise PermissionDenied("Only superusers set passwords here; users reset their own.")
        return super().user_change_password(request, id, form_url)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.set_unusable_password()  # they set it through "forgot password"
        super().save_model(request, obj, form, change)
        if not change:
            from allauth.account.models import EmailAddress

            EmailAddress.objects.get_or_create(user=obj, email=obj.email, defaults={"primary": True})
        if not obj.is_superuser:
            user_set_role(user=obj, role=obj.role)


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    """The outbox: what went out, what is waiting, and what failed (with why)."""

    list_display = ["created_at", "kind", "to_email", "status", "attempts", "sent_at", "short_error"]
    list_filter = ["status", "kind"]
    search_fields = ["to_email", "subject", "topic"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in OutboundEmail._meta.fields]
    actions = ["retry_failed"]

    @admin.display(description="Error")
    def short_error(self, obj):
        return (obj.last_error[:80] + "…") if len(obj.last_error) > 80 else obj.last_error

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Send the selected failed emails again", permissions=["change"])
    def retry_failed(self, request, queryset):
        from django.utils import timezone

        from .outbox import enqueue, retry_now

        ids = list(queryset.filter(status=OutboundEmail.Status.FAILED).values_list("pk", flat=True))
        count = retry_now(ids, now=timezone.now())
        enqueue(ids)
        self.message_user(request, f"{count} email{'s' if count != 1 else ''} queued again.")
