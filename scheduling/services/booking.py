"""Booking: one session, or a standing weekly series."""

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import dateformat
from django.utils.translation import gettext as _

from accounts.locks import lock_calendars
from accounts.models import Role, User
from config.prepared import PreparedShapes
from credits.errors import CreditsError
from credits.models import CreditAccount
from credits.selectors import allowance_for, current_enrolment
from credits.services import credits_spend_locked
from mentorship.models import MentorProfile

from .. import notifications
from ..allowance import require_can_book
from ..errors import BookingNotAllowed, SlotTaken, SlotUnavailable
from ..models import LIVE_STATUSES, ServiceType, Session, SessionEvent, SessionSeries, overlapping_q, upcoming_q
from ..pauses import approved_pauses, paused_between
from ..selectors import booking_window, free_slot_starts, nearest_starts
from .state import S

# --- booking ------------------------------------------------------------------


def check_parties(*, student: User, mentor: User, service: ServiceType, offer_checked: bool = False) -> None:
    """`offer_checked`: the caller read the mentor and service as an offer (the booking views' one query), so
    whether the mentor offers the service is not asked again."""
    if student.role != Role.STUDENT:
        raise BookingNotAllowed(_("Only students can book sessions."))
    if mentor.role != Role.MENTOR or not mentor.is_active:
        raise BookingNotAllowed(_("This person isn't taking bookings."))
    if not service.is_active or (not offer_checked and not service.mentors.filter(pk=mentor.pk).exists()):
        raise BookingNotAllowed(_("%(mentor)s doesn't offer “%(service)s”.") % {
            "mentor": mentor.get_full_name(), "service": service.name})


def why_unavailable(*, student: User, mentor: User, starts_at: datetime, ends_at: datetime, now: datetime,
                     exclude_session_id: int | None = None, clash: str | None = None) -> SlotUnavailable:
    """`clash`: "student" or "mentor" when the caller already found whose live session overlaps (a booking
    that lost a race finds it under its locks), so it is not looked up again."""
    earliest, horizon = booking_window(now)
    starts = free_slot_starts(mentor=mentor, duration=ends_at - starts_at, now=now, student=student,
                              exclude_session_id=exclude_session_id)
    nearest = nearest_starts(starts, starts_at)
    overlapping = Session.objects.overlapping(starts_at, ends_at).exclude(pk=exclude_session_id)
    if clash == "student" or (clash is None and overlapping.filter(student=student).exists()):
        return SlotUnavailable(_("You already have a session at that time."), nearest)
    if clash == "mentor" or (clash is None and overlapping.filter(mentor=mentor).exists()):
        return SlotTaken(_("That time was just taken."), nearest)
    if starts_at < earliest:
        return SlotUnavailable(_("That time is too soon to book — sessions need a little notice."), nearest)
    if ends_at > horizon:
        return SlotUnavailable(_("That time is too far ahead to book yet."), nearest)
    return SlotUnavailable(_("That time isn't available with this mentor."), nearest)


def booking_create(
    *, student: User, mentor: User, service: ServiceType, starts_at: datetime, actor: User, now: datetime,
    booking_key: uuid.UUID | None = None, series: SessionSeries | None = None, mentor_agreed: bool = False,
    offer_checked: bool = False, video_url: str | None = None,
) -> Session:
    """Book one session and spend its credit, or change nothing.

    `mentor_agreed` (flash sessions): the mentor chose this time, so it may lie
    outside their weekly grid or time off; it must still be free of live
    sessions for both people, within notice and horizon, and paid for.

    The locked part is short on purpose (a dozen statements at most, no
    template rendered): everything that does not depend on the locks is read
    before them, each thing under them is read once, and the emails are
    rendered by the mail worker that delivers them (accounts/emails.py).
    """
    check_parties(student=student, mentor=mentor, service=service, offer_checked=offer_checked)
    ends_at = starts_at + service.duration
    earliest, horizon = booking_window(now)
    if video_url is None:  # else the caller read the mentor's room with the offer
        video_url = MentorProfile.objects.filter(user=mentor).values_list("video_url", flat=True).first() or ""
    try:
        with transaction.atomic():
            lock_calendars(mentors=[mentor.pk], students=[student.pk])
            account = _locked_account(student=student, mentor=mentor, now=now, starts_at=starts_at, ends_at=ends_at,
                                      booking_key=booking_key)
            if account.existing is not None:
                existing = Session.objects.select_related("student", "mentor", "service").get(pk=account.existing)
                same = existing.starts_at == starts_at and existing.mentor_id == mentor.pk
                if same and existing.status in LIVE_STATUSES:
                    return existing  # a double submit: the first one already booked it
                # The page was used for a booking that has since changed (e.g.
                # cancelled) or for another time: never answer "Booked!" for it.
                raise BookingNotAllowed(
                    _("This booking page was already used, for a booking that is now %(status)s. "
                      "Go back to the times and pick one again.") % {"status": existing.get_status_display().lower()}
                    if same else _("This booking page was already used for another time. "
                                   "Go back to the times and pick one again.")
                )
            if account.clash:
                # A lost race ends here, before the credits and pauses are read: the time is gone whatever they say.
                raise _Unavailable("student" if account.my_clash else "mentor")
            enrolment = current_enrolment(student)
            # Credits, plan, pause and the cap, in the words the pages showed — from
            # what was read under the locks (the locked balance, the upcoming count).
            require_can_book(
                student, now=now, enrolment=enrolment,
                allowance=allowance_for(student, enrolment=enrolment, now=now, balance=account.balance),
                upcoming=account.upcoming,
            )

            pauses = approved_pauses(student, min(starts_at, earliest) - timedelta(days=1), max(ends_at, horizon))
            pause = paused_between(student, starts_at, ends_at, pauses)
            if pause is not None:
                raise BookingNotAllowed(
                    _("You're on a pause from %(first)s to %(last)s; book a time after it ends.") % {
                        "first": dateformat.format(pause.starts_on, _("j M")),
                        "last": dateformat.format(pause.ends_on, _("j M"))}
                )
            if mentor_agreed:
                free = earliest <= starts_at and ends_at <= horizon
            else:
                free = starts_at in free_slot_starts(mentor=mentor, duration=service.duration, now=now,
                                                     student=student, pauses=pauses)
            if not free:
                raise _Unavailable()

            # No savepoint: if the exclusion constraint catches a race the checks
            # missed, the whole transaction rolls back and the message is worked out after.
            session = Session.objects.create(
                student=student, mentor=mentor, service=service, series=series,
                starts_at=starts_at, ends_at=ends_at, status=S.SCHEDULED,
                video_url=video_url, booking_key=booking_key, created_at=now, created_by=actor,
            )
            try:
                credits_spend_locked(account=account, enrolment=enrolment, student=student, session_id=session.pk,
                                     actor=actor, now=now, note=f"{service.name} with {mentor.get_full_name()}")
            except CreditsError as exc:
                raise BookingNotAllowed(exc.message) from exc
            SessionEvent.objects.create(session=session, kind=SessionEvent.Kind.BOOKED, actor=actor, at=now)
            notifications.session_booked(session, now=now)
    except (_Unavailable, IntegrityError) as exc:
        # Outside the rolled-back transaction (or its savepoint), without the locks.
        clash = exc.args[0] if isinstance(exc, _Unavailable) and exc.args else None
        raise why_unavailable(student=student, mentor=mentor, starts_at=starts_at, ends_at=ends_at, now=now,
                              clash=clash) from None
    return session


def _locked_account(*, student: User, mentor: User, now: datetime, starts_at: datetime, ends_at: datetime,
                    booking_key: uuid.UUID | None) -> CreditAccount:
    """The student's credit account, locked until the transaction ends (created if missing, as
    `account_for_update` does), carrying what the booking decides on, read in the same statement: this page's
    earlier booking (`existing`), the student's upcoming count, and whether a live session of either person
    overlaps the time (`clash`) and whether it is the student's (`my_clash`): a lost race ends on it, without
    working out the free times under the locks. Compiled once and prepared (config/prepared.py)."""
    arguments = {"student": student.pk, "mentor": mentor.pk, "now": now, "starts": starts_at, "ends": ends_at,
                 "key": booking_key or uuid.UUID(int=0)}
    found = _LOCKED_ACCOUNT_READ.fetch(arguments, shape=booking_key is not None)
    if not found:
        CreditAccount.objects.get_or_create(student=student)
        found = _LOCKED_ACCOUNT_READ.fetch(arguments, shape=booking_key is not None)
    return found[0]


def _locked_account_query(student: int, mentor: int, now: datetime, starts: datetime, ends: datetime,
                          key: uuid.UUID, *, shape: bool):
    """`shape`: whether the booking has a key (a page's one-time key; flash and series bookings have none)."""
    theirs = Session.objects.filter(student=OuterRef("student"))
    existing = (Subquery(theirs.filter(booking_key=key).order_by("-pk").values("pk")[:1]) if shape
                else Value(None, output_field=IntegerField()))
    upcoming = (theirs.filter(upcoming_q(now, started=False)).order_by().values("student")
                .annotate(n=Count("pk")).values("n")[:1])
    overlapping = Session.objects.filter(overlapping_q(starts, ends))
    return (CreditAccount.objects.select_for_update().filter(student=student)
            .annotate(existing=existing, upcoming=Coalesce(Subquery(upcoming), 0),
                      clash=Exists(overlapping.filter(Q(student=OuterRef("student")) | Q(mentor=mentor))),
                      my_clash=Exists(overlapping.filter(student=OuterRef("student"))))
            .order_by()[:1])


_LOCKED_ACCOUNT_READ = PreparedShapes(_locked_account_query, student="int", mentor="int", now="datetime",
                                      starts="datetime", ends="datetime", key="uuid")


class _Unavailable(Exception):
    """The time is not free; `why_unavailable` words it once the locks are gone. Its argument, when known:
    whose live session overlaps ("student" or "mentor")."""


@dataclass
class SeriesResult:
    series: SessionSeries | None
    booked: list[Session] = field(default_factory=list)
    skipped: list[tuple[datetime, str]] = field(default_factory=list)


def booking_series_create(
    *, student: User, mentor: User, service: ServiceType, first_starts_at: datetime, weeks: int,
    actor: User, now: datetime,
) -> SeriesResult:
    """A standing weekly session: the same weekday and time (in the student's
    zone) for `weeks` weeks. Each occurrence is booked on its own with its own
    credit; those that can't be booked are listed with the reason."""
    check_parties(student=student, mentor=mentor, service=service)
    _, horizon = booking_window(now)
    local_first = first_starts_at.astimezone(student.tzinfo)
    series = SessionSeries.objects.create(
        student=student, mentor=mentor, service=service, first_starts_at=first_starts_at, weeks=weeks, created_at=now
    )
    result = SeriesResult(series=series)
    for week in range(weeks):
        # Wall-clock arithmetic in the student's zone keeps "Tuesdays at 18:00"
        # at 18:00 for them across a daylight-saving change.
        starts_at = (local_first + timedelta(weeks=week)).astimezone(first_starts_at.tzinfo)
        if starts_at + service.duration > horizon:
            result.skipped.append((starts_at, _("Beyond the booking horizon.")))
            continue
        try:
            result.booked.append(booking_create(
                student=student, mentor=mentor, service=service, starts_at=starts_at, actor=actor, now=now,
                series=series, offer_checked=True,  # checked once above
            ))
        except (SlotUnavailable, BookingNotAllowed) as exc:
            result.skipped.append((starts_at, exc.message))
    if not result.booked:
        series.delete()
        result.series = None
    return result


