from django.core.management.base import BaseCommand
from django.utils import timezone

from credits.resets import DEFAULT_BATCH_SIZE, credits_reset_due


class Command(BaseCommand):
    help = "Run the monthly credit reset sweep now (the same one beat runs hourly). Safe to repeat."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE)

    def handle(self, *args, batch_size, **options):
        result = credits_reset_due(now=timezone.now(), batch_size=batch_size)
        self.stdout.write(
            f"Reset {result.enrolments} enrolment(s): {result.grants} grant(s), "
            f"{result.expired_credits} unused credit(s) expired, in {result.batches} batch(es)."
        )
