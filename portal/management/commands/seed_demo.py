import importlib

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.emails import held
from accounts.models import OutboundEmail, Role, User
from accounts.services import user_set_role
from portal.demo_users import DEMO_USERS
from scheduling import at_risk

# Each app may add its own demo data in `<app>/demo.py: seed(users, stdout)`,
# run in this order so that later apps find what earlier ones made.
DEMO_APPS = ["mentorship", "credits", "scheduling", "conversations"]


class Command(BaseCommand):
    help = "Create or refresh the demo data (safe to run again) and print the demo logins."

    def handle(self, *args, **options):
        password = settings.DEMO_PASSWORD
        users = {}
        started = timezone.now()
        with transaction.atomic():
            for demo in DEMO_USERS:
                user, _ = User.objects.get_or_create(
                    email=demo.email, defaults={"full_name": demo.full_name, "timezone": demo.timezone}
                )
                user.full_name, user.timezone = demo.full_name, demo.timezone
                user.set_password(password)  # so the printed password always works
                user.save()
                user_set_role(user=user, role=demo.role)
                EmailAddress.objects.update_or_create(
                    user=user, email=user.email, defaults={"primary": True, "verified": True}
                )
                users[demo.email] = user

            for app in DEMO_APPS:
                try:
                    module = importlib.import_module(f"{app}.demo")
                except ModuleNotFoundError as exc:
                    if exc.name != f"{app}.demo":
                        raise
                    continue
                with held():
                    module.seed(users=users, stdout=self.stdout)

            # The dashboard's "students at risk over time" starts with today's count.
            at_risk.snapshot_record(now=timezone.now())

            # Demo bookings queue real notifications; the demo people have no
            # real inboxes, so they are recorded but not sent.
            OutboundEmail.objects.filter(status=OutboundEmail.Status.PENDING, created_at__gte=started).update(
                status=OutboundEmail.Status.CANCELLED, last_error="Demo data: not sent."
            )

        labels = {Role.MANAGER: "success manager", Role.MENTOR: "mentor", Role.STUDENT: "student"}
        for demo in DEMO_USERS:
            self.stdout.write(f"{labels[demo.role]}: {demo.email} / {password}")
