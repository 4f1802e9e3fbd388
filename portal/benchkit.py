"""What the in-process benches (portal/benchmarks.py) and the gunicorn one (portal/httpbench.py) share:
the throwaway database, the pages measured, the booking race's world, a percentile."""

from datetime import timedelta

from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone


def throwaway_database(stdout, run):
    settings_dict = connection.settings_dict
    old_name = settings_dict["NAME"]
    test_settings = settings_dict.setdefault("TEST", {})
    saved = test_settings.get("NAME")
    test_settings["NAME"] = f"{old_name}_bench"
    stdout.write("creating a throwaway benchmark database and migrating it…")
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        return run(name)
    finally:
        for alias in connections:
            connections[alias].close()
        connection.creation.destroy_test_db(old_name, verbosity=0)
        test_settings["NAME"] = saved


def pages_of(world) -> list[tuple[str, str, object]]:
    """(name, url, who) for the main page of each role."""
    from conversations.models import Thread
    from scheduling.group_models import GroupSeat
    from scheduling.models import Session

    s, m, mgr = world.student, world.mentor, world.manager
    mentor_session = Session.objects.filter(mentor=m).upcoming(timezone.now()).order_by("starts_at").first()
    thread = Thread.objects.get(student=s, mentor=m)
    group_id = GroupSeat.objects.filter(student=s).order_by("starts_at").values_list("session_id", flat=True)[0]
    return [
        ("floor", reverse("bench-floor"), s),
        ("student overview", reverse("portal:overview"), s),
        ("student sessions", reverse("scheduling:session-list"), s),
        ("directory", reverse("portal:directory"), s),
        ("mentor page", reverse("portal:mentor-detail", args=[m.pk]), s),
        ("slot picker", reverse("scheduling:book-slots", args=[m.pk, world.service.pk]), s),
        ("session page", reverse("scheduling:session-detail", args=[world.upcoming_session.pk]), s),
        ("credits history", reverse("credits:history"), s),
        ("flash requests", reverse("scheduling:flash-list"), s),
        ("inbox", reverse("conversations:inbox"), s),
        ("conversation", reverse("conversations:thread", args=[thread.pk]), s),
        ("group sessions", reverse("scheduling:group-list"), s),
        ("group session page", reverse("scheduling:group-detail", args=[group_id]), s),
        ("mentor agenda", reverse("portal:agenda"), m),
        ("mentor sessions", reverse("scheduling:session-list"), m),
        ("mentor session page", reverse("scheduling:session-detail", args=[mentor_session.pk]), m),
        ("mentor inbox", reverse("conversations:inbox"), m),
        ("admin student page", reverse("admin:mentorship_studentaccount_change", args=[s.pk]), mgr),
        ("admin dashboard", reverse("admin:index"), mgr),
    ]


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def seed_race(tag: str, size: int):
    """A mentor free all week, one service, `size` students on a 3-session pack; the mentor's first free
    whole hours from tomorrow, one every two hours (a slot right at the notice boundary would turn "too
    soon" while the race starts)."""
    from accounts.models import Role, User
    from credits.models import AllowanceKind, Plan
    from credits.services import enrolment_start
    from mentorship.models import AvailabilityGrid, MentorProfile
    from scheduling.models import ServiceType
    from scheduling.selectors import free_slot_starts

    now = timezone.now()
    mentor = User.objects.create(email=f"race-mentor-{tag}@bench.invalid", full_name="Race Mentor",
                                 role=Role.MENTOR, timezone="UTC")
    AvailabilityGrid.objects.create(user=mentor, cells="1" * 168, updated_at=now)
    MentorProfile.objects.create(user=mentor, video_url="https://meet.example.com/race")
    service = ServiceType.objects.create(name=f"Race {tag}", duration_minutes=60)
    service.mentors.add(mentor)
    plan = Plan.objects.create(name=f"Race pack {tag}", allowance_kind=AllowanceKind.PACK, sessions=3)
    students = []
    for i in range(size):
        student = User.objects.create(email=f"race-{tag}-{i}@bench.invalid", full_name=f"Racer {i}",
                                      role=Role.STUDENT, timezone="UTC")
        enrolment_start(student=student, plan=plan, actor=None, now=now)
        students.append(student)
    starts = [s for s in free_slot_starts(mentor=mentor, duration=service.duration, now=now)
              if s.minute == 0 and s >= now + timedelta(days=1)][::2][:size]
    return mentor, service, students, starts
