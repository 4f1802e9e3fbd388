"""The agenda reads its lists in one plain statement (scheduling.selectors.mentor_agenda, for speed); these are
the lists the Session queryset defines — live(), upcoming(), the sessions still to mark, the week — checked at
moments before, during and after sessions, so a change to those definitions can't leave the agenda behind."""

from datetime import timedelta

import pytest
from django.utils import timezone

from portal.pagebench import seed_world
from scheduling.models import Feedback, Session, SessionStatus
from scheduling.selectors import AGENDA_AHEAD, AGENDA_FEEDBACK, AGENDA_TO_MARK, _week_sessions_query, mentor_agenda

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
    # Each session carries its student and service as read (no query when shown).
    assert all(s.student.full_name and s.service.name for s in agenda["upcoming"])
