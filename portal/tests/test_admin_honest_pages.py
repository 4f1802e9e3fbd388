"""Admin pages say what is true: no Save button that saves nothing, no link that answers 403, one title,
a waived forfeit reads as such, and every time is in the zone of the person it concerns, named."""

import html
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.timefmt import format_span, format_when, when_html
from credits.models import CreditRequest
from scheduling.models import PauseRequest, Session, SessionStatus
from scheduling.tests.helpers import at, bookable_mentor, give_credits

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html.unescape(response.content.decode())


def test_a_time_reads_in_the_persons_zone_with_the_zone_named_and_utc_on_hover():
    moment = at("2026-11-30 19:00")
    assert format_when(moment, "America/New_York", now=moment) == "Mon 30 Nov, 14:00 (America/New_York)"
    assert format_when(moment, "Asia/Kolkata", now=moment) == "Tue 1 Dec, 00:30 (Asia/Kolkata)"
    assert format_when(moment, "Europe/London", now=at("2027-02-01 00:00")) == "Mon 30 Nov 2026, 19:00 (Europe/London)"
    assert format_span(moment, moment + timedelta(hours=1), "America/New_York", now=moment) == \
        "Mon 30 Nov, 14:00–15:00 (America/New_York)"
    tag = str(when_html(moment, "America/New_York", now=moment))
    assert tag == ('<time datetime="2026-11-30T19:00:00Z" title="Mon 30 Nov 2026, 19:00 UTC">'
                   "Mon 30 Nov, 14:00 (America/New_York)</time>")
    assert format_when(None) == "—"


@pytest.fixture
def waived(student, mentor):
    service = bookable_mentor(mentor)
    starts = (timezone.now() - timedelta(days=2)).replace(microsecond=0)
    return Session.objects.create(student=student, mentor=mentor, service=service, starts_at=starts,
                                  ends_at=starts + timedelta(hours=1), status=SessionStatus.FORFEITED,
                                  forfeit_waived_at=timezone.now(), created_at=starts - timedelta(days=2))


def test_a_session_page_has_no_save_buttons_and_a_waived_forfeit_says_so(client, manager, waived):
    client.force_login(manager)
    page = text(client.get(reverse("admin:scheduling_session_change", args=[waived.pk])))
    assert 'name="_save"' not in page and 'name="_continue"' not in page and 'name="_addanother"' not in page
    assert "Forfeit waived — credit returned" in page
    assert "(America/New_York)" in page  # the student's zone, named
    listing = text(client.get(reverse("admin:scheduling_session_changelist")))
    assert "Forfeit waived — credit returned" in listing
    student_page = text(client.get(reverse("admin:mentorship_studentaccount_change", args=[waived.student.pk])))
    assert "Forfeit waived — credit returned" in student_page and "(waived)" not in student_page


def test_read_only_records_show_no_save_buttons(client, manager, student):
    give_credits(student, 2)
    request = CreditRequest.objects.create(student=student, message="More please", created_at=timezone.now())
    pause = PauseRequest.objects.create(student=student, starts_on=timezone.now().date() + timedelta(days=10),
                                        ends_on=timezone.now().date() + timedelta(days=12), reason="Exams",
                                        created_at=timezone.now())
    client.force_login(manager)
    for url in (reverse("admin:credits_creditrequest_change", args=[request.pk]),
                reverse("admin:scheduling_pauserequest_change", args=[pause.pk]),
                reverse("admin:credits_creditaccount_change", args=[student.credit_account.pk])):
        page = text(client.get(url))
        assert 'name="_save"' not in page and 'name="_continue"' not in page, url


def test_action_pages_show_their_title_once(client, manager, waived, student):
    waived.status, waived.forfeit_waived_at = SessionStatus.FORFEITED, None
    waived.save()
    pause = PauseRequest.objects.create(student=student, starts_on=timezone.now().date() + timedelta(days=10),
                                        ends_on=timezone.now().date() + timedelta(days=12), reason="Exams",
                                        created_at=timezone.now())
    client.force_login(manager)
    page = text(client.get(reverse("admin:scheduling_session_action", args=[waived.pk, "waive"])))
    assert page.count("<h1>") == 1 and page.count("Waive forfeit (refund the credit)</h1>") == 1
    page = text(client.get(reverse("admin:scheduling_pauserequest_decide", args=[pause.pk])))
    assert page.count("<h1>") == 1


def test_a_manager_is_offered_no_password_link_they_cannot_follow(client, manager, student):
    client.force_login(manager)
    page = text(client.get(reverse("admin:accounts_user_change", args=[student.pk])))
    assert "../password/" not in page and reverse("admin:auth_user_password_change", args=[student.pk]) not in page


def test_the_students_list_shows_why_a_student_is_at_risk(client, manager, student):
    client.force_login(manager)
    page = text(client.get(reverse("admin:mentorship_studentaccount_changelist")))
    assert "nothing booked; no plan; no weekly hours" in page


def test_every_admin_list_a_manager_may_see_opens_with_times_written_one_way(client, manager, waived):
    from django.contrib import admin

    from accounts.emails import send_templated_email

    send_templated_email(name="manager_message", to=waived.student,
                         context={"subject": "Hi", "message": "Hello", "sender": manager})
    client.force_login(manager)
    opened = 0
    for model, model_admin in admin.site._registry.items():
        request = type("R", (), {"user": manager})()
        if not model_admin.has_view_permission(request):
            continue
        opts = model._meta
        response = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        assert response.status_code == 200, opts.label
        assert " p.m." not in text(response) and " a.m." not in text(response), opts.label
        opened += 1
    assert opened >= 15


def test_record_pages_write_their_times_one_way_too(client, manager, waived):
    from accounts.emails import send_templated_email
    from credits.models import LedgerEntry

    give_credits(waived.student, 2)
    (email,) = send_templated_email(name="manager_message", to=waived.student,
                                    context={"subject": "Hi", "message": "Hello", "sender": manager})
    client.force_login(manager)
    for url in (reverse("admin:scheduling_session_change", args=[waived.pk]),
                reverse("admin:accounts_outboundemail_change", args=[email.pk]),
                reverse("admin:credits_ledgerentry_change", args=[LedgerEntry.objects.first().pk]),
                reverse("admin:credits_creditaccount_change", args=[waived.student.credit_account.pk])):
        page = text(client.get(url))
        assert " p.m." not in page and " a.m." not in page, url
        assert "(America/New_York)" in page, url
