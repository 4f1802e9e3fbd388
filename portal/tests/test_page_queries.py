"""Every main page reads a fixed number of queries, at 1 × and at 10 × the data.

The world is `portal.pagebench` (the one `manage.py bench pages` times); the
budgets are what each page needs today. Time is the benchmark's business, not
the suite's: nothing here measures it.
"""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from portal.benchkit import pages_of
from portal.pagebench import seed_world

# The most queries each page may run (session and user lookups of the login included).
# Every page of a student or mentor reads the unread-message count for the navigation (one indexed query).
# Issue 11 (every rule shown before the click): a page that offers booking reads the student's booking
# outlook first (the enrolment with its balances and the upcoming count: one query, which the overview's
# credits card reuses); the overview reads the open reschedule proposals (one; a second only when there are
# some), the agenda their ids with its lists, the session page whether there are any with the session (then one
# to read them); the overview the sessions to rate.
BUDGET = {
    "floor": 4,
    "student overview": 7,  # 6 for a student who holds no group seat and waits for none
    "student sessions": 4,
    "directory": 6,
    "mentor page": 5,
    "slot picker": 6,
    "session page": 5,
    "credits history": 5,
    "flash requests": 4,
    "inbox": 5,
    "conversation": 6,  # 8 when the two have session events and flash requests (read only then)
    "group sessions": 6,
    "group session page": 6,
    "mentor agenda": 4,  # the free times' calendar is read with its lists
    "mentor sessions": 4,
    "mentor session page": 5,
    "mentor inbox": 5,
    "admin student page": 3,  # the student row is read with its panels
    "admin dashboard": 3,  # warm: the programme's figures are counted at most every 2 minutes (8 more then)
}


def _counts(world) -> dict[str, int]:
    clients, counts = {}, {}
    for name, url, who in pages_of(world):
        client = clients.get(who.pk)
        if client is None:
            client = clients[who.pk] = Client()
            client.force_login(who)
        client.get(url)  # warm: the session, the caches
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200, (name, url, response.status_code)
        counts[name] = len(ctx.captured_queries)
    return counts


@pytest.mark.django_db
def test_every_main_page_keeps_its_query_count_from_1x_to_10x_data(settings):
    settings.ROOT_URLCONF = "portal.bench_floor"  # mounts the floor view next to the site
    at_1x = _counts(seed_world(1))
    at_10x = _counts(seed_world(10))
    assert set(at_1x) == set(BUDGET)
    over = {name: n for name, n in at_1x.items() if n > BUDGET[name]}
    assert not over, f"over budget at 1 ×: {over}"
    grew = {name: (at_1x[name], at_10x[name]) for name in at_1x if at_10x[name] != at_1x[name]}
    assert not grew, f"query count grew with the data (1 ×, 10 ×): {grew}"
