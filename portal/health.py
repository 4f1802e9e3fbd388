"""Reachability of what the site needs: the database and the Celery broker."""

from celery import current_app as celery_app
from django.db import connection


def database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return "ok"
    except Exception as exc:  # any failure means "not reachable" to a probe
        return f"error: {exc.__class__.__name__}"


def broker_status(timeout: float = 2.0) -> str:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=timeout)
        return "ok"
    except Exception as exc:
        return f"error: {exc.__class__.__name__}"
