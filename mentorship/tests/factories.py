from django.utils import timezone

from accounts.tests.factories import MentorFactory, StudentFactory
from mentorship import weekgrid
from mentorship.models import AvailabilityGrid, MentorProfile, Skill


def give_grid(user, hours_by_day: dict[int, range]):
    cells = weekgrid.cells_from_indices(weekgrid.cell_index(d, h) for d, hs in hours_by_day.items() for h in hs)
    AvailabilityGrid.objects.update_or_create(user=user, defaults={"cells": cells, "updated_at": timezone.now()})
    return cells


def skill(name: str) -> Skill:
    return Skill.objects.filter(name=name).first() or Skill.objects.create(name=name)


def make_mentor(*, timezone_name="Europe/London", hours=None, capacity=5, accepting=True, skills=(), **kwargs):
    mentor = MentorFactory(timezone=timezone_name, **kwargs)
    profile = MentorProfile.objects.create(
        user=mentor, headline=f"Headline of {mentor.full_name}", capacity=capacity, accepting_new_students=accepting
    )
    profile.skills.set([skill(s) for s in skills])
    if hours is not None:
        give_grid(mentor, hours)
    return mentor


def make_student(*, timezone_name="Europe/London", hours=None, **kwargs):
    student = StudentFactory(timezone=timezone_name, **kwargs)
    if hours is not None:
        give_grid(student, hours)
    return student


WEEKDAYS = range(5)


def weekdays(hours: range) -> dict[int, range]:
    return {d: hours for d in WEEKDAYS}
