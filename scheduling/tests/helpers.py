"""Small builders for scheduling tests: grids, credits, services."""

from datetime import datetime, timedelta, timezone

from credits.models import AllowanceKind, Plan
from credits.services import enrolment_start
from mentorship.models import MentorProfile
from mentorship.services import grid_save, time_off_add
from scheduling.models import ServiceType

UTC = timezone.utc


def cells(days=range(7), hours=range(9, 17)) -> str:
    """A weekly grid string: the given weekdays (Mon=0) × hours are available."""
    return "".join("1" if d in days and h in hours else "0" for d in range(7) for h in range(24))


def set_grid(user, days=range(7), hours=range(9, 17)):
    return grid_save(user=user, cells=cells(days, hours), now=datetime.now(UTC))


def bookable_mentor(mentor, *, service=None, days=range(7), hours=range(9, 17), video="https://meet.example.com/ada"):
    set_grid(mentor, days, hours)
    MentorProfile.objects.update_or_create(user=mentor, defaults={"video_url": video, "headline": "Mentor"})
    service = service or ServiceType.objects.create(name=f"Coding {mentor.pk}", duration_minutes=60)
    service.mentors.add(mentor)
    return service


def give_credits(student, sessions=4, *, kind=AllowanceKind.PACK, max_upcoming=None, now=None):
    plan = Plan.objects.create(name=f"Plan {student.pk} {kind} {sessions}", allowance_kind=kind, sessions=sessions,
                               max_upcoming=max_upcoming)
    return enrolment_start(student=student, plan=plan, actor=None, now=now or datetime.now(UTC))


def time_off(mentor, first_day, last_day, reason="Holiday"):
    return time_off_add(user=mentor, starts_on=first_day, ends_on=last_day, reason=reason, now=datetime.now(UTC))


def balance(student) -> int:
    from credits.models import CreditAccount

    return CreditAccount.objects.get(student=student).balance


def at(text: str) -> datetime:
    """'2027-03-10 12:00' as UTC."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


HOUR = timedelta(hours=1)
