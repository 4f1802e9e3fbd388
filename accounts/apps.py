from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")
    # Managers look students and mentors up and change their role or name;
    # the admin itself keeps passwords, staff and superuser flags away from them.
    success_manager_permissions = [
        "accounts.view_user", "accounts.change_user",
        # The outbox: see what went out and resend what failed.
        "accounts.view_outboundemail", "accounts.change_outboundemail",
    ]

    def ready(self):
        from .roles import sync_success_managers_group

        # Run after every app's permissions exist (auth's own post_migrate
        # handler is connected first, being an earlier app).
        post_migrate.connect(sync_success_managers_group, dispatch_uid="sync_success_managers_group")
