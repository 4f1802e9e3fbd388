from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SchedulingConfig(AppConfig):
    name = "scheduling"
    verbose_name = _("Scheduling")
    success_manager_permissions = [
        "scheduling.view_session", "scheduling.change_session",
        "scheduling.view_servicetype", "scheduling.add_servicetype", "scheduling.change_servicetype",
        "scheduling.view_feedback", "scheduling.view_sessionevent",
        "scheduling.view_pauserequest", "scheduling.change_pauserequest",
        "scheduling.view_flashrequest",
        "scheduling.view_groupsession", "scheduling.add_groupsession", "scheduling.change_groupsession",
        "scheduling.view_groupseat", "scheduling.view_waitlistentry",
    ]

    def ready(self):
        # The forfeit notes scheduling writes into the credit ledger ("cancelled 3 h before start") are
        # worded for each reader by the same function as the session notes.
        from credits.wording import register_note_wording

        from .wording import note_text

        register_note_wording(note_text)
