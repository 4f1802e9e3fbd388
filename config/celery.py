"""Celery application.

Worker:  celery -A config worker -l info
Beat:    celery -A config beat -l info   (run exactly one)
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("mentorship")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
