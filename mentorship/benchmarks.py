"""`manage.py bench matching`: rank 1,000 mentors for one student, many times.

Seeds (or reuses) mentors with varied grids across zones that include the
half- and quarter-hour ones and both hemispheres' daylight saving, then times
`selectors.rank_mentors` end to end: the database reads and the overlap maths.
"""

import random
import statistics
import time

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User

from . import selectors, weekgrid
from .models import AvailabilityGrid, MentorProfile, Skill, StudentInterest

ZONES = [
    "America/New_York", "America/Los_Angeles", "America/Sao_Paulo", "Europe/London", "Europe/Berlin",
    "Africa/Lagos", "Asia/Kolkata", "Asia/Kathmandu", "Asia/Singapore", "Australia/Sydney",
    "Australia/Adelaide", "Pacific/Auckland", "UTC",
]
EMAIL_DOMAIN = "bench.invalid"
SKILL_NAMES = ["Python", "Django", "JavaScript", "SQL", "System design", "Career growth", "Interview practice",
               "Data science", "Go", "Rust"]


def _random_grid(rng: random.Random) -> str:
    cells = set()
    for _ in range(rng.randint(1, 4)):  # a few blocks of a few hours on some days
        days = rng.sample(range(7), rng.randint(1, 5))
        start = rng.randint(0, 21)
        length = rng.randint(1, 6)
        cells |= {weekgrid.cell_index(d, h) for d in days for h in range(start, min(start + length, 24))}
    return weekgrid.cells_from_indices(cells)


@transaction.atomic
def _seed(size: int, stdout) -> User:
    rng = random.Random(20261123)
    now = timezone.now()
    skills = []
    for name in SKILL_NAMES:
        skills.append(Skill.objects.filter(name__iexact=name).first() or Skill.objects.create(name=name))
    have = User.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}", role=Role.MENTOR).count()
    if have < size:
        password = make_password(None)  # unusable: bench people never log in
        new = [
            User(email=f"bench-mentor-{i}@{EMAIL_DOMAIN}", full_name=f"Bench Mentor {i:04d}", role=Role.MENTOR,
                 timezone=ZONES[i % len(ZONES)], password=password)
            for i in range(have, size)
        ]
        User.objects.bulk_create(new, batch_size=500)
        created = list(User.objects.filter(email__in=[u.email for u in new]))
        AvailabilityGrid.objects.bulk_create(
            [AvailabilityGrid(user=u, cells=_random_grid(rng), updated_at=now) for u in created], batch_size=500
        )
        profiles = MentorProfile.objects.bulk_create(
            [MentorProfile(user=u, headline="Bench mentor", capacity=rng.randint(1, 6),
                           accepting_new_students=rng.random() > 0.1) for u in created],
            batch_size=500,
        )
        through = MentorProfile.skills.through
        through.objects.bulk_create(
            [through(mentorprofile_id=p.pk, skill_id=s.pk) for p in profiles for s in rng.sample(skills, 3)],
            batch_size=1000,
        )
        stdout.write(f"seeded {len(created)} bench mentors")
    else:
        stdout.write(f"reusing {have} bench mentors")
    student, _ = User.objects.get_or_create(
        email=f"bench-student@{EMAIL_DOMAIN}",
        defaults={"full_name": "Bench Student", "role": Role.STUDENT, "timezone": "Europe/London",
                  "password": make_password(None)},
    )
    AvailabilityGrid.objects.update_or_create(
        user=student,
        defaults={"cells": weekgrid.cells_from_indices(
            {weekgrid.cell_index(d, h) for d in range(5) for h in range(8, 20)}), "updated_at": now},
    )
    for skill in skills[:3]:
        StudentInterest.objects.get_or_create(student=student, skill=skill)
    return student


def matching(*, stdout, size: int = 1000, repeat: int = 50) -> dict:
    student = _seed(size, stdout)
    mentors = User.objects.filter(role=Role.MENTOR, is_active=True).count()
    now = timezone.now()
    selectors.rank_mentors(student, now=now)  # warm the per-zone week segments, as a running server has
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        ranked = selectors.rank_mentors(student, now=now)
        timings.append((time.perf_counter() - started) * 1000)
    with_overlap = sum(1 for m in ranked if m.shared_hours > 0)
    stdout.write(f"ranked {len(ranked)} mentors {repeat} times; top: {ranked[0].full_name} ({ranked[0].explanation})")
    return {
        "mentors": mentors,
        "repeat": repeat,
        "median_ms": round(statistics.median(timings), 2),
        "p90_ms": round(sorted(timings)[int(0.9 * (len(timings) - 1))], 2),
        "min_ms": round(min(timings), 2),
        "mentors_with_shared_hours": with_overlap,
        "target_ms": 20,
    }


BENCHMARKS = {"matching": matching}
