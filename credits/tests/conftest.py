import datetime as dt

import pytest

from credits.services import enrolment_start
from credits.tests.factories import MonthlyPlanFactory, PackPlanFactory, UnlimitedPlanFactory

# Mid-November 2026 in every zone the tests use; the next reset is 1 Dec.
NOW = dt.datetime(2026, 11, 16, 15, 0, tzinfo=dt.UTC)


@pytest.fixture
def now():
    return NOW


@pytest.fixture
def enrol(manager):
    def _enrol(student, plan, *, at=NOW):
        return enrolment_start(student=student, plan=plan, actor=manager, now=at)

    return _enrol


@pytest.fixture
def monthly_plan(db):
    return MonthlyPlanFactory(name="Monthly 4", sessions=4)


@pytest.fixture
def pack_plan(db):
    return PackPlanFactory(name="Pack of 10", sessions=10)


@pytest.fixture
def unlimited_plan(db):
    return UnlimitedPlanFactory(name="Unlimited")
