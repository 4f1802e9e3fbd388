# Load Celery with Django so @shared_task binds to our app everywhere.
from .celery import app as celery_app

__all__ = ("celery_app",)
