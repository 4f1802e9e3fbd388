from celery import shared_task
from django.utils import timezone

from . import at_risk, reminders, services


@shared_task(ignore_result=True)
def reminders_sweep() -> int:
    return reminders.sweep(now=timezone.now())


@shared_task(ignore_result=True)
def pauses_sweep() -> int:
    return services.apply_due(now=timezone.now())


@shared_task(ignore_result=True)
def risk_snapshot() -> None:
    at_risk.snapshot_record(now=timezone.now())


@shared_task(ignore_result=True)
def group_waitlist_sweep() -> int:
    return services.waitlist_sweep(now=timezone.now())
