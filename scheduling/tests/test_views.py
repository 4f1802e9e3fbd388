"""The booking pages as people use them: who may see what, bad input, the 24-hour line."""

import html
import uuid
from datetime import date, timedelta

import pytest
from django.urls import reverse

from accounts.tests.factories import MentorFactory, StudentFactory
from credits.models import LedgerEntry
from scheduling import services
from scheduling.models import Session, SessionStatus
from scheduling.tests.helpers import at, balance, bookable_mentor, give_credits, time_off

pytestmark = pytest.mark.django_db
NOW = at("2027-01-10 12:00")
SLOT = at("2027-01-12 15:00")


@pytest.fixture
def now(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


@pytest.fixture
def mentor():
    return MentorFactory(timezone="America/New_York", full_name="Ada Mentor")


@pytest.fixture
def service(mentor):
    return bookable_mentor(mentor, hours=range(9, 13))


@pytest.fixture
def student():
    s = StudentFactory(timezone="Europe/London", full_name="Sam Student")
    give_credits(s, 4, now=NOW)
    return s


@pytest.fixture
def session(student, mentor, service):
    return services.booking_create(student=student, mentor=mentor, service=service, starts_at=SLOT, actor=student,
                                   now=NOW)


def text(response) -> str:
    return html.unescape(response.content.decode())


def confirm_url(mentor, service):
    return reverse("scheduling:book-confirm", args=[mentor.pk, service.pk])


def test_book_now_from_slots_to_confirm_to_session(client, now, student, mentor, service):
    client.force_login(student)
    slots = client.get(reverse("scheduling:book-slots", args=[mentor.pk, service.pk]), {"week": "2027-01-12"})
    assert slots.status_code == 200
    html = slots.content.decode()
    assert "Europe/London" in html and "Tuesday 12 January" in html

    confirm = client.get(confirm_url(mentor, service), {"start": SLOT.isoformat()})
    page = confirm.content.decode()
    assert "Tuesday 12 January 2027, 15:00–16:00" in page
    assert "Free cancellation until Mon 11 Jan, 15:00 your time" in page
    assert "1 session credit — you have 4 left" in page

    key = confirm.context["form"].initial["booking_key"]
    response = client.post(confirm_url(mentor, service), {"start": SLOT.isoformat(), "booking_key": key, "weeks": 1})
    session = Session.objects.get()
    assert response.url == reverse("scheduling:session-detail", args=[session.pk])
    assert session.video_url == "https://meet.example.com/ada"  # the mentor's room, read with the offer
    # A double submit of the same page books nothing more.
    client.post(confirm_url(mentor, service), {"start": SLOT.isoformat(), "booking_key": key, "weeks": 1})
    assert Session.objects.count() == 1 and balance(student) == 3


def test_a_lost_race_says_the_time_was_just_taken_and_offers_the_nearest(client, now, student, mentor, service):
    other = StudentFactory()
    give_credits(other, 1, now=NOW)
    services.booking_create(student=other, mentor=mentor, service=service, starts_at=SLOT, actor=other, now=NOW)
    client.force_login(student)
    response = client.post(confirm_url(mentor, service),
                           {"start": SLOT.isoformat(), "booking_key": str(uuid.uuid4()), "weeks": 1})
    assert response.status_code == 409
    page = text(response)
    assert "That time was just taken." in page and "no credit was used" in page
    assert "Nearest free times" in page
    assert balance(student) == 4


@pytest.mark.parametrize("bad", ["", "tuesday", "2027-13-45T99:00", "2027-01-12T15:00", "9" * 200])
def test_malformed_slot_ids_get_a_clear_message_never_a_500(client, now, student, mentor, service, bad):
    client.force_login(student)
    response = client.get(confirm_url(mentor, service), {"start": bad}, follow=True)
    assert response.status_code == 200
    assert "That time isn't a valid slot. Pick one from the list." in text(response)
    response = client.post(confirm_url(mentor, service), {"start": bad, "booking_key": str(uuid.uuid4())},
                           follow=True)
    assert "That time isn't a valid slot" in text(response)
    assert not Session.objects.exists()


def test_a_malformed_booking_key_or_weeks_is_explained(client, now, student, mentor, service):
    client.force_login(student)
    response = client.post(confirm_url(mentor, service), {"start": SLOT.isoformat(), "booking_key": "nope",
                                                          "weeks": "99"})
    assert response.status_code == 400
    page = text(response)
    assert "This booking page is out of date" in page and "Select a valid choice" in page
    assert not Session.objects.exists()


def test_a_time_that_is_not_a_slot_is_refused_with_the_nearest(client, now, student, mentor, service):
    client.force_login(student)
    response = client.post(confirm_url(mentor, service),
                           {"start": "2027-01-12T03:00:00+00:00", "booking_key": str(uuid.uuid4()), "weeks": 1})
    assert response.status_code == 409
    assert "That time isn't available with this mentor." in text(response)


def test_standing_weekly_booking_lists_what_was_booked_and_what_was_not(client, now, mentor, service):
    student = StudentFactory()
    give_credits(student, 2, now=NOW)
    client.force_login(student)
    # The confirm page says up front how many weeks the credits hold, and offers no more.
    confirm = text(client.get(confirm_url(mentor, service), {"start": SLOT.isoformat()}))
    assert "Up to 2 weeks fit: you have 2 credits left." in confirm
    refused = client.post(confirm_url(mentor, service),
                          {"start": SLOT.isoformat(), "booking_key": str(uuid.uuid4()), "weeks": 3})
    assert refused.status_code == 400 and not Session.objects.exists()
    time_off(mentor, date(2027, 1, 19), date(2027, 1, 19))  # the second Tuesday
    response = client.post(confirm_url(mentor, service),
                           {"start": SLOT.isoformat(), "booking_key": str(uuid.uuid4()), "weeks": 2})
    page = text(response)
    assert "Booked 1 session" in page and "Tuesday 19 January" in page
    assert Session.objects.count() == 1


def test_the_session_page_shows_the_deadline_in_the_viewers_zone(client, now, session, student, mentor):
    client.force_login(student)
    page = client.get(reverse("scheduling:session-detail", args=[session.pk])).content.decode()
    assert "Free cancellation until Mon 11 Jan, 15:00 your time" in page
    client.force_login(mentor)
    page = client.get(reverse("scheduling:session-detail", args=[session.pk])).content.decode()
    assert "Tuesday 12 January 2027, 10:00–11:00" in page  # New York


def test_cancel_in_time_confirms_first_then_refunds(client, now, session, student):
    client.force_login(student)
    url = reverse("scheduling:session-cancel", args=[session.pk])
    page = client.get(url).content.decode()
    assert "your credit comes back" in page
    response = client.post(url, {"expect_forfeit": "0"}, follow=True)
    assert "Your credit is back" in text(response)
    session.refresh_from_db()
    assert session.status == SessionStatus.CANCELLED and balance(student) == 4


def test_cancel_inside_24_hours_warns_plainly_then_forfeits(client, time_machine, session, student):
    time_machine.move_to(SLOT - timedelta(hours=3), tick=False)
    client.force_login(student)
    url = reverse("scheduling:session-cancel", args=[session.pk])
    page = client.get(url).content.decode()
    assert "This session will be forfeited and the credit will not come back." in page
    client.post(url, {"expect_forfeit": "1"})
    session.refresh_from_db()
    assert session.status == SessionStatus.FORFEITED and balance(student) == 3


def test_a_confirm_page_that_promised_a_refund_does_not_forfeit_silently(client, time_machine, session, student):
    time_machine.move_to(SLOT - timedelta(hours=24) + timedelta(seconds=1), tick=False)
    client.force_login(student)
    response = client.post(reverse("scheduling:session-cancel", args=[session.pk]), {"expect_forfeit": "0"})
    assert response.status_code == 409
    assert "deadline passed while you were deciding" in text(response)
    session.refresh_from_db()
    assert session.status == SessionStatus.SCHEDULED


def test_reschedule_is_not_offered_inside_24_hours(client, time_machine, session, student):
    time_machine.move_to(SLOT - timedelta(hours=5), tick=False)
    client.force_login(student)
    page = client.get(reverse("scheduling:session-reschedule", args=[session.pk])).content.decode()
    assert "You can move a session yourself until 24 hours before its start" in page
    assert "ask your mentor for another time" in page
    response = client.post(reverse("scheduling:session-reschedule-confirm", args=[session.pk]),
                           {"start": (SLOT + timedelta(days=1)).isoformat()})
    assert response.status_code == 409
    session.refresh_from_db()
    assert session.starts_at == SLOT


def test_reschedule_in_time_moves_it(client, now, session, student):
    client.force_login(student)
    new = SLOT + timedelta(days=1)
    assert client.get(reverse("scheduling:session-reschedule", args=[session.pk])).status_code == 200
    client.post(reverse("scheduling:session-reschedule-confirm", args=[session.pk]), {"start": new.isoformat()})
    session.refresh_from_db()
    assert session.starts_at == new and balance(student) == 3


def test_a_stranger_gets_404_everywhere_and_nothing_changes(client, now, session):
    client.force_login(StudentFactory())
    for name in ("session-detail", "session-cancel", "session-reschedule"):
        assert client.get(reverse(f"scheduling:{name}", args=[session.pk])).status_code == 404
    for name, data in (("session-cancel", {"expect_forfeit": "0"}), ("session-attendance", {"attended": "no"}),
                       ("session-notes", {"notes": "x"}), ("session-feedback", {"rating": "1"}),
                       ("session-reschedule-confirm", {"start": SLOT.isoformat()})):
        assert client.post(reverse(f"scheduling:{name}", args=[session.pk]), data).status_code == 404
    session.refresh_from_db()
    assert session.status == SessionStatus.SCHEDULED and session.mentor_notes == ""
    assert LedgerEntry.objects.filter(session_id=session.pk).count() == 1


def test_a_mentor_cannot_reschedule_the_students_session(client, now, session, mentor):
    client.force_login(mentor)
    assert client.get(reverse("scheduling:session-reschedule", args=[session.pk])).status_code == 404


@pytest.mark.parametrize("name", ["session-attendance", "session-notes", "session-feedback"])
def test_state_changing_urls_refuse_get(client, now, session, mentor, name):
    client.force_login(mentor)
    assert client.get(reverse(f"scheduling:{name}", args=[session.pk])).status_code == 405


def test_the_mentor_marks_attendance_and_writes_notes_the_student_reads(client, time_machine, session, mentor,
                                                                       student):
    time_machine.move_to(SLOT + timedelta(minutes=65), tick=False)
    client.force_login(mentor)
    client.post(reverse("scheduling:session-attendance", args=[session.pk]), {"attended": "yes"})
    client.post(reverse("scheduling:session-notes", args=[session.pk]), {"notes": "Read chapter 3 <b>next</b>"})
    client.force_login(student)
    page = client.get(reverse("scheduling:session-detail", args=[session.pk])).content.decode()
    assert "Read chapter 3 &lt;b&gt;next&lt;/b&gt;" in page  # escaped, plain text
    client.post(reverse("scheduling:session-feedback", args=[session.pk]), {"rating": "5", "comment": "Great"})
    client.force_login(mentor)
    agenda = client.get(reverse("portal:agenda")).content.decode()
    assert "5.0 / 5" in agenda and "“Great”" in agenda


def test_attendance_before_the_start_is_refused_with_a_message(client, now, session, mentor):
    client.force_login(mentor)
    response = client.post(reverse("scheduling:session-attendance", args=[session.pk]), {"attended": "yes"},
                           follow=True)
    assert "once the session has started" in text(response)
    session.refresh_from_db()
    assert session.status == SessionStatus.SCHEDULED


def test_a_bad_rating_is_explained(client, time_machine, session, mentor, student):
    time_machine.move_to(SLOT + timedelta(hours=2), tick=False)
    services.attendance_mark(session=session, actor=mentor, attended=True, now=SLOT + timedelta(hours=2))
    client.force_login(student)
    response = client.post(reverse("scheduling:session-feedback", args=[session.pk]), {"rating": "7"}, follow=True)
    assert "Choose a rating from 1 to 5." in text(response)


def _sessions(student, mentor, service, count, now):
    for n in range(count):
        start = now + timedelta(days=2, hours=n)
        Session.objects.create(student=student, mentor=mentor, service=service, starts_at=start,
                               ends_at=start + timedelta(minutes=30), created_at=now)


def test_the_overview_and_agenda_keep_a_constant_number_of_queries(client, now, student, mentor, service,
                                                                  django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(user, url):
        client.force_login(user)
        client.get(url)  # warm: grids and lists come from the cache after the first visit
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    _sessions(student, mentor, service, 2, NOW)
    small = (count(student, reverse("portal:overview")), count(mentor, reverse("portal:agenda")),
             count(student, reverse("scheduling:session-list")))
    _sessions(student, mentor, service, 30, NOW + timedelta(days=3))
    large = (count(student, reverse("portal:overview")), count(mentor, reverse("portal:agenda")),
             count(student, reverse("scheduling:session-list")))
    assert small == large


def test_mentors_do_not_see_the_students_forfeit_warning(client, time_machine, session, mentor):
    time_machine.move_to(SLOT - timedelta(hours=3), tick=False)
    client.force_login(mentor)
    page = text(client.get(reverse("portal:agenda")))
    assert "forfeits" not in page and "Free cancellation" not in page


def test_book_now_starts_from_the_directory_and_the_mentor_page(client, now, student, mentor, service):
    client.force_login(student)
    book = reverse("scheduling:book-mentor", args=[mentor.pk])
    assert book in text(client.get(reverse("portal:directory")))
    assert book in text(client.get(reverse("portal:mentor-detail", args=[mentor.pk])))
    # One service: straight to its times.
    assert client.get(book).url == reverse("scheduling:book-slots", args=[mentor.pk, service.pk])


def test_reposting_a_used_booking_key_after_the_cancellation_never_says_booked(client, now, student, mentor, service):
    client.force_login(student)
    key = str(uuid.uuid4())
    booked = client.post(confirm_url(mentor, service), {"start": SLOT.isoformat(), "booking_key": key, "weeks": 1},
                         follow=True)
    assert "Booked!" in text(booked)
    first = Session.objects.get()
    services.session_cancel(session=first, actor=student, now=NOW, expect_forfeit=False)
    other = SLOT + timedelta(hours=1)

    for start in (other, SLOT):  # another time, or the same one again
        response = client.post(confirm_url(mentor, service), {"start": start.isoformat(), "booking_key": key,
                                                              "weeks": 1}, follow=True)
        page = text(response)
        assert response.status_code == 409
        assert "Booked!" not in page
        assert "This booking page was already used" in page and "Nothing was booked" in page
    assert Session.objects.count() == 1 and Session.objects.get().status == SessionStatus.CANCELLED
    assert balance(student) == 4


def test_the_agenda_averages_every_rating_while_it_lists_the_latest_five(client, time_machine, student, mentor,
                                                                         service):
    from scheduling.models import Feedback

    time_machine.move_to(NOW, tick=False)
    for n, rating in enumerate([5, 5, 5, 5, 5, 1, 1]):  # the two oldest are the low ones
        start = NOW - timedelta(days=10 - n)
        session = Session.objects.create(student=student, mentor=mentor, service=service, starts_at=start,
                                         ends_at=start + timedelta(minutes=30), created_at=start,
                                         status=SessionStatus.COMPLETED)
        Feedback.objects.create(session=session, rating=rating, created_at=start + timedelta(days=1 if n > 4 else 0))
    client.force_login(mentor)
    response = client.get(reverse("portal:agenda"))
    assert len(response.context["recent_feedback"]) == 5
    assert response.context["rating_count"] == 7 and round(response.context["rating_average"], 2) == 3.86
    assert "from 7 ratings" in text(response)


@pytest.mark.parametrize("page", ["scheduling:book-slots", "scheduling:book-confirm"])
def test_booking_pages_are_404_unless_an_active_mentor_offers_that_active_service(client, page):
    mentor, other = MentorFactory(), MentorFactory()
    service, elsewhere = bookable_mentor(mentor), bookable_mentor(other)
    student = StudentFactory()
    give_credits(student)
    client.force_login(student)

    def status(mentor_id, service_id):
        return client.get(reverse(page, args=[mentor_id, service_id])).status_code

    assert status(mentor.pk, service.pk) != 404
    assert status(mentor.pk, elsewhere.pk) == 404  # not offered by this mentor
    assert status(student.pk, service.pk) == 404  # not a mentor
    assert status(mentor.pk, 999_999) == 404
    service.is_active = False
    service.save()
    assert status(mentor.pk, service.pk) == 404
    service.is_active = True
    service.save()
    mentor.is_active = False
    mentor.save()
    assert status(mentor.pk, service.pk) == 404


def test_the_agenda_shows_the_time_a_student_asks_for_until_the_session_starts(client, time_machine, student, mentor,
                                                                              session):
    late = SLOT - timedelta(hours=5)
    time_machine.move_to(late, tick=False)
    services.proposal_create(session=session, actor=student, starts_at=at("2027-01-13 15:00"), now=late)
    client.force_login(mentor)

    response = client.get(reverse("portal:agenda"))

    assert [p.session_id for p in response.context["proposals"]] == [session.pk]
    assert text(response).count("Sam Student asks to move their session") == 1
    time_machine.move_to(SLOT + timedelta(minutes=1), tick=False)  # started: nothing to answer any more
    assert client.get(reverse("portal:agenda")).context["proposals"] == []
