"""`python manage.py bench slots`: four weeks of slots for one mentor with 200 sessions."""

import statistics
import time

from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Role, User
from mentorship.services import grid_save

from .models import ServiceType, Session, SessionStatus
from .selectors import free_slot_starts

BENCH_MENTOR = "bench-slots-mentor@example.com"
BENCH_STUDENT = "bench-slots-student-{}@example.com"


def _seed(sessions: int) -> tuple[User, ServiceType]:
    mentor, _ = User.objects.get_or_create(
        email=BENCH_MENTOR, defaults={"full_name": "Bench Mentor", "timezone": "America/New_York", "role": Role.MENTOR}
    )
    # Weekdays 07:00–21:00 and weekends 09:00–17:00, in the mentor's wall clock.
    cells = "".join(
        "1" if (day < 5 and 7 <= hour < 21) or (day >= 5 and 9 <= hour < 17) else "0"
        for day in range(7) for hour in range(24)
    )
    grid_save(user=mentor, cells=cells, now=timezone.now())
    service, _ = ServiceType.objects.get_or_create(name="Bench session", defaults={"duration_minutes": 60})
    existing = Session.objects.filter(mentor=mentor, status=SessionStatus.SCHEDULED).count()
    if existing < sessions:
        now = timezone.now()
        starts = free_slot_starts(mentor=mentor, duration=service.duration, now=now)
        # Hour starts spread evenly across the four weeks.
        hourly = [s for s in starts if s.minute == 0]
        stride = max(1, len(hourly) // (sessions - existing))
        picks = hourly[::stride][: sessions - existing]
        with transaction.atomic():
            for n, start in enumerate(picks):
                student, _ = User.objects.get_or_create(
                    email=BENCH_STUDENT.format(n % 40), defaults={"full_name": f"Bench Student {n % 40}"}
                )
                Session.objects.create(student=student, mentor=mentor, service=service, starts_at=start,
                                       ends_at=start + service.duration, created_at=now)
        # Fresh rows have no planner statistics yet (autovacuum would
        # gather them in production); without them PostgreSQL picks the
        # GiST exclusion index for a plain mentor lookup.
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {Session._meta.db_table}")
    return mentor, service


def bench_slots(*, stdout, size: int = 200, repeat: int = 200) -> dict:
    mentor, service = _seed(size)
    sessions = Session.objects.filter(mentor=mentor, status=SessionStatus.SCHEDULED).count()
    now = timezone.now()
    for _ in range(5):  # warm caches and connections
        free_slot_starts(mentor=mentor, duration=service.duration, now=now)
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        slots = free_slot_starts(mentor=mentor, duration=service.duration, now=now)
        timings.append((time.perf_counter() - started) * 1000)
    figures = {
        "sessions": sessions, "slots": len(slots), "window_days": 28, "runs": repeat,
        "median_ms": round(statistics.median(timings), 3), "p95_ms": round(sorted(timings)[int(repeat * 0.95) - 1], 3),
        "target_ms": 5,
    }
    stdout.write(f"{len(slots)} free slots over 4 weeks for a mentor with {sessions} sessions; "
                 f"median {figures['median_ms']} ms, p95 {figures['p95_ms']} ms over {repeat} runs (target < 5 ms)")
    return figures


from .group_benchmarks import bench_group  # noqa: E402

BENCHMARKS = {"slots": bench_slots, "group": bench_group}
