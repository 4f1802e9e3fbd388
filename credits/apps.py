from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CreditsConfig(AppConfig):
    name = "credits"
    verbose_name = _("Credits")
    # What success managers do in the admin: run plans and enrolments, give or
    # adjust credits (through the account's "change credits" form, which always
    # writes a ledger entry), and read the ledger. Nobody may change or delete
    # a ledger entry, so those permissions are never handed out.
    success_manager_permissions = [
        "credits.view_plan",
        "credits.add_plan",
        "credits.change_plan",
        "credits.view_enrolment",
        "credits.add_enrolment",
        "credits.change_enrolment",
        "credits.view_creditaccount",
        "credits.change_creditaccount",
        "credits.view_ledgerentry",
        "credits.view_creditrequest",
        "credits.change_creditrequest",
    ]
