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
