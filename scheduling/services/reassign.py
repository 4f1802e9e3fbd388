"""A success manager re-pairs a student with sessions in flight: keep, move or cancel each."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from accounts.locks import lock_calendars
from accounts.models import Role, User
from credits.services import account_for_update
from mentorship.models import MentorProfile

from .. import notifications
from ..errors import IllegalTransition, SlotTaken, SlotUnavailable
from ..models import ServiceType, Session, SessionEvent
from .lifecycle import session_cancel
from .state import ALREADY, S, require_manager

# --- a success manager re-pairs a student with sessions in flight (issue 7) ---


MOVE_CHOICES = ("keep", "move", "cancel")


def _local(instant: datetime) -> str:
    """A time as the person on the page reads it (the middleware activates their zone and language)."""
    from django.utils import dateformat, timezone

    return dateformat.format(timezone.localtime(instant), gettext("D d M Y H:i T"))


def move_conflicts(*, sessions: list[Session], new_mentor: User, now: datetime) -> dict[int, str]:
    """Why `new_mentor` cannot take each of these sessions over, by session id.

    Sessions missing from the answer can move. The same rules as booking —
    the mentor's weekly hours (wall clock in their zone), their time off,
    their live sessions plus the rest buffer — in a constant number of
    queries however many sessions are asked about. The exact times are
    checked, not the 30-minute booking steps: the session already exists.
    """
    from ..selectors import mentor_calendar

    if not sessions:
        return {}
    if new_mentor.role != Role.MENTOR or not new_mentor.is_active:
        return {s.pk: gettext("%(mentor)s is not an active mentor.") % {"mentor": new_mentor.get_full_name()}
                for s in sessions}
    start, end = _window(sessions)
    offered = set(ServiceType.objects.filter(mentors=new_mentor, is_active=True).values_list("pk", flat=True))
    # The same one-round-trip read slot search uses: grid, time off, live sessions.
    calendar = mentor_calendar(mentor=new_mentor, student=None, start=start, end=end, exclude_session_id=None)
    busy = [(s, e) for s, e, _ in calendar.sessions]
    return _judge(sessions, mentor=new_mentor, cells=calendar.cells, time_off=calendar.time_off, busy=busy,
                  offered=offered, start=start, end=end, now=now, overrides=calendar.overrides)


def move_conflicts_by_mentor(*, sessions: list[Session], mentors: list[User], now: datetime) -> dict[int, dict[int, str]]:
    """move_conflicts for several candidate mentors at once, in one query: {mentor id: {session id: why not}}.

    The reassign page shows, before any mentor is chosen, which of the
    suggested mentors could take each upcoming session.
    """
    from django.db import connection

    from mentorship.models import AvailabilityGrid, DateOverride, TimeOff
    from mentorship.weekgrid import EMPTY

    from ..models import LIVE_STATUSES

    if not sessions or not mentors:
        return {m.pk: {} for m in mentors}
    start, end = _window(sessions)
    ids = [m.pk for m in mentors]
    marks = ", ".join(["%s"] * len(ids))
    ops = connection.ops
    offered_table = ServiceType.mentors.through._meta.db_table
    sql = f"""
        SELECT 'g', user_id, cells, NULL::timestamptz, NULL::timestamptz, NULL::date, NULL::date, NULL::bigint
          FROM {AvailabilityGrid._meta.db_table} WHERE user_id IN ({marks})
        UNION ALL
        SELECT 'o', user_id, NULL, NULL, NULL, starts_on, ends_on, NULL
          FROM {TimeOff._meta.db_table} WHERE user_id IN ({marks}) AND ends_on >= %s AND starts_on <= %s
        UNION ALL
        SELECT 's', mentor_id, NULL, starts_at, ends_at, NULL, NULL, NULL
          FROM {Session._meta.db_table}
         WHERE mentor_id IN ({marks}) AND status IN (%s, %s) AND starts_at < %s AND ends_at > %s
        UNION ALL
        SELECT 'v', m.user_id, NULL, NULL, NULL, NULL, NULL, m.servicetype_id
          FROM {offered_table} m JOIN {ServiceType._meta.db_table} t ON t.id = m.servicetype_id
         WHERE m.user_id IN ({marks}) AND t.is_active
        UNION ALL
        SELECT 'd', user_id, hours, NULL, NULL, date, NULL, NULL
          FROM {DateOverride._meta.db_table} WHERE user_id IN ({marks}) AND date >= %s AND date <= %s
    """
    params = [
        *ids,
        *ids, ops.adapt_datefield_value((start - timedelta(days=1)).date()),
        ops.adapt_datefield_value((end + timedelta(days=1)).date()),
        *ids, *LIVE_STATUSES, ops.adapt_datetimefield_value(end), ops.adapt_datetimefield_value(start),
        *ids,
        *ids, ops.adapt_datefield_value((start - timedelta(days=1)).date()),
        ops.adapt_datefield_value((end + timedelta(days=1)).date()),
    ]
    cells = {pk: EMPTY for pk in ids}
    time_off, busy, offered, overrides = ({pk: [] for pk in ids} for _ in range(4))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for kind, user_id, grid, s_start, s_end, first_day, last_day, service_id in cursor.fetchall():
            if kind == "g":
                cells[user_id] = grid
            elif kind == "o":
                time_off[user_id].append((first_day, last_day))
            elif kind == "s":
                busy[user_id].append((s_start, s_end))
            elif kind == "d":
                overrides[user_id].append((first_day, grid))
            else:
                offered[user_id].append(service_id)
    answer = {}
    for mentor in mentors:
        if mentor.role != Role.MENTOR or not mentor.is_active:
            why = gettext("%(mentor)s is not an active mentor.") % {"mentor": mentor.get_full_name()}
            answer[mentor.pk] = {s.pk: why for s in sessions}
            continue
        answer[mentor.pk] = _judge(sessions, mentor=mentor, cells=cells[mentor.pk], time_off=time_off[mentor.pk],
                                   busy=busy[mentor.pk], offered=set(offered[mentor.pk]), start=start, end=end,
                                   now=now, overrides=overrides[mentor.pk])
    return answer


def _window(sessions: list[Session]) -> tuple[datetime, datetime]:
    return min(s.starts_at for s in sessions) - timedelta(days=1), max(s.ends_at for s in sessions) + timedelta(days=1)


def _judge(sessions, *, mentor: User, cells: str, time_off, busy, offered: set[int], start: datetime, end: datetime,
           now: datetime, overrides=()) -> dict[int, str]:
    """The booking rules, applied to existing sessions against one mentor's calendar (no queries)."""
    from django.conf import settings

    from mentorship.selectors import days_to_utc, with_date_overrides
    from mentorship.weekgrid import expand_to_utc
    from mentorship.weekgrid import merge_intervals as merge

    from ..slots import within

    name = mentor.get_full_name()
    hours = with_date_overrides(expand_to_utc(cells, mentor.tzinfo, start, end) if "1" in cells else [],
                                list(overrides), mentor.tzinfo, start, end)
    away = days_to_utc(time_off, mentor.tzinfo, start, end)
    buffer = timedelta(minutes=settings.BOOKING_BUFFER_MINUTES)
    notice_from = now + timedelta(minutes=settings.BOOKING_MIN_NOTICE_MINUTES)
    # The sessions being moved are the old mentor's, so none of them is in this calendar.
    busy = merge([(s - buffer, e + buffer) for s, e in busy])

    def overlaps(intervals, a, b):
        return any(s < b and a < e for s, e in intervals)

    conflicts: dict[int, str] = {}
    for session in sessions:
        a, b = session.starts_at, session.ends_at
        if session.status != S.SCHEDULED:
            conflicts[session.pk] = gettext("This session is no longer scheduled.")
        elif session.has_started(now):
            conflicts[session.pk] = gettext("This session has already started.")
        elif a < notice_from:
            # The same notice a booking needs: nobody inherits a session about to begin.
            conflicts[session.pk] = gettext("It starts too soon to hand over (less than %(minutes)d minutes' notice); "
                                            "keep or cancel it.") % {"minutes": settings.BOOKING_MIN_NOTICE_MINUTES}
        elif session.service_id not in offered:
            conflicts[session.pk] = gettext("%(mentor)s doesn't offer “%(service)s”.") % {
                "mentor": name, "service": session.service.name}
        elif overlaps(away, a, b):
            conflicts[session.pk] = gettext("%(mentor)s is on time off then.") % {"mentor": name}
        elif overlaps(busy, a, b):
            conflicts[session.pk] = gettext("%(mentor)s has another session then.") % {"mentor": name}
        elif not within(hours, a, b):
            conflicts[session.pk] = gettext("That time is outside %(mentor)s's weekly hours.") % {"mentor": name}
    return conflicts


def session_move_to_mentor(*, session: Session, new_mentor: User, actor: User, now: datetime) -> Session:
    """Hand a scheduled session over to another mentor at the same time.

    The credit stays (it is the same session, so its consume stands). Locks
    both mentors' calendars and the student's, then the credit account, then
    the session; re-checks that the new mentor is free under the lock; the
    exclusion constraint catches anything that still slips by.
    """
    require_manager(actor)
    with transaction.atomic():
        student_id, old_mentor_id = Session.objects.values_list("student_id", "mentor_id").get(pk=session.pk)
        lock_calendars(mentors=[old_mentor_id, new_mentor.pk], students=[student_id])
        account_for_update(student=User(pk=student_id))
        new_mentor = User.objects.get(pk=new_mentor.pk)
        session = Session.objects.select_for_update().select_related("student", "mentor", "service").get(pk=session.pk)
        if session.mentor_id != old_mentor_id:
            raise IllegalTransition(gettext("This session changed mentor meanwhile; reload the page and decide again."))
        if session.mentor_id == new_mentor.pk:
            raise IllegalTransition(gettext("This session is already with %(mentor)s.")
                                    % {"mentor": new_mentor.get_full_name()})
        if session.status != S.SCHEDULED:
            raise IllegalTransition(ALREADY.get(session.status, gettext("This session can't move.")))
        conflict = move_conflicts(sessions=[session], new_mentor=new_mentor, now=now).get(session.pk)
        if conflict:
            raise SlotUnavailable(gettext("Can't move the session of %(when)s to %(mentor)s: %(why)s") % {
                "when": _local(session.starts_at), "mentor": new_mentor.get_full_name(), "why": conflict})
        previous_mentor = session.mentor
        profile = MentorProfile.objects.filter(user=new_mentor).first()
        session.mentor = new_mentor
        session.video_url = profile.video_url if profile else ""
        session.calendar_sequence += 1
        # The reminders go again, from the new mentor with their video room.
        session.last_chance_sent_at = session.starting_soon_sent_at = session.attendance_reminder_sent_at = None
        try:
            with transaction.atomic():
                session.save(update_fields=["mentor", "video_url", "calendar_sequence", "last_chance_sent_at",
                                            "starting_soon_sent_at", "attendance_reminder_sent_at"])
        except IntegrityError:
            raise SlotTaken(gettext("Can't move the session of %(when)s: %(mentor)s was just booked at that time.")
                            % {"when": _local(session.starts_at), "mentor": new_mentor.get_full_name()}) from None
        SessionEvent.objects.create(
            session=session, kind=SessionEvent.Kind.MENTOR_CHANGED, actor=actor, at=now,
            note=f"Mentor changed from {previous_mentor.get_full_name()} to {new_mentor.get_full_name()}"[:500],
        )
        notifications.session_mentor_changed(session, previous_mentor=previous_mentor, now=now)
    return session


@dataclass
class ReassignOutcome:
    assignment: object
    kept: list[Session] = field(default_factory=list)
    moved: list[Session] = field(default_factory=list)
    cancelled: list[Session] = field(default_factory=list)

    def summary(self) -> str:
        def listed(sessions):
            return ", ".join(f"#{s.pk} {s.starts_at:%d %b %Y %H:%M} UTC" for s in sessions) or "none"

        return (f"kept with the previous mentor: {listed(self.kept)}; moved to the new mentor: {listed(self.moved)}; "
                f"cancelled with the credit refunded: {listed(self.cancelled)}")


def reassign_with_sessions(
    *, student: User, mentor: User, reason: str, actor: User, now: datetime, decisions: dict[int, str],
    override_capacity: bool = False,
) -> ReassignOutcome:
    """Pair the student with `mentor` and settle their upcoming sessions with
    the previous mentor — keep, move to the new mentor, or cancel with a
    refund — all in one transaction: one refused move changes nothing at all.

    `decisions` maps session id to "keep" | "move" | "cancel"; upcoming
    sessions with the previous mentor not named are kept.
    """
    from accounts.audit import audit_record
    from mentorship.models import MentorAssignment, StudentAccount
    from mentorship.services import assignment_change

    require_manager(actor)
    if any(choice not in MOVE_CHOICES for choice in decisions.values()):
        raise IllegalTransition(gettext("Choose keep, move or cancel for each session."))
    with transaction.atomic():
        # The fixed order: the people's calendars (mentors, then the student),
        # the credit account (only when a session will change), then the sessions.
        previous = MentorAssignment.objects.current().filter(student=student).values_list("mentor_id", flat=True).first()
        lock_calendars(mentors=[mentor.pk, previous], students=[student.pk])
        if any(choice != "keep" for choice in decisions.values()):
            account_for_update(student=student)
        assignment = assignment_change(student=student, mentor=mentor, reason=reason, actor=actor, now=now,
                                       override_capacity=override_capacity)
        outcome = ReassignOutcome(assignment=assignment)
        in_flight = list(
            Session.objects.filter(student=student, mentor_id=previous).upcoming(now, started=False)
            .select_related("student", "mentor", "service").order_by("starts_at")
        ) if previous else []
        unknown = {pk for pk, choice in decisions.items() if choice != "keep"} - {s.pk for s in in_flight}
        if unknown:
            raise IllegalTransition(gettext("Some of those sessions are no longer upcoming with the previous mentor; "
                                            "reload the page and decide again."))
        for session in in_flight:
            choice = decisions.get(session.pk, "keep")
            if choice == "move":
                outcome.moved.append(session_move_to_mentor(session=session, new_mentor=mentor, actor=actor, now=now))
            elif choice == "cancel":
                outcome.cancelled.append(session_cancel(session=session, actor=actor, now=now,
                                                        reason="your mentor is changing"))
            else:
                outcome.kept.append(session)
        audit_record(
            actor=actor, obj=StudentAccount(pk=student.pk, email=student.email, full_name=student.full_name),
            message=f"Mentor changed to {mentor.get_full_name()}. Reason: {reason}. "
                    + (f"Upcoming sessions {outcome.summary()}." if in_flight
                       else "No upcoming sessions with a previous mentor."),
        )
    return outcome
