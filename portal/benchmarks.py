"""`manage.py bench pages` and `manage.py bench booking`.

Both run in a throwaway database next to the configured one (`<name>_bench`,
created, migrated and dropped by the command, as `bench reset` does), through
the whole middleware stack with Django's test client.

pages: builds the world of `portal.pagebench` at 1 × and then grows it to
10 ×; at each size every page of each role and a floor view (one query, 20
rows, dates formatted; `portal.bench_floor`) are requested in interleaved
rounds, so a busy machine slows all of them alike. Each page reports its
median time over the rounds, its query count, and `ratio_to_floor` = floor
median / page median (1.0: as fast as the floor; the target is >= 0.5 at 1 ×
and >= 0.4 at 10 ×).

booking: 30 students POST the confirm page for the same slot at once, then
30 students for 30 different slots of one mentor, each in its own thread and
connection; reports winners and the p50/p95 of the request times.
"""

import logging
import os
import statistics
import threading
import time
import uuid
from datetime import timedelta

from django.db import connection, connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone

ROUNDS = 50
WARMUP = 5
TARGET_1X, TARGET_10X = 0.5, 0.4


def _throwaway_database(stdout, run):
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


def _bench_settings():
    return override_settings(ROOT_URLCONF="portal.bench_floor", ALLOWED_HOSTS=["testserver", "*"],
                             SECURE_SSL_REDIRECT=False)


# --- pages ------------------------------------------------------------------------


def _pages(world) -> list[tuple[str, str, object]]:
    """(name, url, who) for the main page of each role."""
    from scheduling.models import Session

    s, m, mgr = world.student, world.mentor, world.manager
    mentor_session = Session.objects.filter(mentor=m).upcoming(timezone.now()).order_by("starts_at").first()
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
        ("mentor agenda", reverse("portal:agenda"), m),
        ("mentor sessions", reverse("scheduling:session-list"), m),
        ("mentor session page", reverse("scheduling:session-detail", args=[mentor_session.pk]), m),
        ("admin student page", reverse("admin:mentorship_studentaccount_change", args=[s.pk]), mgr),
        ("admin dashboard", reverse("admin:index"), mgr),
    ]


def measure_pages(world, *, rounds: int = ROUNDS) -> dict:
    pages = _pages(world)
    clients = {}
    for _, _, who in pages:
        if who.pk not in clients:
            clients[who.pk] = Client()
            clients[who.pk].force_login(who)
    queries, timings = {}, {name: [] for name, _, _ in pages}
    for name, url, who in pages:
        client = clients[who.pk]
        for _ in range(WARMUP):
            response = client.get(url)
        if response.status_code != 200:
            raise AssertionError(f"{name} ({url}) answered {response.status_code}")
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        queries[name] = len(ctx.captured_queries)
    for _ in range(rounds):
        for name, url, who in pages:  # interleaved: load on the machine hits every page alike
            client = clients[who.pk]
            started = time.perf_counter()
            client.get(url)
            timings[name].append((time.perf_counter() - started) * 1000)
    floor = statistics.median(timings["floor"])
    result = {}
    for name, _, _ in pages:
        median = statistics.median(timings[name])
        result[name] = {"median_ms": round(median, 2), "queries": queries[name],
                        "ratio_to_floor": round(floor / median, 2)}
    return result


def bench_pages(*, stdout, size: int = 10, repeat: int = ROUNDS) -> dict:
    from .pagebench import seed_world

    def run(database):
        figures = {"database": database, "rounds": repeat, "load_average_before": os.getloadavg()}
        with _bench_settings():
            for scale in sorted({1, size}):
                started = time.perf_counter()
                world = seed_world(scale)
                stdout.write(f"{scale} ×: seeded in {time.perf_counter() - started:.1f} s")
                pages = measure_pages(world, rounds=repeat)
                target = TARGET_1X if scale == 1 else TARGET_10X
                for name, row in pages.items():
                    flag = "" if name == "floor" or row["ratio_to_floor"] >= target else "   << below target"
                    stdout.write(f"  {scale:>2} × {name:<22} {row['median_ms']:>7.2f} ms  {row['queries']:>3} queries"
                                 f"  ratio {row['ratio_to_floor']:.2f}{flag}")
                figures[f"{scale}x"] = pages
        figures["load_average_after"] = os.getloadavg()
        figures["targets"] = {"1x": TARGET_1X, f"{size}x": TARGET_10X}
        figures["below_target"] = [
            f"{name} at {key}" for key in (f"{s}x" for s in sorted({1, size}))
            for name, row in figures[key].items()
            if name != "floor" and row["ratio_to_floor"] < (TARGET_1X if key == "1x" else TARGET_10X)
        ]
        return figures

    return _throwaway_database(stdout, run)


# --- booking --------------------------------------------------------------------


def _race(posts) -> tuple[list[int], list[float], list[float]]:
    """Each (client, url, data) POSTs at the same moment on its own connection.

    Returns the status codes, the request times (ms) and, for each booking
    that committed, how long it held the calendar locks: from the moment
    `pg_advisory_xact_lock` returned to the commit (ms).
    """
    barrier = threading.Barrier(len(posts))
    statuses, times, held = [None] * len(posts), [None] * len(posts), []

    def watch_locks(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if "pg_advisory_xact_lock" in sql:
            locked_at = time.perf_counter()
            # Registered before the booking's own callbacks, so it runs first, right after COMMIT.
            transaction.on_commit(lambda: held.append((time.perf_counter() - locked_at) * 1000))
        return result

    def worker(i, client, url, data):
        try:
            barrier.wait()
            started = time.perf_counter()
            with connection.execute_wrapper(watch_locks):
                response = client.post(url, data)
            times[i] = (time.perf_counter() - started) * 1000
            statuses[i] = response.status_code
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, *post)) for i, post in enumerate(posts)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return statuses, times, held


def _percentile(values, q):
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


def bench_booking(*, stdout, size: int = 30, repeat: int = 1) -> dict:
    from scheduling.models import Session

    def seed(tag):
        return seed_race(tag, size)

    def clients_for(students):
        clients = []
        for student in students:
            client = Client()
            client.force_login(student)
            clients.append(client)
        return clients

    def run(database):
        figures = {"database": database, "students": size, "load_average_before": os.getloadavg()}
        with _bench_settings():
            for label, same_slot in (("one_slot", True), ("distinct_slots", False)):
                mentor, service, students, starts = seed(f"{label}-{uuid.uuid4().hex[:6]}")
                url = reverse("scheduling:book-confirm", args=[mentor.pk, service.pk])
                clients = clients_for(students)
                posts = [(client, url, {"start": (starts[0] if same_slot else starts[i]).isoformat(),
                                        "booking_key": str(uuid.uuid4()), "weeks": 1})
                         for i, client in enumerate(clients)]
                request_log = logging.getLogger("django.request")
                level, request_log.level = request_log.level, logging.ERROR  # 409s are the expected outcome
                try:
                    statuses, times, held = _race(posts)
                finally:
                    request_log.setLevel(level)
                winners = Session.objects.filter(mentor=mentor).count()
                figures[label] = {
                    "winners": winners, "redirects": statuses.count(302), "refused_409": statuses.count(409),
                    "p50_ms": round(_percentile(times, 0.5), 1), "p95_ms": round(_percentile(times, 0.95), 1),
                    "max_ms": round(max(times), 1),
                    "locks_held_p50_ms": round(_percentile(held, 0.5), 2) if held else None,
                    "locks_held_max_ms": round(max(held), 2) if held else None,
                }
                stdout.write(f"{label}: {winners} winner(s) of {size}; p50 {figures[label]['p50_ms']} ms, "
                             f"p95 {figures[label]['p95_ms']} ms; locks held per booking: median "
                             f"{figures[label]['locks_held_p50_ms']} ms, max {figures[label]['locks_held_max_ms']} ms")
        figures["load_average_after"] = os.getloadavg()
        figures["goal"] = {"one_slot_winners": 1, "distinct_slots_winners": size, "one_slot_p95_ms": 150}
        return figures

    return _throwaway_database(stdout, run)


def bench_http(**kwargs) -> dict:
    """The pages and the race through gunicorn (portal/httpbench.py)."""
    from .httpbench import bench_http

    return bench_http(**kwargs)


BENCHMARKS = {"pages": bench_pages, "booking": bench_booking, "http": bench_http}
