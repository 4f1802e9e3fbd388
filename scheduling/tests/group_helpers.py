"""Builders for group-session tests."""

from datetime import UTC, datetime

from credits.models import AllowanceKind, GroupAllowanceKind, Plan
from credits.services import enrolment_start
from scheduling import services


def give_group_credits(student, seats=4, *, kind=GroupAllowanceKind.PACK, sessions=0,
                       one_to_one=AllowanceKind.PACK, now=None):
    plan = Plan.objects.create(name=f"Group plan {student.pk} {kind} {seats} {one_to_one} {sessions}",
                               allowance_kind=one_to_one, sessions=sessions, group_allowance_kind=kind,
                               group_sessions=seats if kind in (GroupAllowanceKind.PACK, GroupAllowanceKind.MONTHLY)
                               else 0)
    return enrolment_start(student=student, plan=plan, actor=None, now=now or datetime.now(UTC))


def schedule(mentor, starts_at, *, seats=10, now, minutes=60, title="Interview practice", weeks=1):
    result = services.group_session_schedule(mentor=mentor, title=title, starts_at=starts_at,
                                             duration_minutes=minutes, seats=seats, actor=mentor, now=now,
                                             weeks=weeks)
    return result.created[0] if weeks == 1 else result


def group_balance(student) -> int:
    from credits.models import CreditAccount

    return CreditAccount.objects.get(student=student).group_balance
