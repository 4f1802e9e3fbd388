"""The session state machine and the 24-hour rule."""

from datetime import timedelta

import pytest

from accounts.tests.factories import ManagerFactory, MentorFactory, StudentFactory
from credits.models import LedgerEntry
from scheduling import services
from scheduling.errors import IllegalTransition, NotYourSession, SchedulingError, TooLate
from scheduling.models import Session, SessionStatus
from scheduling.tests.helpers import at, balance, bookable_mentor, give_credits

pytestmark = pytest.mark.django_db
BOOKED_AT = at("2027-01-10 12:00")
START = at("2027-01-14 15:00")
SECOND = timedelta(seconds=1)
DAY = timedelta(hours=24)


@pytest.fixture
def mentor():
    return MentorFactory(timezone="America/New_York")


@pytest.fixture
def student():
    s = StudentFactory(timezone="Asia/Kolkata")
    give_credits(s, 4, now=BOOKED_AT)
    return s


@pytest.fixture
def session(student, mentor):
    service = bookable_mentor(mentor, hours=range(0, 24))
    return services.booking_create(student=student, mentor=mentor, service=service, starts_at=START, actor=student,
                                   now=BOOKED_AT)


def kinds(session):
    return sorted(LedgerEntry.objects.filter(session_id=session.pk).values_list("kind", flat=True))


def test_cancelling_exactly_24_hours_before_returns_the_credit(session, student):
    services.session_cancel(session=session, actor=student, now=START - DAY)
    session.refresh_from_db()
    assert session.status == SessionStatus.CANCELLED
    assert balance(student) == 4
    assert kinds(session) == ["consume", "refund"]


def test_cancelling_one_second_inside_24_hours_forfeits_the_session(session, student):
    services.session_cancel(session=session, actor=student, now=START - DAY + SECOND)
    session.refresh_from_db()
    assert session.status == SessionStatus.FORFEITED
    assert balance(student) == 3
    forfeit = LedgerEntry.objects.get(session_id=session.pk, kind="forfeit")
    assert forfeit.amount == 0 and forfeit.reason == "late_cancellation"
    assert forfeit.description == "Forfeited — cancelled 23 h 59 min before start"


def test_the_24_hours_are_real_elapsed_time_across_a_dst_change(student, mentor):
    # Sun 14 Mar 2027 12:00 in New York (EDT) is 16:00 UTC. 24 real hours before is
    # Sat 11:00 EST — not 12:00, which a wall-clock "one day before" would give.
    service = bookable_mentor(mentor, hours=range(0, 24))
    start = at("2027-03-14 16:00")
    booked = services.booking_create(student=student, mentor=mentor, service=service, starts_at=start, actor=student,
                                     now=at("2027-03-10 12:00"))
    assert booked.cancellation_deadline.astimezone(mentor.tzinfo).strftime("%a %H:%M %Z") == "Sat 11:00 EST"
    services.session_cancel(session=booked, actor=student, now=at("2027-03-13 16:30"))  # Sat 11:30 EST
    booked.refresh_from_db()
    assert booked.status == SessionStatus.FORFEITED


def test_a_page_that_promised_a_refund_does_not_forfeit_after_the_deadline_passes(session, student):
    with pytest.raises(TooLate):
        services.session_cancel(session=session, actor=student, now=START - DAY + SECOND, expect_forfeit=False)
    session.refresh_from_db()
    assert session.status == SessionStatus.SCHEDULED and balance(student) == 3


def test_a_mentor_cancelling_at_any_time_returns_the_credit(session, student, mentor):
    services.session_cancel(session=session, actor=mentor, now=START - timedelta(minutes=5), reason="Unwell")
    session.refresh_from_db()
    assert session.status == SessionStatus.CANCELLED
    assert session.status_note == "cancelled by your mentor: Unwell"
    assert balance(student) == 4


def test_a_stranger_cannot_cancel(session):
    with pytest.raises(NotYourSession):
        services.session_cancel(session=session, actor=StudentFactory(), now=BOOKED_AT)
    session.refresh_from_db()
    assert session.status == SessionStatus.SCHEDULED


def test_rescheduling_in_time_moves_the_session_and_carries_the_credit(session, student):
    new_start = START + timedelta(days=1)
    services.session_reschedule(session=session, new_starts_at=new_start, actor=student, now=START - DAY)
    session.refresh_from_db()
    assert (session.starts_at, session.ends_at) == (new_start, new_start + timedelta(hours=1))
    assert session.calendar_sequence == 1
    assert balance(student) == 3 and kinds(session) == ["consume"]
    assert session.events.last().previous_starts_at == START


def test_rescheduling_inside_24_hours_is_refused_and_says_to_ask_the_mentor(session, student):
    with pytest.raises(TooLate) as err:
        services.session_reschedule(session=session, new_starts_at=START + DAY, actor=student,
                                    now=START - DAY + SECOND)
    assert "Ask your mentor for another time" in err.value.message
    session.refresh_from_db()
    assert session.starts_at == START


def test_rescheduling_onto_a_taken_time_changes_nothing(session, student, mentor):
    other = StudentFactory()
    give_credits(other, 1, now=BOOKED_AT)
    taken = START + DAY
    services.booking_create(student=other, mentor=mentor, service=session.service, starts_at=taken, actor=other,
                            now=BOOKED_AT)
    with pytest.raises(SchedulingError):
        services.session_reschedule(session=session, new_starts_at=taken, actor=student, now=BOOKED_AT)
    session.refresh_from_db()
    assert session.starts_at == START and session.calendar_sequence == 0


def test_attendance_can_be_marked_only_after_the_start_and_only_by_the_mentor(session, mentor, student):
    with pytest.raises(IllegalTransition):
        services.attendance_mark(session=session, actor=mentor, attended=True, now=START - SECOND)
    with pytest.raises(NotYourSession):
        services.attendance_mark(session=session, actor=student, attended=True, now=START)
    services.attendance_mark(session=session, actor=mentor, attended=True, now=START)
    session.refresh_from_db()
    assert session.status == SessionStatus.COMPLETED and balance(student) == 3


def test_a_student_no_show_forfeits(session, mentor, student):
    services.attendance_mark(session=session, actor=mentor, attended=False, now=START + timedelta(minutes=15))
    session.refresh_from_db()
    assert session.status == SessionStatus.FORFEITED
    assert kinds(session) == ["consume", "forfeit"] and balance(student) == 3


def test_a_mentor_no_show_recorded_by_a_manager_refunds(session, student):
    manager = ManagerFactory()
    services.mentor_no_show_record(session=session, actor=manager, reason="Mentor confirmed", now=START + DAY)
    session.refresh_from_db()
    assert session.status == SessionStatus.MENTOR_NO_SHOW and balance(student) == 4


def test_waiving_a_forfeit_needs_a_reason_refunds_once_and_keeps_the_record(session, mentor, student):
    manager = ManagerFactory()
    services.attendance_mark(session=session, actor=mentor, attended=False, now=START + timedelta(minutes=10))
    with pytest.raises(IllegalTransition):
        services.forfeit_waive(session=session, actor=manager, reason="  ", now=START + DAY)
    services.forfeit_waive(session=session, actor=manager, reason="Power cut", now=START + DAY)
    with pytest.raises(IllegalTransition):
        services.forfeit_waive(session=session, actor=manager, reason="again", now=START + DAY)
    session.refresh_from_db()
    assert session.status == SessionStatus.FORFEITED and session.forfeit_waived_at is not None
    assert balance(student) == 4 and kinds(session) == ["consume", "forfeit", "refund"]


def test_only_managers_record_no_shows_or_waive(session, mentor, student):
    for actor in (mentor, student):
        with pytest.raises(NotYourSession):
            services.mentor_no_show_record(session=session, actor=actor, reason="x", now=START + DAY)


ACTIONS = {
    "cancel_by_student": lambda s, st, m, mg, now: services.session_cancel(session=s, actor=st, now=now),
    "cancel_by_mentor": lambda s, st, m, mg, now: services.session_cancel(session=s, actor=m, now=now),
    "mark_completed": lambda s, st, m, mg, now: services.attendance_mark(session=s, actor=m, attended=True, now=now),
    "mark_no_show": lambda s, st, m, mg, now: services.attendance_mark(session=s, actor=m, attended=False, now=now),
    "mentor_no_show": lambda s, st, m, mg, now: services.mentor_no_show_record(session=s, actor=mg, reason="r", now=now),
}
# From each status, which actions are legal (after the start, where it matters).
LEGAL = {
    SessionStatus.SCHEDULED: {"cancel_by_mentor", "mark_completed", "mark_no_show", "mentor_no_show"},
    SessionStatus.COMPLETED: {"mentor_no_show"},
    SessionStatus.FORFEITED: {"mentor_no_show"},
    SessionStatus.CANCELLED: set(),
    SessionStatus.MENTOR_NO_SHOW: set(),
}


@pytest.mark.parametrize("status", list(LEGAL))
@pytest.mark.parametrize("action", list(ACTIONS))
def test_every_transition_is_allowed_or_refused(session, student, mentor, status, action):
    manager = ManagerFactory()
    Session.objects.filter(pk=session.pk).update(status=status)
    session.refresh_from_db()
    now = START + timedelta(minutes=10)  # after the start: students can no longer cancel at all
    if action in LEGAL[status]:
        ACTIONS[action](session, student, mentor, manager, now)
    else:
        with pytest.raises(SchedulingError):
            ACTIONS[action](session, student, mentor, manager, now)
        session.refresh_from_db()
        assert session.status == status


def test_feedback_only_after_completion_once_and_by_the_student(session, mentor, student):
    with pytest.raises(IllegalTransition):
        services.feedback_leave(session=session, actor=student, rating=5, comment="", now=START)
    services.attendance_mark(session=session, actor=mentor, attended=True, now=START)
    session.refresh_from_db()
    with pytest.raises(NotYourSession):
        services.feedback_leave(session=session, actor=mentor, rating=5, comment="", now=START)
    services.feedback_leave(session=session, actor=student, rating=4, comment=" Great ", now=START)
    with pytest.raises(IllegalTransition):
        services.feedback_leave(session=session, actor=student, rating=1, comment="", now=START)
    feedback = Session.objects.get(pk=session.pk).feedback
    assert feedback.rating == 4 and feedback.comment == "Great"
