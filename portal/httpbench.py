"""`manage.py bench http`: the pages and the booking race through gunicorn, as production serves them.

`bench pages` and `bench booking` run in one Python process with Django's test
client: good for comparing pages with each other, but 30 racing threads of
one process take turns on one GIL, and nothing there opens a socket. This
benchmark starts real web processes instead and drives them from this one:

- gunicorn with BENCH_HTTP_WORKERS sync workers (default 2), production
  settings (DEBUG off, hashed static files, persistent database connections:
  CONN_MAX_AGE=600 with health checks), the floor view of `portal.bench_floor`
  mounted next to the site (`config.bench_settings`), on a throwaway database
  holding the 1 × world of `portal.pagebench`;
- a load generator in this process: BENCH_HTTP_CONCURRENCY threads (default
  8), each with its own HTTP connection and the page owner's session cookie
  (gunicorn's sync workers close the connection after each response, so each
  request reconnects, as behind a proxy that doesn't pool);
- pages: in each of `repeat` rounds (default 3), every page gets a burst of
  BURST requests (default 100) right after a burst of the floor; a page's
  `ratio_to_floor` is the median over the rounds of its req/s ÷ the floor's in
  the burst just before (paired, so a machine whose load changes by the second
  weighs on both alike; the issue's target: ≥ 0.5), `req_per_s` its median;
- booking: `size` students (default 30) POST the confirm page for one slot at
  the same moment, then `size` students for `size` different slots (each its
  own connection, CSRF token and session), through the same workers; reports
  winners and p50/p95 of the request times as the students see them.

The last line is JSON, like every benchmark's.
"""

import http.client
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse

from .benchkit import pages_of, percentile, seed_race, throwaway_database

BURST = int(os.environ.get("BENCH_HTTP_BURST", "100"))
WORKERS = int(os.environ.get("BENCH_HTTP_WORKERS", "2"))
CONCURRENCY = int(os.environ.get("BENCH_HTTP_CONCURRENCY", "8"))
TARGET = 0.5
BASE_DIR = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _production_env(static_root: str, secret_key: str) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.bench_settings",
        "DEBUG": "false",
        "SECRET_KEY": secret_key,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_HSTS_SECONDS": "0",
        "CONN_MAX_AGE": "600",
        "CONN_HEALTH_CHECKS": "true",
        "DATABASE_URL": _database_url(),
        "STATIC_ROOT": static_root,
        "LOG_LEVEL": "ERROR",  # the race's 409s are expected
    }


class Server:
    """gunicorn on a free port, started and stopped by this process (its own process group)."""

    def __init__(self, env: dict, workers: int):
        self.port = _free_port()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi", "--workers", str(workers), "--worker-class", "sync",
             "--bind", f"127.0.0.1:{self.port}", "--log-level", "warning"],
            cwd=BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
        )

    def wait_ready(self, path: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.process.stderr.read().decode()[-2000:]}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", path)
                conn.getresponse().read()
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer within a minute")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.process.kill()


def _session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def _burst(port: int, path: str, cookie: str, *, total: int, concurrency: int) -> tuple[float, dict]:
    """`total` GETs of `path` from `concurrency` threads; (requests per second, {status: count})."""
    counter = iter(range(total))
    lock = threading.Lock()
    statuses: dict[int, int] = {}
    headers = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}", "Host": "127.0.0.1"}

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while True:
            with lock:
                if next(counter, None) is None:
                    break
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            with lock:
                statuses[response.status] = statuses.get(response.status, 0) + 1
            if response.will_close:
                conn.close()
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return total / (time.perf_counter() - started), statuses


def _race_http(port: int, path: str, posts: list[tuple[str, dict]]) -> tuple[list[int], list[float]]:
    """Each (session cookie, form data) POSTs `path` at the same moment on its own connection."""
    barrier = threading.Barrier(len(posts))
    statuses, times = [None] * len(posts), [None] * len(posts)

    def worker(i, cookie, data):
        token = secrets.token_hex(16)  # a CSRF secret of 32 characters: the cookie and the form field agree
        body = urlencode({**data, "csrfmiddlewaretoken": token})
        headers = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}; {settings.CSRF_COOKIE_NAME}={token}",
                   "Content-Type": "application/x-www-form-urlencoded", "Host": "127.0.0.1"}
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        conn.connect()
        barrier.wait()
        started = time.perf_counter()
        conn.request("POST", path, body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        times[i] = (time.perf_counter() - started) * 1000
        statuses[i] = response.status
        conn.close()

    threads = [threading.Thread(target=worker, args=(i, *post)) for i, post in enumerate(posts)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(180)
    return statuses, times


def bench_http(*, stdout, size: int = 30, repeat: int = 3) -> dict:
    from scheduling.models import Session

    from .pagebench import seed_world

    def run(database):
        figures = {"database": database, "workers": WORKERS, "concurrency": CONCURRENCY, "burst": BURST,
                   "rounds": repeat, "load_average_before": os.getloadavg()}
        secret_key = secrets.token_urlsafe(50)
        # The sessions are signed (and the login hash keyed) with the web processes' key.
        with override_settings(ROOT_URLCONF="portal.bench_floor", SECRET_KEY=secret_key):
            world = seed_world(1)
            pages = pages_of(world)
            cookies = {who.pk: _session_cookie(who) for _, _, who in pages}
            races = []
            for label in ("one_slot", "distinct_slots"):
                mentor, service, students, starts = seed_race(f"{label}-{uuid.uuid4().hex[:6]}", size)
                url = reverse("scheduling:book-confirm", args=[mentor.pk, service.pk])
                posts = [(_session_cookie(s), {"start": (starts[0] if label == "one_slot" else starts[i]).isoformat(),
                                               "booking_key": str(uuid.uuid4()), "weeks": 1})
                         for i, s in enumerate(students)]
                races.append((label, mentor, url, posts))
        connection.close()  # the web processes get the database to themselves

        with tempfile.TemporaryDirectory(prefix="bench-http-static-") as static_root:
            env = _production_env(static_root, secret_key)
            stdout.write("collecting the static files as production does (hashed, compressed)…")
            subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=BASE_DIR, env=env,
                           check=True)
            server = Server(env, WORKERS)
            try:
                server.wait_ready(pages[0][1])
                for _name, url, who in pages:  # warm every worker's caches and connections
                    _burst(server.port, url, cookies[who.pk], total=10, concurrency=WORKERS)
                # Paired: each page's burst right after a burst of the floor, so the load other processes
                # put on the machine (it changes by the second) weighs on both sides of each ratio alike.
                rates = {name: [] for name, _, _ in pages}
                ratios = {name: [] for name, _, _ in pages}
                floor_url, floor_who = pages[0][1], pages[0][2]
                for _ in range(repeat):
                    for name, url, who in pages[1:]:
                        measured = []
                        for what, path, owner in (("floor", floor_url, floor_who), (name, url, who)):
                            rate, statuses = _burst(server.port, path, cookies[owner.pk], total=BURST,
                                                    concurrency=CONCURRENCY)
                            if set(statuses) != {200}:
                                raise AssertionError(f"{what} ({path}) answered {statuses}")
                            rates[what].append(rate)
                            measured.append(rate)
                        ratios[name].append(measured[1] / measured[0])
                figures["pages"] = {"floor": {"req_per_s": round(statistics.median(rates["floor"]), 1),
                                              "ratio_to_floor": 1.0}}
                stdout.write(f"  {'floor':<22} {figures['pages']['floor']['req_per_s']:>7.1f} req/s")
                for name, _, _ in pages[1:]:
                    rate, ratio = statistics.median(rates[name]), round(statistics.median(ratios[name]), 2)
                    figures["pages"][name] = {"req_per_s": round(rate, 1), "ratio_to_floor": ratio}
                    flag = "" if ratio >= TARGET else "   << below target"
                    stdout.write(f"  {name:<22} {rate:>7.1f} req/s  ratio {ratio:.2f}{flag}")
                figures["below_target"] = [name for name, row in figures["pages"].items()
                                           if name != "floor" and row["ratio_to_floor"] < TARGET]

                for label, mentor, url, posts in races:
                    statuses, times = _race_http(server.port, url, posts)
                    winners = Session.objects.filter(mentor=mentor).count()
                    figures[label] = {
                        "winners": winners, "redirects": statuses.count(302), "refused_409": statuses.count(409),
                        "p50_ms": round(percentile(times, 0.5), 1), "p95_ms": round(percentile(times, 0.95), 1),
                        "max_ms": round(max(times), 1),
                    }
                    stdout.write(f"{label}: {winners} winner(s) of {size}; p50 {figures[label]['p50_ms']} ms, "
                                 f"p95 {figures[label]['p95_ms']} ms (statuses {sorted(set(statuses))})")
            finally:
                server.stop()
                connection.close()
        figures["load_average_after"] = os.getloadavg()
        return figures

    return throwaway_database(stdout, run)
