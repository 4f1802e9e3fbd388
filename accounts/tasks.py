"""Celery adapters for the outbox: receive ids, call the delivery code."""

from celery import shared_task

from . import outbox


@shared_task(ignore_result=True)
def deliver_email(email_id: int) -> None:
    outbox.deliver(email_id)


@shared_task(ignore_result=True)
def deliver_emails(email_ids: list[int]) -> None:
    """A small batch from the sweep; each row is still claimed on its own."""
    for email_id in email_ids:
        outbox.deliver(email_id)


@shared_task(ignore_result=True)
def outbox_sweep() -> int:
    return outbox.sweep()
