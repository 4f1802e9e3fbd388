from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MentorshipConfig(AppConfig):
    name = "mentorship"

    def ready(self):
        from . import caching  # noqa: F401  (connects the cache invalidation)

    verbose_name = _("Mentorship")
    # Success managers pair students with mentors, keep the skill and language
    # lists, and look at (not edit) grids, time off and profiles.
    success_manager_permissions = [
        "mentorship.reassign_mentor",
        "mentorship.view_mentorassignment",
        "mentorship.view_studentaccount",
        "mentorship.view_mentorprofile",
        "mentorship.change_mentorprofile",
        "mentorship.view_availabilitygrid",
        "mentorship.view_timeoff",
        "mentorship.add_skill",
        "mentorship.change_skill",
        "mentorship.view_skill",
        "mentorship.add_language",
        "mentorship.change_language",
        "mentorship.view_language",
    ]
