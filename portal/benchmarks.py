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

from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from .benchkit import pages_of, percentile, seed_race, throwaway_database
from .httpbench import bench_http

ROUNDS = 50
WARMUP = 5
TARGET_1X, TARGET_10X = 0.5, 0.4


def _bench_settings():
    return override_settings(ROOT_URLCONF="portal.bench_floor", ALLOWED_HOSTS=["testserver", "*"],
                             SECURE_SSL_REDIRECT=False)


# --- pages ------------------------------------------------------------------------


def measure_pages(world, *, rounds: int = ROUNDS) -> dict:
    pages = pages_of(world)
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

    return throwaway_database(stdout, run)


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
                    "p50_ms": round(percentile(times, 0.5), 1), "p95_ms": round(percentile(times, 0.95), 1),
                    "max_ms": round(max(times), 1),
                    "locks_held_p50_ms": round(percentile(held, 0.5), 2) if held else None,
                    "locks_held_max_ms": round(max(held), 2) if held else None,
                }
                stdout.write(f"{label}: {winners} winner(s) of {size}; p50 {figures[label]['p50_ms']} ms, "
                             f"p95 {figures[label]['p95_ms']} ms; locks held per booking: median "
                             f"{figures[label]['locks_held_p50_ms']} ms, max {figures[label]['locks_held_max_ms']} ms")
            # The same bookings one after another: what one request costs with nothing to wait for. Threads of one
            # Python process run one at a time (the GIL), so a race of N can't finish sooner than N such requests
            # back to back; `race_lower_bound_ms` says where that puts the race's slowest request.
            mentor, service, students, starts = seed(f"alone-{uuid.uuid4().hex[:6]}")
            url = reverse("scheduling:book-confirm", args=[mentor.pk, service.pk])
            alone = []
            for client, start in zip(clients_for(students), starts, strict=False):
                started = time.perf_counter()
                client.post(url, {"start": start.isoformat(), "booking_key": str(uuid.uuid4()), "weeks": 1})
                alone.append((time.perf_counter() - started) * 1000)
            figures["one_at_a_time"] = {
                "winners": Session.objects.filter(mentor=mentor).count(),
                "p50_ms": round(percentile(alone, 0.5), 1), "p95_ms": round(percentile(alone, 0.95), 1),
                "race_lower_bound_ms": round(percentile(alone, 0.5) * size, 1),
            }
            stdout.write(f"one at a time: p50 {figures['one_at_a_time']['p50_ms']} ms per booking, so a race of {size} "
                         f"in one process needs at least {figures['one_at_a_time']['race_lower_bound_ms']} ms")
        figures["load_average_after"] = os.getloadavg()
        figures["goal"] = {"one_slot_winners": 1, "distinct_slots_winners": size, "one_slot_p95_ms": 150}
        return figures

    return throwaway_database(stdout, run)


BENCHMARKS = {"pages": bench_pages, "booking": bench_booking, "http": bench_http}
