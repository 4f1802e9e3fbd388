from celery import shared_task
from django.utils import timezone

from . import notifications


@shared_task(ignore_result=True)
def unread_sweep() -> int:
    return notifications.unread_sweep(now=timezone.now())
