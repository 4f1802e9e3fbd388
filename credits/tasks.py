from celery import shared_task
from django.utils import timezone

from .resets import credits_reset_due


@shared_task(name="credits.tasks.credits_reset_sweep")
def credits_reset_sweep() -> dict:
    """Hourly from beat: reset whatever is due. A duplicate or redelivered run finds nothing left to do."""
    return credits_reset_due(now=timezone.now()).as_dict()
