"""Group sessions: schedule (once or weekly), book a seat, leave, the waitlist,
attendance per attendee, and cancelling the whole session.

Seats are never oversold: `GroupSession.seats_taken` moves only through the
conditional UPDATEs below (`... WHERE seats_taken < seats`), so of any number
of concurrent bookers exactly as many win as there are free seats, and a CHECK
(`seats_taken <= seats`) refuses anything that ever slipped past them. The
UPDATE also raises `calendar_sequence`: the mentor's event lists the attendees,
so every change of attendees is a new version of it.

Lock order (the same as 1-1 sessions): the student's credit account, then the
seat or waitlist row, then the group session row (taken by the conditional
UPDATE). Cancelling a whole session locks its attendees' accounts (in id
order) before the session row. Filling a freed seat from the waitlist runs
after the freeing transaction has committed, one student per transaction, so
it never holds two students' accounts at once.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import dateformat
from django.utils.translation import gettext as _

from accounts.models import Role, User
from credits.errors import CreditsError
from credits.selectors import group_summary
from credits.services import (
    account_for_update,
    credits_group_consume,
    credits_group_record_forfeit,
    credits_group_refund,
)

from .. import group_notifications as notify
from ..errors import (
    BookingNotAllowed,
    IllegalTransition,
    NotYourSession,
    SchedulingError,
    TooLate,
)
from ..group_models import (
    FREE_CANCELLATION_WINDOW,
    MAX_SEATS,
    MIN_SEATS,
    GroupSeat,
    GroupSeries,
    GroupSession,
    GroupStatus,
    SeatStatus,
    WaitlistEntry,
    WaitStatus,
)
from ..pauses import paused_between
from .state import hours_text

MAX_WEEKS = 12


class SessionFull(BookingNotAllowed):
    """No free seat (any more): the page offers the waitlist."""


# --- scheduling group sessions --------------------------------------------------


@dataclass
class GroupScheduleResult:
    created: list[GroupSession] = field(default_factory=list)
    skipped: list[tuple[datetime, str]] = field(default_factory=list)


def _may_manage(actor: User, group_or_mentor_id: int) -> bool:
    return actor.pk == group_or_mentor_id or actor.role == Role.MANAGER or actor.is_superuser


def group_session_schedule(
    *, mentor: User, title: str, starts_at: datetime, duration_minutes: int, seats: int, actor: User,
    now: datetime, topic: str = "", description: str = "", video_url: str = "", skills=(), weeks: int = 1,
) -> GroupScheduleResult:
    """Schedule a group session, or the same weekday and time (in the mentor's zone) for `weeks` weeks.

    Each occurrence must fit the mentor's calendar: the database refuses one
    overlapping any live 1-1 or group session of theirs; such weeks are listed
    with the reason and the others are created.
    """
    if mentor.role != Role.MENTOR:
        raise BookingNotAllowed(_("Only mentors run group sessions."))
    if not _may_manage(actor, mentor.pk):
        raise NotYourSession(_("You can schedule group sessions for yourself only."))
    title = (title or "").strip()
    if not title:
        raise BookingNotAllowed(_("Give the group session a title."))
    if not MIN_SEATS <= seats <= MAX_SEATS:
        raise BookingNotAllowed(_("A group session has between %(min)s and %(max)s seats.")
                                % {"min": MIN_SEATS, "max": MAX_SEATS})
    if not 15 <= duration_minutes <= 240:
        raise BookingNotAllowed(_("A group session lasts between 15 and 240 minutes."))
    if not 1 <= weeks <= MAX_WEEKS:
        raise BookingNotAllowed(_("Repeat weekly for 1 to %(max)s weeks.") % {"max": MAX_WEEKS})
    if starts_at <= now:
        raise BookingNotAllowed(_("Pick a start in the future."))
    if not video_url:
        from mentorship.models import MentorProfile

        video_url = MentorProfile.objects.filter(user=mentor).values_list("video_url", flat=True).first() or ""
    result = GroupScheduleResult()
    local_first = starts_at.astimezone(mentor.tzinfo)
    with transaction.atomic():
        series = GroupSeries.objects.create(mentor=mentor, weeks=weeks, created_at=now) if weeks > 1 else None
        for week in range(weeks):
            # Wall-clock weeks in the mentor's zone: "Tuesdays 18:00" stays 18:00 for them across DST.
            start = (local_first + timedelta(weeks=week)).astimezone(starts_at.tzinfo)
            try:
                with transaction.atomic():
                    group = GroupSession.objects.create(
                        mentor=mentor, title=title, topic=topic.strip(), description=description.strip(),
                        starts_at=start, ends_at=start + timedelta(minutes=duration_minutes), seats=seats,
                        video_url=video_url, series=series, created_at=now, created_by=actor,
                    )
            except IntegrityError:
                result.skipped.append((start, _("You already have a session at that time.")))
                continue
            if skills:
                group.skills.set(skills)
            result.created.append(group)
        if series is not None and not result.created:
            series.delete()
    return result


# --- seats --------------------------------------------------------------------------


def _offers_out(group: GroupSession) -> bool:
    """A seat freed within 24 h is the waitlist's: offered to everyone waiting, first to accept wins."""
    return WaitlistEntry.objects.filter(session=group, status=WaitStatus.WAITING, offered_at__isnull=False).exists()


def group_seat_book(*, group: GroupSession, student: User, actor: User | None, now: datetime,
                    promoted: bool = False) -> GroupSeat:
    """Take one seat and spend one group credit, or change nothing.

    A student on the waitlist books through here too (accepting an offer, or
    promoted automatically with `promoted=True`): their entry is closed as promoted.
    """
    if student.role != Role.STUDENT:
        raise BookingNotAllowed(_("Only students can book a seat."))
    try:
        with transaction.atomic():
            return _book(group=group, student=student, actor=actor, now=now, promoted=promoted)
    except IntegrityError:
        # The calendar trigger: the student has another live session or seat then.
        raise BookingNotAllowed(_("You already have a session at that time.")) from None


_TAKE_SEAT_SQL = (
    f"UPDATE {GroupSession._meta.db_table} SET seats_taken = seats_taken + 1,"
    " calendar_sequence = calendar_sequence + 1"
    " WHERE id = %s AND status = %s AND seats_taken < seats RETURNING seats_taken, calendar_sequence"
)


def _book(*, group: GroupSession, student: User, actor: User | None, now: datetime, promoted: bool) -> GroupSeat:
    account = account_for_update(student=student)
    group = GroupSession.objects.select_related("mentor").get(pk=group.pk)
    existing = GroupSeat.objects.filter(session=group, student=student, status=SeatStatus.BOOKED).first()
    if existing is not None:
        if promoted:
            raise IllegalTransition(_("This student already holds a seat."))
        return existing  # a double submit: the first one booked it
    if group.status != GroupStatus.SCHEDULED:
        raise IllegalTransition(_("This group session is cancelled.") if group.status == GroupStatus.CANCELLED
                                else _("This group session has taken place."))
    if group.has_started(now):
        raise TooLate(_("This group session has already started."))
    entry = WaitlistEntry.objects.select_for_update().filter(
        session=group, student=student, status=WaitStatus.WAITING).first()
    if promoted and entry is None:
        raise IllegalTransition(_("This student is no longer waiting."))
    if entry is None and group.is_late_cancellation(now) and _offers_out(group):
        raise SessionFull(_("A seat that freed up is offered to the waitlist first — join it to be next."))
    pause = paused_between(student, group.starts_at, group.ends_at)
    if pause is not None:
        day = _("j M")  # "3 Dec"
        raise BookingNotAllowed(_("You're on a pause from %(start)s to %(end)s.") % {
            "start": dateformat.format(pause.starts_on, day), "end": dateformat.format(pause.ends_on, day)})

    # The only way a seat is taken: conditional, so concurrent bookers can't oversell.
    with connection.cursor() as cursor:
        cursor.execute(_TAKE_SEAT_SQL, [group.pk, GroupStatus.SCHEDULED.value])
        taken = cursor.fetchone()
    if taken is None:
        raise SessionFull(_("This group session is full — join the waitlist and we'll email you if a seat frees up."))
    group.seats_taken, group.calendar_sequence = taken
    seat = GroupSeat.objects.create(
        session=group, student=student, booked_at=now, via_waitlist=entry is not None,
        starts_at=group.starts_at, ends_at=group.ends_at,
    )
    try:
        # The whole booking rolls back (the seat counter too) if the credit can't be spent.
        credits_group_consume(student=student, seat_id=seat.pk, actor=actor, now=now, account=account,
                              note=f"{group.title} with {group.mentor.get_full_name()}")
    except CreditsError as exc:
        raise BookingNotAllowed(exc.message) from exc
    if entry is not None:
        entry.status, entry.closed_at, entry.seat = WaitStatus.PROMOTED, now, seat
        entry.save(update_fields=["status", "closed_at", "seat"])
    notify.seat_booked(seat, now=now, promoted=promoted)
    return seat


def group_seat_cancel(*, seat: GroupSeat, actor: User, now: datetime, reason: str = "",
                      expect_forfeit: bool | None = None) -> GroupSeat:
    """Leave a seat under the 24-hour rule (per seat): at least 24 h before the
    start the group credit comes back; later it is forfeited. A success manager
    removing a student always refunds. The freed seat then goes to the waitlist."""
    with transaction.atomic():
        account_for_update(student=User(pk=seat.student_id))
        seat = GroupSeat.objects.select_for_update().select_related("session__mentor", "student").get(pk=seat.pk)
        group = seat.session
        if seat.status != SeatStatus.BOOKED:
            raise IllegalTransition(_("This seat is no longer booked."))
        by_student = actor.pk == seat.student_id
        if not by_student and not (actor.role == Role.MANAGER or actor.is_superuser):
            raise NotYourSession(_("You can't cancel this seat."))
        if group.has_started(now):
            raise TooLate(_("This group session has already started, so the seat can't be cancelled any more."))
        notice = group.starts_at - now
        late = by_student and group.is_late_cancellation(now)
        if expect_forfeit is False and late:
            raise TooLate(_("The free-cancellation deadline passed while you were deciding. "
                            "Leaving now forfeits the seat — please confirm again."))
        if late:
            note = f"forfeited — left {hours_text(notice)} before start"
        elif by_student:
            note = f"cancelled by you {hours_text(notice)} before start"
        else:
            note = "cancelled by your success manager" + (f": {reason}" if reason else "")
        seat.status = SeatStatus.FORFEITED if late else SeatStatus.CANCELLED
        seat.status_changed_at, seat.status_changed_by, seat.status_note = now, actor, note[:500]
        seat.save(update_fields=["status", "status_changed_at", "status_changed_by", "status_note"])
        GroupSession.objects.filter(pk=group.pk, seats_taken__gt=0).update(
            seats_taken=F("seats_taken") - 1, calendar_sequence=F("calendar_sequence") + 1)
        if late:
            credits_group_record_forfeit(student=seat.student, seat_id=seat.pk, actor=actor, note=note, now=now)
        else:
            credits_group_refund(student=seat.student, seat_id=seat.pk, actor=actor, reason=note, now=now)
        group.refresh_from_db(fields=["seats_taken", "calendar_sequence"])
        notify.seat_left(seat, refunded=not late, now=now)
    waitlist_fill(group=group, now=now, freed_seat_id=seat.pk)
    return seat


# --- the waitlist -------------------------------------------------------------------


def waitlist_join(*, group: GroupSession, student: User, now: datetime) -> WaitlistEntry:
    """Join the waitlist of a full session; spends nothing. A repeat finds the same entry."""
    if student.role != Role.STUDENT:
        raise BookingNotAllowed(_("Only students can join a waitlist."))
    with transaction.atomic():
        account_for_update(student=student)
        group = GroupSession.objects.get(pk=group.pk)
        if group.status != GroupStatus.SCHEDULED or group.has_started(now):
            raise IllegalTransition(_("This group session is no longer open."))
        waiting = WaitlistEntry.objects.filter(session=group, student=student, status=WaitStatus.WAITING).first()
        if waiting is not None:
            return waiting
        if GroupSeat.objects.filter(session=group, student=student, status=SeatStatus.BOOKED).exists():
            raise IllegalTransition(_("You already have a seat in this session."))
        if not group.is_full and not _offers_out(group):
            raise IllegalTransition(_("There are seats left — book one instead."))
        return WaitlistEntry.objects.create(session=group, student=student, joined_at=now)


def waitlist_leave(*, entry: WaitlistEntry, student: User, now: datetime) -> WaitlistEntry:
    with transaction.atomic():
        account_for_update(student=student)
        entry = WaitlistEntry.objects.select_for_update().get(pk=entry.pk)
        if entry.student_id != student.pk:
            raise NotYourSession(_("That isn't your place on the waitlist."))
        if entry.status != WaitStatus.WAITING:
            raise IllegalTransition(_("You're no longer on this waitlist."))
        entry.status, entry.closed_at = WaitStatus.LEFT, now
        entry.save(update_fields=["status", "closed_at"])
    return entry


def waitlist_position(entry: WaitlistEntry) -> int:
    return WaitlistEntry.objects.filter(session_id=entry.session_id, status=WaitStatus.WAITING).filter(
        joined_at__lt=entry.joined_at).count() + 1 if entry.status == WaitStatus.WAITING else 0


@dataclass
class FillResult:
    promoted: list[GroupSeat] = field(default_factory=list)
    offered: list[WaitlistEntry] = field(default_factory=list)


def waitlist_fill(*, group: GroupSession, now: datetime, freed_seat_id: int | None = None) -> FillResult:
    """Give free seats to the waitlist, in order of joining.

    More than 24 h before the start: the first waiting student who still has
    a group allowance gets the seat outright (and an email; they may still
    cancel free until the deadline). Within 24 h: every waiting student with an
    allowance is offered it and the first to accept wins (`group_seat_book`'s
    conditional UPDATE decides). Each promotion is its own transaction, so a
    promotion racing a direct booking or another fill can only lose the seat,
    never oversell it.
    """
    result = FillResult()
    group = GroupSession.objects.select_related("mentor").get(pk=group.pk)
    if group.status != GroupStatus.SCHEDULED or group.has_started(now) or group.is_full:
        return result
    waiting = list(WaitlistEntry.objects.filter(session=group, status=WaitStatus.WAITING)
                   .select_related("student").order_by("joined_at", "pk"))
    if group.starts_at - now > FREE_CANCELLATION_WINDOW:
        for entry in waiting:
            try:
                result.promoted.append(group_seat_book(group=group, student=entry.student, actor=None, now=now,
                                                       promoted=True))
            except SessionFull:
                break  # no seat left: the rest keep their places
            except SchedulingError:
                continue  # no allowance (or busy then, or just left): the next in line
            group.refresh_from_db(fields=["seats_taken"])
            if group.is_full:
                break
        return result
    with transaction.atomic():
        for entry in waiting:
            if not group_summary(entry.student, now=now).can_book:
                continue
            WaitlistEntry.objects.filter(pk=entry.pk, status=WaitStatus.WAITING).update(offered_at=now)
            notify.seat_offered(entry, freed_seat_id=freed_seat_id or 0, now=now)
            result.offered.append(entry)
    return result


def waitlist_accept(*, entry: WaitlistEntry, student: User, now: datetime) -> GroupSeat:
    """Accept a seat offered to the waitlist: the first to accept wins, the others stay waiting."""
    if entry.student_id != student.pk:
        raise NotYourSession(_("That isn't your place on the waitlist."))
    if entry.status != WaitStatus.WAITING:
        raise IllegalTransition(_("You're no longer on this waitlist."))
    try:
        return group_seat_book(group=entry.session, student=student, actor=student, now=now)
    except SessionFull:
        raise SessionFull(_("Someone accepted the free seat just before you. You're still on the waitlist.")) from None


# --- attendance and cancelling the whole session ------------------------------------


def group_attendance_mark(*, seat: GroupSeat, actor: User, attended: bool, now: datetime) -> GroupSeat:
    """After the start, the mentor marks each attendee: attended, or a no-show (the seat is forfeited)."""
    with transaction.atomic():
        account_for_update(student=User(pk=seat.student_id))
        seat = GroupSeat.objects.select_for_update().select_related("session", "student").get(pk=seat.pk)
        group = seat.session
        if actor.pk != group.mentor_id:
            raise NotYourSession(_("Only this session's mentor can mark attendance."))
        if not group.has_started(now):
            raise IllegalTransition(_("You can mark attendance once the session has started."))
        if seat.status != SeatStatus.BOOKED:
            raise IllegalTransition(_("Attendance for this seat is already marked."))
        seat.status = SeatStatus.ATTENDED if attended else SeatStatus.NO_SHOW
        seat.status_changed_at, seat.status_changed_by = now, actor
        seat.status_note = "attended" if attended else "forfeited — did not attend"
        seat.save(update_fields=["status", "status_changed_at", "status_changed_by", "status_note"])
        if not attended:
            credits_group_record_forfeit(student=seat.student, seat_id=seat.pk, actor=actor,
                                         note=f"did not attend “{group.title}”", now=now)
        if not GroupSeat.objects.filter(session=group, status=SeatStatus.BOOKED).exists():
            GroupSession.objects.filter(pk=group.pk, status=GroupStatus.SCHEDULED).update(
                status=GroupStatus.COMPLETED)
    return seat


def group_session_update(*, group: GroupSession, actor: User, now: datetime, title: str, topic: str = "",
                         description: str = "", video_url: str = "") -> GroupSession:
    """Change what a session is about or where it meets (not its time or seats): a new
    SEQUENCE, and every attendee gets the updated invite."""
    if not _may_manage(actor, group.mentor_id):
        raise NotYourSession(_("You can't change this group session."))
    title = (title or "").strip()
    if not title:
        raise BookingNotAllowed(_("Give the group session a title."))
    with transaction.atomic():
        group = GroupSession.objects.select_for_update(of=("self",)).select_related("mentor").get(pk=group.pk)
        if group.status != GroupStatus.SCHEDULED or group.has_started(now):
            raise IllegalTransition(_("Only a group session that hasn't started can be changed."))
        changed = (group.title, group.topic, group.description, group.video_url) != (
            title, topic.strip(), description.strip(), video_url)
        if not changed:
            return group
        group.title, group.topic, group.description, group.video_url = title, topic.strip(), description.strip(), \
            video_url
        group.calendar_sequence += 1
        group.save(update_fields=["title", "topic", "description", "video_url", "calendar_sequence"])
        seats = GroupSeat.objects.filter(session=group, status=SeatStatus.BOOKED).select_related("student")
        for seat in seats:
            seat.session = group
            notify.session_updated(seat, now=now)
    return group


def group_session_cancel(*, group: GroupSession, actor: User, now: datetime, reason: str = "") -> GroupSession:
    """The mentor (or a success manager, with a reason) cancels: every seat is
    refunded, the waitlist closed, and everyone told (CANCEL invites)."""
    is_manager = actor.role == Role.MANAGER or actor.is_superuser
    if actor.pk != group.mentor_id and not is_manager:
        raise NotYourSession(_("You can't cancel this group session."))
    reason = (reason or "").strip()
    if is_manager and actor.pk != group.mentor_id and not reason:
        raise IllegalTransition(_("Give a reason; everyone with a seat reads it."))
    with transaction.atomic():
        students = sorted(set(GroupSeat.objects.filter(session=group, status=SeatStatus.BOOKED)
                              .values_list("student_id", flat=True)))
        for student_id in students:  # accounts first, in id order, then the session row
            account_for_update(student=User(pk=student_id))
        group = GroupSession.objects.select_for_update(of=("self",)).select_related("mentor").get(pk=group.pk)
        if group.status != GroupStatus.SCHEDULED:
            raise IllegalTransition(_("This group session is already cancelled.")
                                    if group.status == GroupStatus.CANCELLED
                                    else _("This group session is already completed."))
        if group.has_started(now):
            raise TooLate(_("This group session has already started."))
        note = f"group session cancelled by {'your success manager' if is_manager and actor.pk != group.mentor_id else 'the mentor'}"
        if reason:
            note += f": {reason}"
        group.status, group.cancelled_at, group.cancelled_by = GroupStatus.CANCELLED, now, actor
        group.cancel_reason = reason[:500]
        group.calendar_sequence += 1
        group.save(update_fields=["status", "cancelled_at", "cancelled_by", "cancel_reason", "calendar_sequence"])
        seats = list(GroupSeat.objects.select_for_update(of=("self",)).filter(session=group, status=SeatStatus.BOOKED)
                     .select_related("student"))
        for seat in seats:
            seat.status, seat.status_changed_at, seat.status_changed_by = SeatStatus.CANCELLED, now, actor
            seat.status_note = note[:500]
            seat.save(update_fields=["status", "status_changed_at", "status_changed_by", "status_note"])
            credits_group_refund(student=seat.student, seat_id=seat.pk, actor=actor, reason=note, now=now)
        GroupSession.objects.filter(pk=group.pk).update(seats_taken=0)
        group.seats_taken = 0
        waiting = list(WaitlistEntry.objects.filter(session=group, status=WaitStatus.WAITING).select_related("student"))
        WaitlistEntry.objects.filter(pk__in=[e.pk for e in waiting]).update(status=WaitStatus.CLOSED, closed_at=now)
        notify.session_cancelled(group, attendees=[s.student for s in seats], waiting=[e.student for e in waiting],
                                 now=now)
    return group


def waitlist_sweep(*, now: datetime) -> int:
    """Fill whatever free seats still have students waiting (a worker that died between
    a cancellation and its fill, credits granted since). Returns how many seats it gave."""
    due = (GroupSession.objects.filter(status=GroupStatus.SCHEDULED, starts_at__gt=now, seats_taken__lt=F("seats"),
                                       waitlist__status=WaitStatus.WAITING)
           .distinct().order_by("starts_at").values_list("pk", flat=True)[:500])
    return sum(len(waitlist_fill(group=GroupSession(pk=pk), now=now).promoted) for pk in due)
