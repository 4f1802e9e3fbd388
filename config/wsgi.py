import os

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# gunicorn runs no system checks: refuse to start rather than answer 500 on every page.
from config.checks import static_files_problems  # noqa: E402  (after Django is set up)

_problems = static_files_problems()
if _problems:
    raise ImproperlyConfigured(f"{_problems[0].msg} {_problems[0].hint}")
