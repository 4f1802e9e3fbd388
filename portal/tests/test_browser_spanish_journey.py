"""Lucía's browser speaks Spanish: she signs up, books, cancels and reads her emails in
Spanish with Spanish dates, while Ada, her English-speaking mentor, is told about the
same session in English — in Chromium, through the real pages.

The Spanish the test expects is read from the catalogue (`gettext` under Spanish), so
the test follows the translation's wording; that it really is Spanish, not the English
left in place, is asserted too.
"""

import re
from datetime import date, timedelta

import pytest
from django.core import mail
from django.utils import dateformat, translation
from django.utils.translation import gettext

from accounts.models import OutboundEmail, User
from accounts.tests.factories import PASSWORD, MentorFactory
from scheduling.models import Session, SessionStatus
from scheduling.tests.helpers import bookable_mentor, give_credits

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SPANISH_DAYS = ("lun", "mar", "mié", "jue", "vie", "sáb", "dom")


def es(text: str) -> str:
    with translation.override("es"):
        spanish = gettext(text)
    assert spanish != text, f"no Spanish for {text!r}"
    return spanish


def test_a_spanish_speaker_signs_up_books_cancels_and_reads_spanish_while_her_mentor_reads_english(
        spanish_page, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    page = spanish_page
    mentor = MentorFactory(full_name="Ada Mentor", timezone="Europe/London")
    assert mentor.language == "en"
    service = bookable_mentor(mentor, hours=range(0, 24))

    # Sign up: the page and the language field follow the browser.
    page.goto("/accounts/signup/")
    assert page.evaluate("document.documentElement.lang") == "es"
    assert page.locator("#id_language").input_value() == "es"
    assert page.locator("#id_timezone").input_value() == "Europe/Madrid"
    page.fill("#id_email", "lucia@example.com")
    page.fill("#id_full_name", "Lucía Pérez")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_url("**/accounts/confirm-email/")
    lucia = User.objects.get(email="lucia@example.com")
    assert lucia.language == "es"

    confirmation = mail.outbox[-1]
    assert re.search(r"\b(confirma|correo)\b", confirmation.subject + confirmation.body, re.IGNORECASE)
    page.goto(re.search(r"http://[^\s]+/accounts/confirm-email/[^\s]+/", confirmation.body).group(0))
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/accounts/login/")
    page.fill("#id_login", "lucia@example.com")
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/overview/")
    assert page.get_by_role("link", name=es("Sessions")).first.is_visible()  # the navigation is Spanish

    # Book a slot well outside 24 hours: the rule is shown in Spanish before the click.
    give_credits(lucia, 2)
    page.goto(f"/book/{mentor.pk}/{service.pk}/?week={(date.today() + timedelta(days=9)).isoformat()}")
    assert page.evaluate("document.documentElement.lang") == "es"
    page.locator('.slot-days a[data-within-24h="false"]').first.click()
    deadline = page.get_by_test_id("confirm-deadline").inner_text()
    assert "cancel" in deadline.lower() and "cancellation" not in deadline.lower()  # "cancelación", not English
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_url("**/sessions/*/")
    session = Session.objects.get(student=lucia)
    assert page.evaluate("document.documentElement.lang") == "es"

    # Cancel in time: the credit comes back, said in Spanish.
    page.get_by_role("link", name=es("Cancel session")).click()
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_url("**/sessions/*/")
    session.refresh_from_db()
    assert session.status == SessionStatus.CANCELLED

    # Her emails are Spanish, with Spanish dates in her zone; Ada's about the same session English.
    local = session.starts_at.astimezone(lucia.tzinfo)
    with translation.override("es"):
        spanish_day = dateformat.format(local, "D j b")
    assert spanish_day.split()[0] in SPANISH_DAYS
    hers = {e.kind: e for e in OutboundEmail.objects.filter(recipient=lucia)}
    his = {e.kind: e for e in OutboundEmail.objects.filter(recipient=mentor)}
    assert {"session_booked", "session_cancelled"} <= hers.keys() and {"session_booked", "session_cancelled"} <= his.keys()
    for kind in ("session_booked", "session_cancelled"):
        email = hers[kind]
        assert spanish_day in email.body_text, (kind, email.body_text)
        assert not re.search(r"\b(the|your|session)\b", email.subject + email.body_text, re.IGNORECASE), email.body_text
        english = his[kind]
        assert re.search(r"\b(session|the)\b", english.subject + english.body_text, re.IGNORECASE)
        assert not any(f" {day} " in english.body_text for day in ("lun", "mar", "mié", "jue", "vie", "sáb", "dom"))
    # The invite's summary too.
    assert "SUMMARY" in hers["session_booked"].ics
    summary_es = re.search(r"SUMMARY:(.*)", hers["session_booked"].ics).group(1)
    summary_en = re.search(r"SUMMARY:(.*)", his["session_booked"].ics).group(1)
    assert summary_es != summary_en
