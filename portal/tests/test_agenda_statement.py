"""The agenda reads its lists in one plain statement (scheduling.selectors.mentor_agenda, for speed); these are
the lists the Session queryset defines — live(), upcoming(), the sessions still to mark, the week — checked at
moments before, during and after sessions, so a change to those definitions can't leave the agenda behind."""

from datetime import timedelta

import pytest
from django.utils import timezone

from mentorship.models import DateOverride, TimeOff
from portal.pagebench import seed_world
from scheduling.models import Feedback, Session, SessionStatus
from scheduling.selectors import (
    AGENDA_AHEAD,
    AGENDA_FEEDBACK,
    AGENDA_TO_MARK,
    _calendar_window,
    _week_sessions_query,
    free_slot_starts,
    mentor_agenda,
    mentor_calendar,
)

pytestmark = pytest.mark.django_db


def _ids(sessions):
    return [s.pk for s in sessions]


def test_the_agenda_lists_are_the_session_querysets_at_every_moment():
    world = seed_world(1)
    mentor = world.mentor
    base = Session.objects.filter(mentor=mentor)
    first_upcoming = base.upcoming(timezone.now()).order_by("starts_at").first()
    moments = [timezone.now(), first_upcoming.starts_at + timedelta(minutes=10), first_upcoming.ends_at,
               first_upcoming.starts_at + timedelta(days=1, hours=5), timezone.now() + timedelta(days=9)]
    # Something of every kind in the mentor's calendar.
    today = timezone.now().astimezone(mentor.tzinfo).date()
    TimeOff.objects.create(user=mentor, starts_on=today + timedelta(days=3), ends_on=today + timedelta(days=4),
                           created_at=timezone.now())
    DateOverride.objects.create(user=mentor, date=today + timedelta(days=6), hours="0" * 8 + "1" * 4 + "0" * 12,
                                  updated_at=timezone.now())
    for now in moments:
        tz = mentor.tzinfo
        day_start = now.astimezone(tz).replace(hour=0, minute=0, second=0, microsecond=0)
        day_end = (day_start + timedelta(days=1)).replace(tzinfo=None).replace(tzinfo=tz)
        week_start = day_start.date()
        agenda = mentor_agenda(mentor, now=now, week_start=week_start)
        assert _ids(agenda["today"]) == list(base.live().filter(starts_at__gte=day_start, starts_at__lt=day_end)
                                             .order_by("starts_at").values_list("pk", flat=True)), now
        assert _ids(agenda["upcoming"]) == list(base.upcoming(now).filter(starts_at__gte=day_end)
                                                .order_by("starts_at").values_list("pk", flat=True)[:AGENDA_AHEAD])
        assert _ids(agenda["to_mark"]) == list(base.filter(status=SessionStatus.SCHEDULED, starts_at__lte=now)
                                               .order_by("starts_at").values_list("pk", flat=True)[:AGENDA_TO_MARK])
        week = sorted(s.pk for day in agenda["week_sessions"].values() for s in day)
        assert week == sorted(_week_sessions_query(mentor, start=week_start, tz=tz).values_list("pk", flat=True))
        latest = list(Feedback.objects.filter(session__mentor=mentor).order_by("-created_at")[:AGENDA_FEEDBACK])
        assert [f.pk for f in agenda["recent_feedback"]] == [f.pk for f in latest]
        # The calendar read with the lists is `mentor_calendar`'s, and gives the same free times.
        start, end = _calendar_window(mentor, now)[3:]
        alone = mentor_calendar(mentor=mentor, student=None, start=start, end=end, exclude_session_id=None)
        calendar = agenda["calendar"]
        assert calendar.cells == alone.cells and "1" in calendar.cells
        for name in ("sessions", "time_off", "overrides", "pauses"):
            assert sorted(getattr(calendar, name)) == sorted(getattr(alone, name)), name
        if now == moments[0]:
            assert calendar.sessions and calendar.time_off and calendar.overrides
        duration = agenda["offered_service"].duration
        assert free_slot_starts(mentor=mentor, duration=duration, now=now, calendar=calendar) == free_slot_starts(
            mentor=mentor, duration=duration, now=now)
    # Each session carries its student and service as read (no query when shown).
    assert all(s.student.full_name and s.service.name for s in agenda["upcoming"])
