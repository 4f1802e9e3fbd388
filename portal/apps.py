from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The one layer that knows every domain: homes, cross-app pages, the managers' cockpit, demo and bench."""

    name = "portal"

    def ready(self):
        from config import checks  # noqa: F401 — registers the start-up checks of the plumbing
