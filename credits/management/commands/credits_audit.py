from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce

from credits.models import GROUP_KINDS, CreditAccount


class Command(BaseCommand):
    help = "Check that every credit balance equals the sum of its ledger entries and none is negative."

    def handle(self, *args, **options):
        # One aggregate query, however many accounts there are.
        # Two balances, two sums: group kinds move group_balance, every other kind moves balance.
        group = Q(entries__kind__in=list(GROUP_KINDS))
        accounts = CreditAccount.objects.annotate(
            ledger_sum=Coalesce(Sum("entries__amount", filter=~group), 0),
            group_sum=Coalesce(Sum("entries__amount", filter=group), 0),
            entry_count=Count("entries"),
        ).filter(
            Q(balance__lt=0) | ~Q(balance=F("ledger_sum")) | Q(group_balance__lt=0) | ~Q(group_balance=F("group_sum"))
        ).select_related("student")
        offenders = [
            f"{account.student.email} (account {account.pk}): balance {account.balance}, "
            f"entries sum to {account.ledger_sum}; group balance {account.group_balance}, "
            f"group entries sum to {account.group_sum}; over {account.entry_count} entries"
            for account in accounts
        ]
        checked = CreditAccount.objects.count()
        if offenders:
            for line in offenders:
                self.stderr.write(line)
            raise CommandError(f"{len(offenders)} of {checked} credit account(s) do not add up.")
        self.stdout.write(self.style.SUCCESS(f"All {checked} credit account(s) add up; none is negative."))
