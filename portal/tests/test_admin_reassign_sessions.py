"""Reassigning a mentor with sessions in flight: keep, move or cancel each, through the admin."""

import html
from collections import Counter
from datetime import date, timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import OutboundEmail
from accounts.tests.factories import MentorFactory, StudentFactory
from config.prepared import as_written
from credits.models import LedgerEntry
from mentorship.models import MentorAssignment, StudentAccount
from scheduling import services
from scheduling.errors import IllegalTransition, NotYourSession, SlotUnavailable
from scheduling.models import Session, SessionEvent, SessionStatus
from scheduling.tests.helpers import at, balance, bookable_mentor, give_credits, time_off

pytestmark = pytest.mark.django_db
NOW = at("2027-01-10 12:00")  # a Sunday; London is on UTC in January


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def new_mentor(db):
    return MentorFactory(full_name="Nia New", timezone="Europe/London")


@pytest.fixture
def setup(student, mentor, new_mentor, manager):
    """Sam is paired with Ada and has three sessions booked with her; Nia works 9–17 London time."""
    service = bookable_mentor(mentor, hours=range(0, 24))
    bookable_mentor(new_mentor, service=service, hours=range(9, 17), video="https://meet.example.com/nia")
    MentorAssignment.objects.create(student=student, mentor=mentor, started_at=NOW - timedelta(days=30), reason="start")
    give_credits(student, 5, now=NOW)
    sessions = [
        services.booking_create(student=student, mentor=mentor, service=service, starts_at=at(t), actor=student,
                                now=NOW)
        for t in ("2027-01-12 10:00", "2027-01-13 10:00", "2027-01-14 10:00")
    ]
    OutboundEmail.objects.all().delete()  # only what the reassignment sends counts below
    return service, sessions


def url_for(student):
    return reverse("admin:mentorship_reassign", args=[student.pk])


def text(response) -> str:
    return html.unescape(response.content.decode())


def post(client, student, new_mentor, decisions, reason="Better shared hours", **extra):
    data = {"mentor": new_mentor.pk, "reason": reason, **extra}
    data.update({f"session_{s.pk}": choice for s, choice in decisions})
    return client.post(url_for(student), data)


def busy(new_mentor, service, starts_at):
    """Someone else books the new mentor at that time."""
    other = StudentFactory()
    give_credits(other, 2, now=NOW)
    return services.booking_create(student=other, mentor=new_mentor, service=service, starts_at=starts_at, actor=other,
                                   now=NOW)


def test_the_page_lists_upcoming_sessions_with_the_old_mentor(client, manager, student, setup):
    _, sessions = setup
    client.force_login(manager)
    response = client.get(url_for(student))
    assert response.status_code == 200
    page = text(response)
    assert "Upcoming sessions with Ada Mentor" in page
    for session in sessions:
        assert reverse("admin:scheduling_session_change", args=[session.pk]) in page
        assert f'name="session_{session.pk}" value="keep"' in page and "checked" in page


def test_keep_move_and_cancel_in_one_go(client, manager, student, mentor, new_mentor, setup):
    _, (kept, moved, cancelled) = setup
    client.force_login(manager)

    response = post(client, student, new_mentor, [(kept, "keep"), (moved, "move"), (cancelled, "cancel")])

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:mentorship_studentaccount_change", args=[student.pk])
    assert MentorAssignment.objects.current().get(student=student).mentor == new_mentor
    for s in (kept, moved, cancelled):
        s.refresh_from_db()
    assert (kept.mentor, kept.status) == (mentor, SessionStatus.SCHEDULED)
    assert (moved.mentor, moved.status, moved.calendar_sequence) == (new_mentor, SessionStatus.SCHEDULED, 1)
    assert moved.video_url == "https://meet.example.com/nia"
    assert cancelled.status == SessionStatus.CANCELLED and cancelled.status_changed_by == manager
    # The ledger: the moved session keeps its one consume; the cancelled one is refunded by the manager.
    assert LedgerEntry.objects.filter(session_id=moved.pk, kind="consume").count() == 1
    assert not LedgerEntry.objects.filter(session_id=moved.pk, kind="refund").exists()
    refund = LedgerEntry.objects.get(session_id=cancelled.pk, kind="refund")
    assert refund.actor == manager and refund.amount == 1
    assert balance(student) == 5 - 3 + 1
    event = SessionEvent.objects.filter(session=moved).latest("pk")
    assert event.actor == manager and event.note == "Mentor changed from Ada Mentor to Nia New"
    # Everyone affected is told: the pairing, the moved session (with calendar updates), the cancellation.
    sent = Counter((e.kind, e.to_email, e.ics_method) for e in OutboundEmail.objects.all())
    assert sent == Counter({
        ("mentor_assigned", student.email, ""): 1,
        ("mentor_student_joined", new_mentor.email, ""): 1,
        ("mentor_student_left", mentor.email, ""): 1,
        ("session_mentor_changed", student.email, "REQUEST"): 1,
        ("session_mentor_changed", new_mentor.email, "REQUEST"): 1,
        ("session_mentor_changed", mentor.email, "CANCEL"): 1,
        ("session_cancelled", student.email, "CANCEL"): 1,
        ("session_cancelled", mentor.email, "CANCEL"): 1,
    })
    to_student = OutboundEmail.objects.get(kind="session_mentor_changed", to_email=student.email)
    assert "now with Nia New" in to_student.subject and "credit for it stays" in to_student.body_text
    to_old = OutboundEmail.objects.get(kind="session_mentor_changed", to_email=mentor.email)
    assert "Handed over" in to_old.subject and "ORGANIZER" in to_old.ics and "SEQUENCE:1" in to_old.ics
    # The whole decision is on the student's History, with who and why.
    entry = LogEntry.objects.get(content_type=ContentType.objects.get_for_model(StudentAccount, for_concrete_model=False),
                                 object_id=str(student.pk))
    assert entry.user == manager and "Better shared hours" in entry.change_message
    assert f"moved to the new mentor: #{moved.pk}" in entry.change_message
    assert f"cancelled with the credit refunded: #{cancelled.pk}" in entry.change_message
    assert f"kept with the previous mentor: #{kept.pk}" in entry.change_message
    history = text(client.get(reverse("admin:mentorship_studentaccount_history", args=[student.pk])))
    assert "Better shared hours" in history


def test_a_busy_new_mentor_is_shown_and_the_move_is_refused_with_nothing_changed(
    client, manager, student, mentor, new_mentor, setup
):
    service, (first, clash, third) = setup
    busy(new_mentor, service, clash.starts_at)
    OutboundEmail.objects.all().delete()
    client.force_login(manager)

    # The first page already knows, for every suggested mentor, which sessions they could take.
    with CaptureQueriesContext(connection) as captured:
        first_page = client.get(url_for(student))
    page = text(first_page)
    assert first_page.status_code == 200
    assert "2 of 3" in page  # Nia can take two of Sam's three sessions
    assert "Nia New has another session then." in page  # carried for the page's script
    assert "check the new mentor" not in page.lower() and "_preview" not in page
    assert sum("UNION ALL" in as_written(q["sql"]) for q in captured.captured_queries) == 1

    # Chosen but the form incomplete: the chosen mentor's answer is shown and "move" disabled where it can't.
    page = text(client.post(url_for(student), {"mentor": new_mentor.pk, "reason": ""}))
    assert "No: Nia New has another session then." in page
    assert f'name="session_{clash.pk}" value="move" disabled' in page
    assert f'name="session_{first.pk}" value="move" disabled' not in page

    response = post(client, student, new_mentor, [(first, "move"), (clash, "move"), (third, "cancel")])

    assert response.status_code == 400
    page = text(response)
    assert "Can't move this session: Nia New has another session then." in page
    assert "Nothing was changed" in page
    assert MentorAssignment.objects.current().get(student=student).mentor == mentor
    assert set(Session.objects.filter(student=student).values_list("mentor_id", "status")) == {
        (mentor.pk, SessionStatus.SCHEDULED)}
    assert not OutboundEmail.objects.exists() and not LogEntry.objects.exists()
    assert balance(student) == 2


def test_the_service_rechecks_under_the_lock_and_rolls_everything_back(manager, student, mentor, new_mentor, setup):
    """The page said free, then someone booked the new mentor: the service refuses, and even the
    move it already made and the new pairing are undone."""
    service, (first, clash, _) = setup
    busy(new_mentor, service, clash.starts_at)
    OutboundEmail.objects.all().delete()

    with pytest.raises(SlotUnavailable, match="Nia New has another session then"):
        services.reassign_with_sessions(student=student, mentor=new_mentor, reason="r", actor=manager, now=NOW,
                                        decisions={first.pk: "move", clash.pk: "move"})

    first.refresh_from_db()
    assert first.mentor == mentor and first.calendar_sequence == 0
    assert MentorAssignment.objects.current().get(student=student).mentor == mentor
    assert not OutboundEmail.objects.exists()


def test_time_off_weekly_hours_and_services_decide_what_can_move(student, mentor, new_mentor, setup):
    service, (in_hours, on_holiday, _) = setup
    time_off(new_mentor, date(2027, 1, 13), date(2027, 1, 13))
    evening = services.booking_create(student=student, mentor=mentor, service=service, starts_at=at("2027-01-15 20:00"),
                                      actor=student, now=NOW)
    conflicts = services.move_conflicts(sessions=[in_hours, on_holiday, evening], new_mentor=new_mentor, now=NOW)
    assert conflicts == {
        on_holiday.pk: "Nia New is on time off then.",
        evening.pk: "That time is outside Nia New's weekly hours.",
    }
    service.mentors.remove(new_mentor)
    conflicts = services.move_conflicts(sessions=[in_hours], new_mentor=new_mentor, now=NOW)
    assert conflicts == {in_hours.pk: f"Nia New doesn't offer “{service.name}”."}


def test_moving_a_session_alone_keeps_the_credit_and_tells_all_three(manager, student, mentor, new_mentor, setup):
    _, (session, _, _) = setup
    moved = services.session_move_to_mentor(session=session, new_mentor=new_mentor, actor=manager, now=NOW)
    assert moved.mentor == new_mentor and balance(student) == 2
    assert sorted(OutboundEmail.objects.filter(kind="session_mentor_changed").values_list("to_email", flat=True)) == \
        sorted([student.email, mentor.email, new_mentor.email])
    with pytest.raises(IllegalTransition, match="already with Nia New"):
        services.session_move_to_mentor(session=session, new_mentor=new_mentor, actor=manager, now=NOW)


def test_only_a_manager_may_move_a_session(student, new_mentor, setup):
    _, (session, _, _) = setup
    with pytest.raises(NotYourSession):
        services.session_move_to_mentor(session=session, new_mentor=new_mentor, actor=student, now=NOW)


def test_a_stale_session_choice_changes_nothing(client, manager, student, mentor, new_mentor, setup):
    """The student cancelled a session while the manager was deciding: the posted choice for it is ignored
    (its field is gone); a session with no choice posted is kept; the rest goes through."""
    _, (first, gone, _) = setup
    services.session_cancel(session=gone, actor=student, now=NOW)
    client.force_login(manager)
    response = post(client, student, new_mentor, [(first, "move"), (gone, "move")])
    assert response.status_code == 302
    gone.refresh_from_db()
    assert gone.mentor == mentor and gone.status == SessionStatus.CANCELLED
    assert set(Session.objects.filter(student=student, status=SessionStatus.SCHEDULED)
               .values_list("pk", "mentor_id")) == {(first.pk, new_mentor.pk), (setup[1][2].pk, mentor.pk)}


def test_wrong_method_and_people_without_access(client, manager, student, mentor, setup):
    client.force_login(manager)
    assert client.put(url_for(student)).status_code == 405
    for person in (student, mentor):
        client.force_login(person)
        response = client.post(url_for(student), {"reason": "x"})
        assert response.status_code == 302 and reverse("admin:login") in response["Location"]
    assert MentorAssignment.objects.current().get(student=student).mentor == mentor


def test_a_session_about_to_start_cannot_be_handed_over(student, mentor, new_mentor, setup):
    service, _ = setup
    soon = services.booking_create(student=student, mentor=mentor, service=service, starts_at=at("2027-01-10 15:00"),
                                   actor=student, now=NOW)
    assert services.move_conflicts(sessions=[soon], new_mentor=new_mentor, now=NOW) == {}
    conflicts = services.move_conflicts(sessions=[soon], new_mentor=new_mentor, now=NOW + timedelta(hours=1, minutes=30))
    assert "starts too soon to hand over" in conflicts[soon.pk]


@pytest.mark.django_db(transaction=True)
def test_a_move_and_a_booking_racing_for_the_new_mentor_leave_exactly_one(manager, student, new_mentor, setup):
    """Both lock the new mentor's row; whoever comes second re-checks and is refused."""
    import threading

    from django.db import connection

    from scheduling.errors import SchedulingError

    service, (_, contested, _) = setup
    other = StudentFactory()
    give_credits(other, 2, now=NOW)
    barrier, results = threading.Barrier(2), []

    def run(action):
        try:
            barrier.wait()
            action()
            results.append("ok")
        except SchedulingError as exc:
            results.append(exc.message)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(lambda: services.session_move_to_mentor(
            session=contested, new_mentor=new_mentor, actor=manager, now=NOW),)),
        threading.Thread(target=run, args=(lambda: services.booking_create(
            student=other, mentor=new_mentor, service=service, starts_at=contested.starts_at, actor=other, now=NOW),)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert results.count("ok") == 1, results
    assert Session.objects.filter(mentor=new_mentor, starts_at=contested.starts_at,
                                  status=SessionStatus.SCHEDULED).count() == 1


def test_a_first_pairing_is_recorded_on_the_students_history_too(client, manager, new_mentor):
    newcomer = StudentFactory(full_name="Fresh Student")
    bookable_mentor(new_mentor)
    client.force_login(manager)
    response = client.post(url_for(newcomer), {"mentor": new_mentor.pk, "reason": "First match"})
    assert response.status_code == 302
    entry = LogEntry.objects.get(object_id=str(newcomer.pk))
    assert entry.change_message == ("Mentor changed to Nia New. Reason: First match. "
                                    "No upcoming sessions with a previous mentor.")


def test_checking_many_mentors_at_once_gives_the_same_answers_as_one_by_one(student, mentor, new_mentor, setup):
    service, sessions = setup
    busy(new_mentor, service, sessions[1].starts_at)
    time_off(new_mentor, date(2027, 1, 14), date(2027, 1, 14))
    night_owl = MentorFactory(full_name="Owen Night", timezone="Asia/Tokyo")
    bookable_mentor(night_owl, service=service, hours=range(18, 24))
    stranger = MentorFactory(full_name="No Service")
    candidates = [new_mentor, night_owl, stranger]

    together = services.move_conflicts_by_mentor(sessions=sessions, mentors=candidates, now=NOW)

    for candidate in candidates:
        assert together[candidate.pk] == services.move_conflicts(sessions=sessions, new_mentor=candidate, now=NOW)
    assert together[new_mentor.pk] == {sessions[1].pk: "Nia New has another session then.",
                                       sessions[2].pk: "Nia New is on time off then."}
