"""Loaded by pytest.ini for every run: stop at once, with a message, when PostgreSQL is unreachable."""

import pytest


def pytest_configure(config):
    # One clear line instead of every test erroring on its own connection.
    import psycopg2
    from django.conf import settings

    db = settings.DATABASES["default"]
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
