"""Issue 11's pages: every rule shown before the click, and who may do what."""

import html
from datetime import date, timedelta

import pytest
from django.urls import reverse

from accounts.tests.factories import MentorFactory, StudentFactory
from credits.models import AllowanceKind
from mentorship.models import DateOverride
from scheduling import services
from scheduling.models import RescheduleProposal, Session, SessionStatus
from scheduling.tests.helpers import at, bookable_mentor, give_credits

pytestmark = pytest.mark.django_db
NOW = at("2027-01-11 09:00")  # Monday
OVERVIEW = reverse("portal:overview")  # the student's home (a URL, not an import of portal)


@pytest.fixture
def now(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


@pytest.fixture
def mentor():
    return MentorFactory(full_name="Ada Mentor", timezone="Europe/London")


@pytest.fixture
def service(mentor):
    return bookable_mentor(mentor, hours=range(9, 17))


@pytest.fixture
def student():
    s = StudentFactory(full_name="Sam Student", timezone="Europe/London")
    give_credits(s, 4, now=NOW - timedelta(days=1))
    return s


def text(response) -> str:
    return html.unescape(response.content.decode())


def test_a_slot_three_hours_ahead_warns_on_the_picker_and_the_confirm_page(client, now, student, mentor, service):
    client.force_login(student)
    picker = text(client.get(reverse("scheduling:book-slots", args=[mentor.pk, service.pk])))
    assert "starts in 3 h — can't be cancelled for free" in picker
    start = at("2027-01-11 12:00")
    confirm = text(client.get(reverse("scheduling:book-confirm", args=[mentor.pk, service.pk]),
                              {"start": start.isoformat()}))
    assert "Starts in 3 h, so there is no free cancellation" in confirm
    assert "Free cancellation until" not in confirm
    assert "Book — no free cancellation" in confirm


def test_a_capped_student_sees_why_on_the_overview_and_the_slot_page_and_gets_no_book_button(
        client, now, mentor, service):
    from mentorship.models import MentorAssignment

    student = StudentFactory()
    give_credits(student, 4, kind=AllowanceKind.MONTHLY, max_upcoming=1, now=NOW - timedelta(days=1))
    MentorAssignment.objects.create(student=student, mentor=mentor, started_at=NOW, reason="r")
    services.booking_create(student=student, mentor=mentor, service=service, starts_at=at("2027-01-13 10:00"),
                            actor=student, now=NOW)
    client.force_login(student)
    reason = "Your plan lets you hold 1 upcoming session at a time, and you have it booked."
    overview = text(client.get(OVERVIEW))
    assert reason in overview and ">Book a session<" not in overview
    slots = text(client.get(reverse("scheduling:book-slots", args=[mentor.pk, service.pk])))
    assert reason in slots and "data-start=" not in slots
    confirm = text(client.get(reverse("scheduling:book-confirm", args=[mentor.pk, service.pk]),
                              {"start": at("2027-01-14 10:00").isoformat()}))
    assert reason in confirm and 'name="booking_key"' not in confirm  # no Book form at all
    detail = text(client.get(reverse("portal:mentor-detail", args=[mentor.pk])))
    assert reason in detail and "Book Now" not in detail


def test_the_session_page_offers_ics_and_google_calendar_and_a_stranger_gets_404(client, now, student, mentor,
                                                                                   service):
    session = services.booking_create(student=student, mentor=mentor, service=service,
                                      starts_at=at("2027-01-13 10:00"), actor=student, now=NOW)
    client.force_login(student)
    page = text(client.get(reverse("scheduling:session-detail", args=[session.pk])))
    assert "calendar.google.com/calendar/render?action=TEMPLATE" in page
    assert "dates=20270113T100000Z%2F20270113T110000Z" in page
    ics = client.get(reverse("scheduling:session-ics", args=[session.pk]))
    assert ics["Content-Type"].startswith("text/calendar") and b"DTSTART:20270113T100000Z" in ics.content
    client.force_login(StudentFactory())
    assert client.get(reverse("scheduling:session-ics", args=[session.pk])).status_code == 404


def test_a_mentor_proposes_from_the_session_page_and_the_student_accepts(client, now, student, mentor, service):
    session = services.booking_create(student=student, mentor=mentor, service=service,
                                      starts_at=at("2027-01-13 10:00"), actor=student, now=NOW)
    client.force_login(mentor)
    new = at("2027-01-13 14:00")
    response = client.post(reverse("scheduling:session-propose-confirm", args=[session.pk]),
                           {"start": new.isoformat(), "note": "Clash"})
    assert response.status_code == 302
    proposal = RescheduleProposal.objects.get()
    client.force_login(StudentFactory())
    assert client.post(reverse("scheduling:proposal-accept", args=[proposal.pk])).status_code == 404
    client.force_login(student)
    assert client.get(reverse("scheduling:proposal-accept", args=[proposal.pk])).status_code == 405
    overview = text(client.get(OVERVIEW))
    assert "Ada Mentor proposes moving your session" in overview
    client.post(reverse("scheduling:proposal-accept", args=[proposal.pk]))
    session.refresh_from_db()
    assert session.starts_at == new and session.status == SessionStatus.SCHEDULED


def test_time_off_over_a_booked_session_lists_it_and_does_what_was_chosen(client, now, student, mentor, service):
    session = services.booking_create(student=student, mentor=mentor, service=service,
                                      starts_at=at("2027-01-13 10:00"), actor=student, now=NOW)
    client.force_login(mentor)
    url = reverse("scheduling:time-off")
    asked = text(client.post(url, {"starts_on": "2027-01-13", "ends_on": "2027-01-13", "reason": "Away"}))
    assert "1 booked session is inside that time off" in asked and "Sam Student" in asked
    assert not mentor.time_off.exists()
    client.post(url, {"starts_on": "2027-01-13", "ends_on": "2027-01-13", "reason": "Away",
                      f"session_{session.pk}": "cancel", "cancel_reason": "Unwell"})
    session.refresh_from_db()
    assert session.status == SessionStatus.CANCELLED and mentor.time_off.count() == 1


def test_a_mentor_sets_hours_for_one_date_on_the_availability_page(client, now, mentor):
    client.force_login(mentor)
    url = reverse("mentorship:availability")
    client.post(url, {"override": "1", "date": "2027-01-16", "from_hour": "18", "until_hour": "21", "note": ""})
    override = DateOverride.objects.get(user=mentor)
    assert override.date == date(2027, 1, 16) and override.ranges == [(18, 21)]
    page = text(client.get(url))
    assert "18:00–21:00" in page
    bad = client.post(url, {"override": "1", "date": "2027-01-16", "from_hour": "18", "until_hour": "9"})
    assert bad.status_code == 400 and "“Until” must be later than “From”." in text(bad)
    client.force_login(MentorFactory())
    assert client.post(reverse("mentorship:date-override-delete", args=[override.pk])).status_code == 404
    assert DateOverride.objects.filter(pk=override.pk).exists()


def test_the_no_show_button_appears_10_minutes_after_the_start(client, time_machine, student, mentor, service):
    time_machine.move_to(NOW, tick=False)
    session = services.booking_create(student=student, mentor=mentor, service=service,
                                      starts_at=at("2027-01-13 10:00"), actor=student, now=NOW)
    client.force_login(mentor)
    url = reverse("scheduling:session-detail", args=[session.pk])
    time_machine.move_to(at("2027-01-13 10:05"), tick=False)
    page = text(client.get(url))
    assert "In progress — join now" in page and "Mark completed" in page
    assert "opens at 10:10" in page and 'value="no"' not in page
    time_machine.move_to(at("2027-01-13 10:10"), tick=False)
    assert 'value="no"' in text(client.get(url))
    time_machine.move_to(at("2027-01-13 11:00"), tick=False)
    assert "The session has ended — say whether it took place." in text(client.get(url))
    client.force_login(student)
    assert "Waiting for attendance" in text(client.get(url))
    assert Session.objects.get().status == SessionStatus.SCHEDULED


@pytest.mark.parametrize("count", [1, 4])
def test_the_agenda_and_the_overview_cost_the_same_queries_whatever_the_proposals(
        client, now, mentor, service, count, django_assert_max_num_queries):
    students = []
    for i in range(count):
        s = StudentFactory()
        give_credits(s, 4, now=NOW - timedelta(days=1))
        session = services.booking_create(student=s, mentor=mentor, service=service,
                                          starts_at=at("2027-01-13 09:00") + timedelta(hours=i), actor=s, now=NOW)
        services.proposal_create(session=session, actor=mentor, starts_at=at("2027-01-14 09:00") + timedelta(hours=i),
                                 now=NOW)
        students.append(s)
    client.force_login(mentor)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("portal:agenda")).status_code == 200
    client.force_login(students[0])
    with django_assert_max_num_queries(16):
        page = text(client.get(OVERVIEW))
    assert page.count('data-testid="proposal"') == 1
