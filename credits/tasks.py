from celery import shared_task
from django.utils import timezone

from .notifications import credits_reset_emails
from .resets import credits_reset_due


@shared_task(name="credits.tasks.credits_reset_sweep")
def credits_reset_sweep() -> dict:
    """Hourly from beat: reset whatever is due. A duplicate or redelivered run finds nothing left to do."""
    result = credits_reset_due(now=timezone.now()).as_dict()
    credits_reset_emails_sweep.delay()  # emails in their own task: the sweep stays set-wise and fast
    return result


@shared_task(name="credits.tasks.credits_reset_emails_sweep")
def credits_reset_emails_sweep() -> int:
    """After each reset sweep (and every 15 minutes for stragglers): one email per new monthly grant."""
    return credits_reset_emails(now=timezone.now())
