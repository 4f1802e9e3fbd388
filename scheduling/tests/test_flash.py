"""Flash mentorship: a student asks for a one-off time; the mentor accepts,
declines or suggests another; accepting books a real session."""

import html
from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.models import OutboundEmail
from accounts.tests.factories import MentorFactory, StudentFactory
from scheduling import flash, services
from scheduling.flash import FlashError, FlashExpired
from scheduling.models import FlashRequest, Session, SessionStatus
from scheduling.tests.helpers import at, balance, bookable_mentor, give_credits

pytestmark = pytest.mark.django_db
F = FlashRequest.Status

# Friday 12 March 2027. New York springs forward on Sunday 14 March (02:00 → 03:00);
# London stays on GMT until 28 March, so the two zones are 4 h apart, then 5 h... then 4 h.
NOW = at("2027-03-12 12:00")
# Saturday 13 March 20:00 in London — outside the mentor's 09–17 grid.
ASKED = at("2027-03-13 20:00")


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
    s = StudentFactory(full_name="Sam Student", timezone="America/New_York")
    give_credits(s, 4, now=NOW)
    return s


@pytest.fixture
def pending(student, mentor, service):
    return flash.flash_request_create(student=student, mentor=mentor, service=service, starts_at=ASKED,
                                      topic="Code review of my API", message="About 200 lines.", now=NOW)


def text(response) -> str:
    return html.unescape(response.content.decode())


def kinds(user) -> list[str]:
    return sorted(OutboundEmail.objects.filter(recipient=user).values_list("kind", flat=True))


def url(name, *args):
    return reverse(f"scheduling:{name}", args=args)


# --- the journeys ------------------------------------------------------------------


def test_request_then_accept_books_the_session_spends_a_credit_and_emails_both(client, now, student, mentor,
                                                                                service):
    client.force_login(student)
    form = client.get(url("flash-new", mentor.pk))
    assert form.status_code == 200 and 'type="datetime-local"' in form.content.decode()
    # 15:00 in New York is 20:00 in London, outside the mentor's weekly hours.
    response = client.post(url("flash-new", mentor.pk), {
        "service": service.pk, "start_local": "2027-03-13T15:00", "topic": "Code review", "message": "",
    })
    assert response.status_code == 302 and response.url == url("flash-list")
    request = FlashRequest.objects.get()
    assert request.proposed_starts_at == ASKED and request.status == F.PENDING
    assert kinds(mentor) == ["flash_requested"]
    mail = OutboundEmail.objects.get(kind="flash_requested")
    assert "Sat 13 Mar" in mail.body_text and ", 20:00 (Europe/London)" in mail.body_text  # the mentor's own zone
    assert f"/flash/#flash-{request.pk}" in mail.body_text

    client.force_login(mentor)
    page = text(client.get(url("flash-list")))
    assert "Sam Student" in page and "Sat 13 Mar 2027, 20:00" in page and "Accept and book" in page
    response = client.post(url("flash-accept", request.pk), follow=True)
    assert "Accepted. The session is booked" in text(response)

    request.refresh_from_db()
    session = Session.objects.get()
    assert request.status == F.ACCEPTED and request.session == session
    assert request.responded_at == NOW and request.decided_at == NOW
    assert session.starts_at == ASKED and session.ends_at == ASKED + timedelta(hours=1)
    assert session.status == SessionStatus.SCHEDULED and session.created_by == mentor
    assert balance(student) == 3
    assert kinds(student) == ["flash_accepted", "session_booked"]
    assert kinds(mentor) == ["flash_requested", "session_booked"]

    client.force_login(student)
    page = text(client.get(url("flash-list")))
    assert "Accepted" in page and url("session-detail", session.pk) in page
    assert "Sat 13 Mar 2027, 15:00" in page  # the student's own zone


def test_counter_across_new_yorks_dst_change_books_at_the_suggested_time(client, now, student, mentor, service,
                                                                         pending):
    client.force_login(mentor)
    # Monday 15 March 14:00 in London (GMT) is 10:00 in New York, now on EDT (UTC-4).
    response = client.post(url("flash-counter", pending.pk),
                           {"start_local": "2027-03-15T14:00", "note": "Weekend is family time."}, follow=True)
    assert "Suggested." in text(response)
    pending.refresh_from_db()
    assert pending.status == F.COUNTERED and pending.counter_starts_at == at("2027-03-15 14:00")
    assert pending.responded_at == NOW and pending.mentor_note == "Weekend is family time."
    mail = OutboundEmail.objects.get(kind="flash_countered", recipient=student)
    assert "Mon 15 Mar" in mail.body_text and ", 10:00 (America/New_York)" in mail.body_text
    assert "Weekend is family time." in mail.body_text

    client.force_login(student)
    page = text(client.get(url("flash-list")))
    assert "Mon 15 Mar 2027, 10:00" in page and "Accept Mon 15 Mar, 10:00 (uses 1 credit)" in page
    response = client.post(url("flash-counter-accept", pending.pk), follow=True)
    assert "Booked at the suggested time" in text(response)

    pending.refresh_from_db()
    session = Session.objects.get()
    assert pending.status == F.ACCEPTED and pending.session == session and pending.decided_at == NOW
    assert session.starts_at == at("2027-03-15 14:00") and session.created_by == student
    assert balance(student) == 3
    assert kinds(mentor) == ["flash_accepted", "flash_requested", "session_booked"]
    # The request is settled: no second booking from a repeat.
    response = client.post(url("flash-counter-accept", pending.pk), follow=True)
    assert "already accepted" in text(response)
    assert Session.objects.count() == 1 and balance(student) == 3


def test_mentor_declines_with_a_note(client, now, student, mentor, pending):
    client.force_login(mentor)
    response = client.post(url("flash-decline", pending.pk), {"note": "Travelling that day."}, follow=True)
    assert "Declined." in text(response)
    pending.refresh_from_db()
    assert pending.status == F.DECLINED and pending.mentor_note == "Travelling that day."
    assert pending.decided_at == NOW and pending.session is None
    assert kinds(student) == ["flash_declined"] and balance(student) == 4
    assert "Travelling that day." in OutboundEmail.objects.get(kind="flash_declined").body_text
    # A declined request can't then be accepted.
    response = client.post(url("flash-accept", pending.pk), follow=True)
    assert "already declined" in text(response) and not Session.objects.exists()


def test_student_declines_the_suggested_time(client, now, student, mentor, service, pending):
    flash.flash_counter(request=pending, mentor=mentor, starts_at=at("2027-03-15 14:00"), note="", now=NOW)
    client.force_login(student)
    client.post(url("flash-counter-decline", pending.pk))
    pending.refresh_from_db()
    assert pending.status == F.DECLINED and not Session.objects.exists() and balance(student) == 4
    assert "flash_counter_declined" in kinds(mentor)


@pytest.mark.parametrize("countered", [False, True])
def test_student_withdraws_an_open_request(client, now, student, mentor, pending, countered):
    if countered:
        flash.flash_counter(request=pending, mentor=mentor, starts_at=at("2027-03-15 14:00"), note="", now=NOW)
    client.force_login(student)
    response = client.post(url("flash-withdraw", pending.pk), follow=True)
    assert "Request withdrawn." in text(response)
    pending.refresh_from_db()
    assert pending.status == F.WITHDRAWN and pending.decided_at == NOW
    assert "flash_withdrawn" in kinds(mentor)
    # Withdrawn is final: the mentor can't accept it any more.
    with pytest.raises(FlashError, match="withdrawn"):
        flash.flash_accept(request=pending, mentor=mentor, now=NOW)


# --- refusals ------------------------------------------------------------------------


def test_accept_is_refused_when_the_mentor_is_busy_then_and_nothing_changes(client, now, student, mentor, service,
                                                                            pending):
    other = StudentFactory(timezone="Europe/London")
    give_credits(other, 2, now=NOW)
    services.booking_create(student=other, mentor=mentor, service=service, starts_at=ASKED - timedelta(minutes=30),
                            actor=mentor, now=NOW, mentor_agreed=True)
    emails_before = OutboundEmail.objects.count()
    client.force_login(mentor)
    response = client.post(url("flash-accept", pending.pk), follow=True)
    assert "You already have a session at that time." in text(response)
    pending.refresh_from_db()
    assert pending.status == F.PENDING and pending.session is None and pending.responded_at is None
    assert Session.objects.filter(student=student).count() == 0 and balance(student) == 4
    assert OutboundEmail.objects.count() == emails_before


def test_a_clash_the_friendly_check_misses_is_still_refused_by_booking(now, student, mentor, service, pending):
    # The student booked that time with someone else meanwhile: the booking service refuses.
    other_mentor = MentorFactory(timezone="Europe/London")
    other_service = bookable_mentor(other_mentor, hours=range(0, 24))
    services.booking_create(student=student, mentor=other_mentor, service=other_service, starts_at=ASKED,
                            actor=student, now=NOW)
    with pytest.raises(FlashError, match="Sam Student already has a session at that time"):
        flash.flash_accept(request=pending, mentor=mentor, now=NOW)
    pending.refresh_from_db()
    assert pending.status == F.PENDING and balance(student) == 3


def test_a_student_without_credits_is_told_why_and_nothing_is_sent(client, now, mentor, service):
    broke = StudentFactory(timezone="America/New_York")
    give_credits(broke, 1, now=NOW)
    services.booking_create(student=broke, mentor=mentor, service=service, starts_at=at("2027-03-15 10:00"),
                            actor=broke, now=NOW)
    client.force_login(broke)
    assert "No sessions left in your pack" in text(client.get(url("flash-new", mentor.pk)))
    response = client.post(url("flash-new", mentor.pk), {
        "service": service.pk, "start_local": "2027-03-13T15:00", "topic": "Help", "message": "",
    })
    assert response.status_code == 409
    assert "No sessions left in your pack" in text(response) and "Nothing was sent." in text(response)
    assert not FlashRequest.objects.exists() and not OutboundEmail.objects.filter(kind="flash_requested").exists()


def test_no_plan_at_all_is_refused_with_the_plan_message(now, mentor, service):
    from credits.errors import NoActivePlan

    nobody = StudentFactory()
    with pytest.raises(FlashError) as exc:
        flash.flash_request_create(student=nobody, mentor=mentor, service=service, starts_at=ASKED, topic="x",
                                   message="", now=NOW)
    assert exc.value.message == NoActivePlan.default_message


def test_accept_is_refused_when_the_student_has_spent_their_credits_since(now, student, mentor, service, pending):
    for hour in range(4):
        services.booking_create(student=student, mentor=mentor, service=service,
                                starts_at=at(f"2027-03-16 {9 + hour:02d}:00"), actor=student, now=NOW)
    with pytest.raises(FlashError, match="has no session credits available"):
        flash.flash_accept(request=pending, mentor=mentor, now=NOW)
    pending.refresh_from_db()
    assert pending.status == F.PENDING and balance(student) == 0


def test_an_expired_request_is_refused_and_shown_as_expired(client, time_machine, now, student, mentor, pending):
    # Inside the minimum notice before the asked time, it can't be booked any more.
    time_machine.move_to(ASKED - timedelta(minutes=119), tick=False)
    client.force_login(mentor)
    assert flash.pending_for_mentor(mentor, now=ASKED - timedelta(minutes=119)) == 0
    response = client.post(url("flash-accept", pending.pk), follow=True)
    assert "This request has expired" in text(response)
    pending.refresh_from_db()
    assert pending.status == F.EXPIRED and pending.session is None and not Session.objects.exists()
    assert balance(student) == 4
    client.force_login(student)
    page = client.get(url("flash-list"))
    assert [r.shown_status for r in page.context["past_requests"]] == [F.EXPIRED]
    assert "Expired" in text(page) and not page.context["open_requests"]
    with pytest.raises(FlashExpired):
        flash.flash_withdraw(request=pending, student=student, now=ASKED)


def test_expiry_is_computed_before_anyone_acts(now, pending):
    assert pending.status_at(ASKED - timedelta(minutes=120)) == F.PENDING
    assert pending.status_at(ASKED - timedelta(minutes=119)) == F.EXPIRED
    assert pending.status == F.PENDING  # nothing stored until someone tries


def test_a_duplicate_open_request_for_the_same_time_is_refused(now, student, mentor, service, pending):
    with pytest.raises(FlashError, match="already asked this mentor for that time"):
        flash.flash_request_create(student=student, mentor=mentor, service=service, starts_at=ASKED, topic="Again",
                                   message="", now=NOW)
    # Once the first is settled the student may ask again.
    flash.flash_withdraw(request=pending, student=student, now=NOW)
    flash.flash_request_create(student=student, mentor=mentor, service=service, starts_at=ASKED, topic="Again",
                               message="", now=NOW)
    assert FlashRequest.objects.filter(status=F.PENDING).count() == 1


def test_the_database_refuses_two_open_requests_for_one_time(now, student, mentor, service, pending):
    with pytest.raises(IntegrityError), transaction.atomic():
        FlashRequest.objects.create(student=student, mentor=mentor, service=service, proposed_starts_at=ASKED,
                                    topic="Twin", created_at=NOW)


@pytest.mark.parametrize("fields", [
    {"status": F.ACCEPTED},  # accepted without a session
    {"status": F.COUNTERED},  # countered without a time
    {"topic": ""},
])
def test_the_database_keeps_requests_consistent(now, pending, fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        FlashRequest.objects.filter(pk=pending.pk).update(**fields)


@pytest.mark.parametrize("when, message", [
    ("2027-03-12T08:30", "too soon"),  # 13:30 UTC: inside the 2 h notice
    ("2027-03-11T12:00", "already passed"),
    ("2027-05-12T12:00", "too far ahead"),
])
def test_times_outside_the_booking_window_are_refused(client, now, student, mentor, service, when, message):
    client.force_login(student)
    response = client.post(url("flash-new", mentor.pk),
                           {"service": service.pk, "start_local": when, "topic": "Help", "message": ""})
    assert response.status_code == 409 and message in text(response)
    assert not FlashRequest.objects.exists()


@pytest.mark.parametrize("value, message", [
    ("2027-03-14T02:30", "02:30 on 14 March 2027 doesn't exist in America/New_York"),
    ("2027-11-07T01:30", "01:30 on 7 November 2027 happens twice in America/New_York"),
    ("2027-02-30T10:00", "Enter a date and time"),
    ("tomorrow at ten", "Enter a date and time"),
    ("", "Choose a date and time."),
])
def test_malformed_or_nonexistent_local_times_get_a_clear_message(client, now, student, mentor, service, value,
                                                                  message):
    client.force_login(student)
    response = client.post(url("flash-new", mentor.pk),
                           {"service": service.pk, "start_local": value, "topic": "Help", "message": ""})
    assert response.status_code == 400 and message in text(response)
    assert not FlashRequest.objects.exists()


def test_bad_form_input_is_explained(client, now, student, mentor, service):
    client.force_login(student)
    other_service = bookable_mentor(MentorFactory())
    response = client.post(url("flash-new", mentor.pk), {"service": other_service.pk,
                                                         "start_local": "2027-03-13T15:00", "topic": "  "})
    page = text(response)
    assert response.status_code == 400
    assert "Choose one of the services this mentor offers." in page
    assert "Say briefly what you'd like to talk about." in page
    assert not FlashRequest.objects.exists()


def test_the_mentors_suggestion_is_read_in_their_zone_and_validated(client, now, mentor, pending):
    client.force_login(mentor)
    # London's clocks jump on 28 March: 01:30 doesn't exist there.
    response = client.post(url("flash-counter", pending.pk), {"start_local": "2027-03-28T01:30"}, follow=True)
    assert "01:30 on 28 March 2027 doesn't exist in Europe/London" in text(response)
    response = client.post(url("flash-counter", pending.pk), {"start_local": "2027-03-12T12:30"}, follow=True)
    assert "too soon" in text(response)
    response = client.post(url("flash-counter", pending.pk), {"start_local": "2027-03-13T20:00"}, follow=True)
    assert "accept the request instead" in text(response)
    pending.refresh_from_db()
    assert pending.status == F.PENDING and pending.counter_starts_at is None


# --- who may do what ---------------------------------------------------------------------

ACTIONS = ["flash-accept", "flash-decline", "flash-counter", "flash-counter-accept", "flash-counter-decline",
           "flash-withdraw"]


@pytest.mark.parametrize("action", ACTIONS)
def test_a_stranger_gets_404_and_nothing_changes(client, now, stranger, pending, action):
    give_credits(stranger, 2, now=NOW)
    client.force_login(stranger)
    response = client.post(url(action, pending.pk), {"start_local": "2027-03-15T14:00", "note": "x"})
    assert response.status_code == 404
    pending.refresh_from_db()
    assert pending.status == F.PENDING and not Session.objects.exists()
    assert not client.get(url("flash-list")).context["open_requests"]


@pytest.mark.parametrize("action", ["flash-counter-accept", "flash-counter-decline", "flash-withdraw"])
def test_the_mentor_cant_use_the_students_buttons(client, now, mentor, pending, action):
    client.force_login(mentor)
    assert client.post(url(action, pending.pk)).status_code == 404


@pytest.mark.parametrize("action", ["flash-accept", "flash-decline", "flash-counter"])
def test_the_student_cant_answer_their_own_request(client, now, student, pending, action):
    client.force_login(student)
    assert client.post(url(action, pending.pk), {"start_local": "2027-03-15T14:00"}).status_code == 404
    pending.refresh_from_db()
    assert pending.status == F.PENDING


def test_a_student_cant_accept_a_counter_that_was_never_made(client, now, student, pending):
    client.force_login(student)
    response = client.post(url("flash-counter-accept", pending.pk), follow=True)
    assert "hasn't answered this request yet" in text(response)
    assert not Session.objects.exists()


@pytest.mark.parametrize("action", ACTIONS)
def test_state_changes_are_post_only(client, now, student, mentor, pending, action):
    client.force_login(mentor if action in ACTIONS[:3] else student)
    assert client.get(url(action, pending.pk)).status_code == 405
    pending.refresh_from_db()
    assert pending.status == F.PENDING


def test_only_students_ask_and_managers_have_no_flash_page(client, now, mentor, manager, service):
    client.force_login(mentor)
    assert client.get(url("flash-new", mentor.pk)).status_code == 403
    client.force_login(manager)
    assert client.get(url("flash-list")).status_code == 404


def test_asking_a_non_mentor_is_404(client, now, student, stranger):
    client.force_login(student)
    assert client.get(url("flash-new", stranger.pk)).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, now, pending):
    response = client.post(url("flash-accept", pending.pk))
    assert response.status_code == 302 and "login" in response.url
    pending.refresh_from_db()
    assert pending.status == F.PENDING


# --- where it shows up ---------------------------------------------------------------------


def test_the_mentor_page_links_to_a_flash_request_and_nav_has_flash(client, now, student, mentor, service):
    client.force_login(student)
    page = client.get(reverse("portal:mentor-detail", args=[mentor.pk])).content.decode()
    assert "Request a flash session" in page and url("flash-new", mentor.pk) in page
    assert f'href="{url("flash-list")}">Flash requests</a>' in page


def test_the_agenda_counts_pending_requests(client, now, student, mentor, service, pending):
    flash.flash_request_create(student=student, mentor=mentor, service=service, starts_at=at("2027-03-16 19:00"),
                               topic="Career", message="", now=NOW)
    countered = flash.flash_request_create(student=student, mentor=mentor, service=service,
                                           starts_at=at("2027-03-17 19:00"), topic="Career", message="", now=NOW)
    flash.flash_counter(request=countered, mentor=mentor, starts_at=at("2027-03-18 19:00"), note="", now=NOW)
    client.force_login(mentor)
    response = client.get(reverse("portal:agenda"))
    assert response.context["flash_pending"] == 2
    assert "waiting for your answer" in response.content.decode()
    assert f'href="{url("flash-list")}">Flash requests</a>' in response.content.decode()


@pytest.mark.parametrize("role", ["student", "mentor"])
def test_the_flash_page_has_a_constant_number_of_queries(client, now, student, mentor, service,
                                                          django_assert_num_queries,
                                                          django_assert_max_num_queries, role):
    def add(n, first=0):
        for i in range(first, first + n):
            r = flash.flash_request_create(student=student, mentor=mentor, service=service,
                                           starts_at=ASKED + timedelta(hours=24 * (i % 20) + i // 20),
                                           topic=f"Topic {i}", message="", now=NOW)
            if i % 3 == 1:
                flash.flash_decline(request=r, mentor=mentor, note="", now=NOW)

    client.force_login(student if role == "student" else mentor)
    add(2)
    client.get(url("flash-list"))  # warm the session and caches
    with django_assert_max_num_queries(50) as small:
        client.get(url("flash-list"))
    add(30, first=2)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(url("flash-list"))
    assert len(response.context["open_requests"]) + len(response.context["past_requests"]) == 32


def test_the_admin_lists_requests_read_only(client, now, manager, pending):
    manager.is_superuser = True
    manager.save(update_fields=["is_superuser"])
    admin_client = client
    admin_client.force_login(manager)
    response = admin_client.get(reverse("admin:scheduling_flashrequest_changelist"))
    assert response.status_code == 200 and "Sam Student" in response.content.decode()
    assert admin_client.get(reverse("admin:scheduling_flashrequest_change", args=[pending.pk])).status_code == 200
    assert admin_client.get(reverse("admin:scheduling_flashrequest_add")).status_code == 403


# --- races on real connections ---------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_racing_answers_settle_a_request_exactly_once():
    from scheduling.tests.test_concurrency import run_together

    mentor = MentorFactory(timezone="Europe/London")
    service = bookable_mentor(mentor)
    student = StudentFactory(timezone="America/New_York")
    give_credits(student, 4, now=NOW)
    request = flash.flash_request_create(student=student, mentor=mentor, service=service, starts_at=ASKED,
                                         topic="Race", message="", now=NOW)
    outcomes = run_together(
        [lambda: flash.flash_accept(request=request, mentor=mentor, now=NOW) for _ in range(4)]
        + [lambda: flash.flash_withdraw(request=request, student=student, now=NOW) for _ in range(2)]
    )
    done = [o for o in outcomes if isinstance(o, FlashRequest)]
    refused = [o for o in outcomes if isinstance(o, FlashError)]
    assert len(done) == 1 and len(refused) == 5, outcomes
    request.refresh_from_db()
    if request.status == F.ACCEPTED:
        assert Session.objects.count() == 1 and balance(student) == 3
    else:
        assert request.status == F.WITHDRAWN and not Session.objects.exists() and balance(student) == 4


@pytest.mark.django_db(transaction=True)
def test_a_double_submitted_request_is_stored_once():
    from scheduling.tests.test_concurrency import run_together

    mentor = MentorFactory(timezone="Europe/London")
    service = bookable_mentor(mentor)
    student = StudentFactory(timezone="America/New_York")
    give_credits(student, 4, now=NOW)
    outcomes = run_together([
        lambda: flash.flash_request_create(student=student, mentor=mentor, service=service, starts_at=ASKED,
                                           topic="Twice", message="", now=NOW)
        for _ in range(5)
    ])
    assert sum(isinstance(o, FlashRequest) for o in outcomes) == 1, outcomes
    assert sum(isinstance(o, FlashError) for o in outcomes) == 4, outcomes
    assert FlashRequest.objects.count() == 1
    assert OutboundEmail.objects.filter(kind="flash_requested").count() == 1


# --- in Chromium --------------------------------------------------------------------------


def _log_in(page, user, landing):
    from accounts.tests.factories import PASSWORD

    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.fill("#id_login", user.email)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(f"**/{landing}/")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_ask_counter_and_accept_in_the_browser(page):
    from datetime import datetime, timezone

    mentor = MentorFactory(full_name="Ada Mentor", timezone="Europe/London")
    bookable_mentor(mentor, hours=range(9, 17))
    student = StudentFactory(full_name="Sam Student", timezone="America/New_York")
    give_credits(student, 2)
    today = datetime.now(timezone.utc)
    asked_day = (today.astimezone(student.tzinfo) + timedelta(days=3)).date()
    counter_day = (today.astimezone(mentor.tzinfo) + timedelta(days=4)).date()

    _log_in(page, student, "overview")
    page.goto(reverse("portal:mentor-detail", args=[mentor.pk]))
    page.get_by_role("link", name="Request a flash session").click()
    page.fill("#id_start_local", f"{asked_day:%Y-%m-%d}T20:00")
    page.fill("#id_topic", "Interview practice")
    page.get_by_role("button", name="Send request").click()
    page.wait_for_url("**/flash/")
    assert "Request sent." in page.content()
    request = FlashRequest.objects.get()
    assert request.proposed_starts_at.astimezone(student.tzinfo).hour == 20

    _log_in(page, mentor, "agenda")
    assert "1" in page.get_by_test_id("flash-pending").inner_text()
    page.get_by_role("link", name="Flash requests", exact=True).click()
    page.get_by_text("Suggest another time…").click()
    page.fill(f"#counter-start-{request.pk}", f"{counter_day:%Y-%m-%d}T10:00")
    page.fill(f"#counter-note-{request.pk}", "Mornings suit me better.")
    page.get_by_role("button", name="Suggest this time").click()
    page.wait_for_url("**/flash/")
    assert "Suggested." in page.content()

    _log_in(page, student, "overview")
    page.goto(reverse("scheduling:flash-list"))
    assert "Mornings suit me better." in page.content()
    page.get_by_role("button", name="Accept").click()
    page.wait_for_url("**/flash/")
    assert "Booked at the suggested time" in page.content()
    session = Session.objects.get()
    assert session.starts_at.astimezone(mentor.tzinfo).hour == 10 and balance(student) == 1
