"""No 500 from any input: extreme dates get a clear message and change nothing;
junk in a calendar token or an admin id is a 404."""

import html
import uuid
from datetime import date

import pytest
from django.urls import reverse

from accounts.tests.factories import MentorFactory, StudentFactory
from scheduling import flash, services
from scheduling.models import FlashRequest, PauseRequest, Session
from scheduling.tests.helpers import at, bookable_mentor, give_credits

pytestmark = pytest.mark.django_db
NOW = at("2027-03-10 12:00")
EXTREME_STARTS = ["0001-01-01T00:00:00+05:00", "0001-01-01T00:00:00Z", "9999-12-31T23:30:00-05:00",
                  "9999-12-31T23:30:00+00:00", "9999-12-31T23:59:59.999999+00:00"]
EXTREME_LOCAL = ["0001-01-01T00:00", "0001-01-01T00:30", "9999-12-31T23:30", "9999-12-31T00:00"]


@pytest.fixture
def now(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


@pytest.fixture
def mentor():
    return MentorFactory(timezone="America/New_York")


@pytest.fixture
def service(mentor):
    return bookable_mentor(mentor, hours=range(24))


@pytest.fixture
def student():
    s = StudentFactory(timezone="Asia/Kolkata")
    give_credits(s, 4, now=NOW)
    return s


@pytest.fixture
def session(now, student, mentor, service):
    return services.booking_create(student=student, mentor=mentor, service=service, starts_at=at("2027-03-15 10:00"),
                                   actor=student, now=NOW)


def text(response):
    return html.unescape(response.content.decode())


@pytest.mark.parametrize("start", EXTREME_STARTS)
def test_extreme_dates_on_the_booking_confirm_are_refused_plainly(client, now, student, mentor, service, start):
    client.force_login(student)
    url = reverse("scheduling:book-confirm", args=[mentor.pk, service.pk])
    for response in (client.get(url, {"start": start}, follow=True),
                     client.post(url, {"start": start, "booking_key": str(uuid.uuid4()), "weeks": 1}, follow=True)):
        assert response.status_code == 200
        assert "That time isn't a valid slot" in text(response)
    assert not Session.objects.exists()


@pytest.mark.parametrize("start", EXTREME_STARTS)
def test_extreme_dates_on_the_reschedule_confirm_are_refused_plainly(client, now, student, session, start):
    client.force_login(student)
    url = reverse("scheduling:session-reschedule-confirm", args=[session.pk])
    for response in (client.get(url, {"start": start}, follow=True), client.post(url, {"start": start}, follow=True)):
        assert response.status_code == 200
        assert "That time isn't a valid slot" in text(response)
    before = session.starts_at
    session.refresh_from_db()
    assert session.starts_at == before


@pytest.mark.parametrize("local", EXTREME_LOCAL)
def test_extreme_dates_on_a_flash_request_and_counter_are_refused_plainly(client, now, student, mentor, service,
                                                                          local):
    client.force_login(student)
    response = client.post(reverse("scheduling:flash-new", args=[mentor.pk]),
                           {"service": service.pk, "start_local": local, "topic": "Help"})
    assert response.status_code == 400
    assert "Pick a time in the coming weeks" in text(response)
    assert not FlashRequest.objects.exists()

    pending = flash.flash_request_create(student=student, mentor=mentor, service=service,
                                         starts_at=at("2027-03-20 10:00"), topic="Help", message="", now=NOW)
    client.force_login(mentor)
    response = client.post(reverse("scheduling:flash-counter", args=[pending.pk]), {"start_local": local},
                           follow=True)
    assert response.status_code == 200
    assert "Pick a time in the coming weeks" in text(response)
    pending.refresh_from_db()
    assert pending.status == FlashRequest.Status.PENDING and pending.counter_starts_at is None


@pytest.mark.parametrize("starts_on, ends_on", [
    ("0001-01-01", "0001-01-02"), ("0001-01-01", "9999-12-31"), ("9999-12-30", "9999-12-31"),
    ("2028-06-01", "2028-06-10"),  # more than twelve months ahead
])
def test_pauses_must_fall_within_the_next_twelve_months(client, now, student, starts_on, ends_on):
    client.force_login(student)
    response = client.post(reverse("scheduling:pause-requests"),
                           {"starts_on": starts_on, "ends_on": ends_on, "reason": "Travel"})
    assert response.status_code == 400
    page = text(response)
    assert "within the next 12 months" in page or "can't start in the past" in page
    assert not PauseRequest.objects.exists()


def test_a_pause_next_month_is_still_accepted(client, now, student):
    client.force_login(student)
    response = client.post(reverse("scheduling:pause-requests"),
                           {"starts_on": "2027-04-01", "ends_on": "2027-04-30", "reason": "Travel"})
    assert response.status_code == 302 and PauseRequest.objects.count() == 1


@pytest.mark.parametrize("starts_on, ends_on", [(date(9999, 12, 1), date(9999, 12, 31)), (date(1, 1, 1), date(1, 1, 2))])
def test_a_stored_pause_with_far_off_dates_can_still_be_decided(client, now, manager, student, starts_on, ends_on):
    pause = PauseRequest.objects.create(student=student, starts_on=starts_on, ends_on=ends_on, reason="Legacy",
                                        created_at=NOW)
    client.force_login(manager)
    url = reverse("admin:scheduling_pauserequest_decide", args=[pause.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"decision": "approve", "note": "Fine", "cancel_sessions": "on"})
    assert response.status_code == 302
    pause.refresh_from_db()
    assert pause.status == PauseRequest.Status.APPROVED
    assert services.apply_due(now=NOW) >= 0  # the sweep copes with it too


@pytest.mark.parametrize("token", ["abc\x00def", "%00", "\x00", "a" * 500, "../../etc/passwd", "ü" * 10])
def test_a_junk_calendar_token_is_a_404(client, token):
    StudentFactory(calendar_token="x" * 43)
    assert client.get(f"/calendar/{token}.ics").status_code == 404


def test_a_non_numeric_id_in_an_admin_url_is_never_a_500(client, manager):
    from django.contrib import admin

    client.force_login(manager)
    for model in admin.site._registry:
        opts = model._meta
        base = f"/admin/{opts.app_label}/{opts.model_name}/"
        for junk in ("abc", "1x", "%00", "9" * 30):
            for tail in ("change/", "history/", "delete/", "reassign/", "change-credits/", "decide/", "do/waive/"):
                response = client.get(f"{base}{junk}/{tail}")
                assert response.status_code in (302, 403, 404), (base, junk, tail, response.status_code)


def test_custom_admin_pages_answer_404_for_a_non_numeric_id(client, manager):
    client.force_login(manager)
    for url in ("/admin/credits/creditaccount/abc/change-credits/", "/admin/credits/creditaccount/%00/change-credits/"):
        assert client.get(url).status_code == 404
