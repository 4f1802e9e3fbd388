from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records that services write (ledgers, histories) or people keep themselves:
    managers look, never add, edit or delete here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class NoSaveButtonsMixin:
    """For objects whose every field is read-only and that change only through
    their own action pages: the change form shows no Save buttons it can't honour."""

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "show_save": False, "show_save_and_continue": False,
                         "show_save_and_add_another": False}
        return super().change_view(request, object_id, form_url, extra_context)
