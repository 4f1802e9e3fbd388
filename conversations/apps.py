from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConversationsConfig(AppConfig):
    name = "conversations"
    verbose_name = _("Conversations")
    # Managers read threads of students in the admin (each opening recorded
    # with a reason); they never write, edit or delete messages.
    success_manager_permissions = ["conversations.view_thread"]

    def ready(self):
        # scheduling's session page offers "Message your mentor" without
        # knowing this app: it renders the links other apps register with it.
        from scheduling.page_links import register_session_link

        from .links import session_message_link

        register_session_link(session_message_link)
