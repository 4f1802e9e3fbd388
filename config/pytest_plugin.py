"""Loaded by pytest.ini for every run: refuse to test anywhere but PostgreSQL."""

import pytest


def pytest_configure(config):
    # Fail loudly rather than test on another engine: constraints, locks and
    # ranges only mean something on PostgreSQL.
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        pytest.exit(
            f"The test suite runs on PostgreSQL only, but DATABASE_URL points at {db['ENGINE']}. "
            "Set DATABASE_URL=postgres://postgres@127.0.0.1:5432/mentorship (pytest.ini's default).",
            returncode=3,
        )
    import psycopg2

    try:
        psycopg2.connect(
            dbname="postgres", user=db.get("USER") or None, password=db.get("PASSWORD") or None,
            host=db.get("HOST") or None, port=db.get("PORT") or None, connect_timeout=5,
        ).close()
    except psycopg2.OperationalError as exc:
        pytest.exit(
            f"PostgreSQL is unreachable at {db.get('HOST')}:{db.get('PORT')} ({str(exc).strip()}). "
            "Start it, fix DATABASE_URL, or unset DATABASE_URL and run bin/test, which then uses the embedded "
            "PostgreSQL of config/embedded_db.py.",
            returncode=3,
        )

    # Factories hash a password per user; the production hasher's cost is the
    # point in production and only slowness here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

    # Tasks run inline unless a test starts a real worker (the `celery_worker`
    # fixture turns this off for its tests).
    from config.celery import app as celery_app

    celery_app.conf.task_always_eager = True
