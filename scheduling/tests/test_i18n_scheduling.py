"""Scheduling in English and Spanish: the 24-hour rule's one wording and its plural forms, the booking
and session pages with Spanish dates, a session's notes worded for each reader; English unchanged."""

import html
import re
import zoneinfo
from datetime import datetime, timedelta

import pytest
from django import forms as django_forms
from django.urls import reverse
from django.utils import translation

from accounts.tests.factories import MentorFactory, StudentFactory
from scheduling import services
from scheduling.allowance import BookingOutlook, cap_message
from scheduling.forms import local_to_utc
from scheduling.tests.helpers import at, bookable_mentor, give_credits
from scheduling.wording import cancellation_terms, note_text

NOW = at("2027-01-10 12:00")
SLOT = at("2027-01-12 15:00")
LONDON = zoneinfo.ZoneInfo("Europe/London")


def text(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def in_language(language, func, *args, **kwargs):
    with translation.override(language):
        return func(*args, **kwargs)


# --- the 24-hour rule -------------------------------------------------------------


def test_free_cancellation_sentence_in_both_languages():
    en = in_language("en", cancellation_terms, SLOT, now=NOW, tz=LONDON)
    es = in_language("es", cancellation_terms, SLOT, now=NOW, tz=LONDON)
    assert en.text == ("Free cancellation until Mon 11 Jan, 15:00 your time. "
                       "After that, cancelling or missing it forfeits the credit.")
    assert es.text == ("Cancelación gratuita hasta el lun 11 ene, 15:00 (tu hora). "
                       "Después, si la cancelas o no te presentas, se pierde el crédito.")
    assert en.kind == es.kind == "free"


def test_late_sentence_and_slot_note_in_both_languages():
    starts = NOW + timedelta(hours=5, minutes=20)
    en = in_language("en", cancellation_terms, starts, now=NOW, tz=LONDON)
    es = in_language("es", cancellation_terms, starts, now=NOW, tz=LONDON)
    assert en.text == "Starts in 5 h, so there is no free cancellation: cancelling or missing it forfeits the credit."
    assert es.text == ("Empieza en 5 h, así que ya no hay cancelación gratuita: "
                       "si la cancelas o no te presentas, se pierde el crédito.")
    assert en.short == "starts in 5 h — can't be cancelled for free"
    assert es.short == "empieza en 5 h — sin cancelación gratuita"
    soon = in_language("es", cancellation_terms, NOW + timedelta(minutes=45), now=NOW, tz=LONDON)
    assert soon.short == "empieza en 45 min — sin cancelación gratuita"


@pytest.mark.parametrize(("n", "english", "spanish"), [
    (1, "Your plan lets you hold 1 upcoming session at a time, and you have it booked.",
     "Tu plan te permite tener 1 sesión próxima a la vez, y ya la tienes reservada."),
    (2, "Your plan lets you hold 2 upcoming sessions at a time, and you have them booked.",
     "Tu plan te permite tener 2 sesiones próximas a la vez, y ya las tienes reservadas."),
])
def test_cap_message_plural_forms(n, english, spanish):
    assert in_language("en", cap_message, n) == english
    assert in_language("es", cap_message, n) == spanish


def _outlook(balance, max_upcoming=None, upcoming=0):
    return BookingOutlook(True, "", "", "", "", "", unlimited=False, balance=balance, max_upcoming=max_upcoming,
                          upcoming=upcoming)


def test_weeks_note_plural_forms():
    one = _outlook(1)
    assert in_language("en", one.weeks_note, 4) == "Up to 1 week fits: you have 1 credit left."
    assert in_language("es", one.weeks_note, 4) == "Cabe hasta 1 semana: te queda 1 crédito."
    two = _outlook(2, max_upcoming=3, upcoming=1)
    assert in_language("en", two.weeks_note, 4) == (
        "Up to 2 weeks fit: you have 2 credits left and your plan holds 3 upcoming at a time and you have 1.")
    assert in_language("es", two.weeks_note, 4) == (
        "Caben hasta 2 semanas: te quedan 2 créditos y tu plan admite 3 sesiones próximas a la vez y tienes 1.")


# --- session notes: stored in English, read in each language ---------------------------


def test_session_notes_are_worded_for_the_reader():
    assert in_language("es", note_text, "cancelled by your mentor: I'm ill") == "cancelada por tu mentor: I'm ill"
    assert in_language("en", note_text, "cancelled by your mentor: I'm ill") == "cancelled by your mentor: I'm ill"
    assert in_language("es", note_text, "cancelled by you 3 days before start") == (
        "cancelada por ti 3 días antes del inicio")
    assert in_language("es", note_text, "proposed Wed 13 Jan, 15:00: Clash") == "propuesta: mié 13 ene, 15:00: Clash"
    assert in_language("en", note_text, "proposed Wed 13 Jan, 15:00: Clash") == "proposed Wed 13 Jan, 15:00: Clash"
    assert in_language("es", note_text, "Her own words") == "Her own words"  # a person's note, as written
    assert in_language("es", note_text, "forfeited — left 5 h before start") == "perdida — dejaste la plaza 5 h antes del inicio"
    assert in_language("es", note_text, "cancelled by your success manager: paused 01 Feb – 05 Feb") == (
        "cancelada por tu responsable de seguimiento: en pausa del 01 feb al 05 feb")
    assert in_language("en", note_text, "cancelled by your success manager: paused 01 Feb – 05 Feb") == (
        "cancelled by your success manager: paused 01 Feb – 05 Feb")


# --- forms ---------------------------------------------------------------------------------


def test_daylight_saving_gap_is_explained_in_the_active_language():
    gap = datetime(2027, 3, 28, 1, 30)  # Europe/London jumps from 01:00 to 02:00
    with translation.override("es"), pytest.raises(django_forms.ValidationError) as spanish:
        local_to_utc(gap, LONDON)
    with translation.override("en"), pytest.raises(django_forms.ValidationError) as english:
        local_to_utc(gap, LONDON)
    assert spanish.value.messages == [
        "La hora 01:30 del 28 de marzo de 2027 no existe en Europe/London: esa noche se adelantan los relojes. "
        "Elige una hora fuera del salto."]
    assert english.value.messages == [
        "01:30 on 28 March 2027 doesn't exist in Europe/London: the clocks jump forward that night. "
        "Pick a time outside the jump."]


# --- pages ---------------------------------------------------------------------------------


@pytest.fixture
def booked(db, time_machine):
    time_machine.move_to(NOW, tick=False)
    mentor = MentorFactory(timezone="America/New_York", full_name="Ada Mentor", language="en")
    service = bookable_mentor(mentor, hours=range(9, 13))
    student = StudentFactory(timezone="Europe/London", full_name="Sam Student", language="es")
    give_credits(student, 4, now=NOW)
    session = services.booking_create(student=student, mentor=mentor, service=service, starts_at=SLOT,
                                      actor=student, now=NOW)
    return student, mentor, service, session


def test_confirm_page_in_spanish_with_spanish_dates_and_plural(client, booked):
    student, mentor, service, _ = booked
    client.force_login(student)
    url = reverse("scheduling:book-confirm", args=[mentor.pk, service.pk]) + "?start=2027-01-13T15:00:00Z"
    page = text(client.get(url))
    assert "Confirma tu reserva" in page
    assert "miércoles 13 de enero de 2027, 15:00–16:00" in page
    assert "1 crédito de sesión — te quedan 3" in page
    assert "Cancelación gratuita hasta el mar 12 ene, 15:00 (tu hora)." in page
    assert "Confirm your booking" not in page and "Free cancellation" not in page


def test_session_list_rows_in_each_persons_language(client, booked):
    student, mentor, _, session = booked
    client.force_login(student)
    spanish = text(client.get(reverse("scheduling:session-list")))
    assert "mar 12 ene, 15:00–16:00 · Coding" in spanish
    assert "con Ada Mentor Programada" in spanish
    assert "Cambiar la hora" in spanish and "Cancelar" in spanish
    client.force_login(mentor)  # English, in New York
    english = text(client.get(reverse("scheduling:session-list")))
    assert "Tue 12 Jan, 10:00–11:00 · Coding" in english
    assert "Sam Student Scheduled" in english and "Propose a new time" in english


def test_cancelling_in_spanish_reads_spanish_and_the_note_follows_the_reader(client, booked):
    student, mentor, _, session = booked
    client.force_login(student)
    page = text(client.post(reverse("scheduling:session-cancel", args=[session.pk]),
                            {"expect_forfeit": "0", "reason": ""}, follow=True))
    assert "Cancelada. Recuperas tu crédito — reserva otra hora cuando quieras." in page
    assert "Cancelada por ti 2 días antes del inicio" in page
    client.force_login(mentor)
    english = text(client.get(reverse("scheduling:session-detail", args=[session.pk])))
    assert "2 days before start" in english and "antes del inicio" not in english


def test_cancellation_email_note_in_the_recipients_language(booked):
    from accounts.models import OutboundEmail

    student, mentor, _, session = booked
    services.session_cancel(session=session, actor=mentor, now=NOW, reason="Flu")
    to_student = OutboundEmail.objects.filter(recipient=student, kind="session_cancelled").get()
    to_mentor = OutboundEmail.objects.filter(recipient=mentor, kind="session_cancelled").get()
    assert "(cancelada por tu mentor: Flu)" in to_student.body_text  # Spanish for the student
    assert "(cancelled by your mentor: Flu)" in to_mentor.body_text  # English for the mentor
