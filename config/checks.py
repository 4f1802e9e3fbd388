"""Start-up checks of the plumbing (registered by portal's AppConfig).

In production (DEBUG=false) static files are served by WhiteNoise from the
collected, hashed copies in STATIC_ROOT. Without them every page that links a
stylesheet fails with a 500; this check turns that into one clear error at
start-up (`manage.py check`, runserver, and config/wsgi.py for gunicorn).
"""

from pathlib import Path

from django.conf import settings
from django.core.checks import Error, register


def static_files_problems() -> list[Error]:
    if settings.DEBUG:
        return []
    from django.contrib.staticfiles.storage import ManifestFilesMixin
    from django.core.files.storage import storages

    storage = storages["staticfiles"]
    if not isinstance(storage, ManifestFilesMixin):
        return []
    manifest = Path(settings.STATIC_ROOT) / storage.manifest_name
    if manifest.is_file():
        return []
    return [Error(
        f"DEBUG is false but the static files have not been collected: {manifest} is missing, so every page "
        "would fail with a server error.",
        hint="Run `python manage.py collectstatic --noinput` as a step of every deployment (see the README's "
             "deployment section), with the same STATIC_ROOT the web processes use.",
        id="config.E001",
    )]


@register()
def static_files_collected(app_configs, **kwargs):
    return static_files_problems()
