"""Settings for the gunicorn processes `manage.py bench http` starts: production settings (the environment
it passes: DEBUG off, persistent connections) plus the floor view of `portal.bench_floor` mounted next to
the site. Never used outside that benchmark."""

from .settings import *  # noqa: F403

ROOT_URLCONF = "portal.bench_floor"
