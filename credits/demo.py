"""Demo plans and enrolments: one student on each kind of plan. Safe to run again."""

from datetime import timedelta

from django.utils import timezone

from .models import AllowanceKind, EntryKind, GroupAllowanceKind, LedgerEntry, Plan
from .selectors import current_enrolment
from .services import credits_admin_change, enrolment_start

PLANS = [
    # name, kind, sessions, max upcoming
    ("Monthly 4", AllowanceKind.MONTHLY, 4, 2),
    ("Monthly 2", AllowanceKind.MONTHLY, 2, 1),
    ("Pack of 10", AllowanceKind.PACK, 10, 3),
    ("Unlimited", AllowanceKind.UNLIMITED, 0, 4),
    ("Community (no 1-1 sessions)", AllowanceKind.PACK, 0, None),
]

# Group sessions: their own allowance on each plan (kind, seats).
GROUP_ALLOWANCES = {
    "Monthly 4": (GroupAllowanceKind.MONTHLY, 2),
    "Pack of 10": (GroupAllowanceKind.PACK, 5),
    "Unlimited": (GroupAllowanceKind.UNLIMITED, 0),
    "Community (no 1-1 sessions)": (GroupAllowanceKind.MONTHLY, 4),
}

STUDENT_PLANS = {
    "sam@example.com": "Monthly 4",
    "olivia@example.com": "Pack of 10",
    "priya@example.com": "Unlimited",
    "lucas@example.com": "Monthly 2",
    "mia@example.com": "Community (no 1-1 sessions)",
}


def seed(*, users: dict, stdout) -> None:
    # Joined three weeks ago, before the demo sessions' history starts
    # (scheduling/demo.py books from 20 days back), so ledgers read in order.
    now = timezone.now() - timedelta(days=21)
    plans = {}
    for name, kind, sessions, max_upcoming in PLANS:
        group_kind, group_sessions = GROUP_ALLOWANCES.get(name, (GroupAllowanceKind.NONE, 0))
        plans[name], _ = Plan.objects.get_or_create(
            name=name, defaults={"allowance_kind": kind, "sessions": sessions, "max_upcoming": max_upcoming,
                                 "group_allowance_kind": group_kind, "group_sessions": group_sessions}
        )
    manager = users.get("manager@example.com")
    for email, plan_name in STUDENT_PLANS.items():
        student = users.get(email)
        if student is None or current_enrolment(student) is not None:
            continue  # already on a plan: a rerun grants nothing twice
        enrolment_start(student=student, plan=plans[plan_name], actor=manager, now=now)
    olivia = users.get("olivia@example.com")
    if olivia and not LedgerEntry.objects.filter(account__student=olivia, kind=EntryKind.TOPUP).exists():
        credits_admin_change(student=olivia, kind=EntryKind.TOPUP, amount=2, actor=manager, now=now,
                             reason="Bought two extra sessions before her interview")
    stdout.write(f"credits: {len(PLANS)} plans; demo students on monthly, pack, unlimited and no-session plans")
