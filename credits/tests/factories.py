import factory

from credits.models import AllowanceKind, Plan


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan

    name = factory.Sequence(lambda n: f"Plan {n}")
    allowance_kind = AllowanceKind.MONTHLY
    sessions = 4
    max_upcoming = 2


class MonthlyPlanFactory(PlanFactory):
    allowance_kind = AllowanceKind.MONTHLY


class PackPlanFactory(PlanFactory):
    allowance_kind = AllowanceKind.PACK
    sessions = 10


class UnlimitedPlanFactory(PlanFactory):
    allowance_kind = AllowanceKind.UNLIMITED
    sessions = 0
    max_upcoming = 3
