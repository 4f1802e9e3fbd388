"""Each person reads emails and invites about the same session in their own language.

Needs the compiled catalogue (bin/setup compiles locale/es/LC_MESSAGES/django.po).
"""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import translation
from icalendar import Calendar

from accounts.emails import preview_email
from accounts.models import OutboundEmail
from accounts.tests.factories import MentorFactory, StudentFactory
from scheduling import services
from scheduling.calendar import google_calendar_url
from scheduling.tests.helpers import at, bookable_mentor, give_credits

pytestmark = pytest.mark.django_db
NOW = at("2026-11-20 12:00")
STARTS = at("2026-11-30 10:00")  # a Monday


def _summary_and_description(row):
    event = Calendar.from_ical(row.ics).walk("VEVENT")[0]
    return str(event["SUMMARY"]), str(event["DESCRIPTION"])


@pytest.fixture
def booked(django_capture_on_commit_callbacks):
    mentor = MentorFactory(full_name="Ada Mentor", timezone="America/New_York", language="en")
    service = bookable_mentor(mentor, hours=range(0, 24))
    student = StudentFactory(full_name="Lucía Estudiante", timezone="Europe/Madrid", language="es")
    give_credits(student, 3, now=NOW)
    with django_capture_on_commit_callbacks(execute=True):
        return services.booking_create(student=student, mentor=mentor, service=service, starts_at=STARTS,
                                       actor=student, now=NOW)


def test_the_spanish_student_reads_spanish_and_the_english_mentor_english(booked):
    student_mail = OutboundEmail.objects.get(kind="session_booked", recipient=booked.student)
    mentor_mail = OutboundEmail.objects.get(kind="session_booked", recipient=booked.mentor)
    name = booked.service.name

    # Spanish words, Spanish date ("lun 30 nov"), 24-hour clock, the student's own zone (Madrid, 11:00).
    assert student_mail.subject.startswith(f"Reservada: {name} el lun 30 nov, 11:00")
    assert "Hola, Lucía:" in student_mail.body_text
    assert "Tu sesión con Ada Mentor está reservada." in student_mail.body_text
    assert "Página de la sesión:" in student_mail.body_text
    assert "Tu sesión con <strong>Ada Mentor</strong> está reservada." in student_mail.body_html
    assert 'lang="es"' in student_mail.body_html and "Las horas se muestran en tu zona horaria" in student_mail.body_html
    for english in ("Hello", "is booked", "Session page", "Mon 30 Nov"):
        assert english not in student_mail.subject + student_mail.body_text

    # The same event, in English for the mentor (New York, 05:00).
    assert mentor_mail.subject.startswith(f"Booked: {name} on Mon 30 Nov, 05:00")
    assert "Hello Ada," in mentor_mail.body_text
    assert "Lucía Estudiante booked a session with you." in mentor_mail.body_text
    assert 'lang="en"' in mentor_mail.body_html
    assert "lun" not in mentor_mail.subject

    # The invites: summary and description in each person's language; the deadline in UTC.
    summary, description = _summary_and_description(student_mail)
    assert summary == f"{name}: Lucía Estudiante y Ada Mentor"
    assert "Página de la sesión:" in description and "Videollamada: https://meet.example.com/ada" in description
    assert "Cancelación gratuita hasta el dom 29 nov, 10:00 UTC." in description
    summary, description = _summary_and_description(mentor_mail)
    assert summary == f"{name}: Lucía Estudiante & Ada Mentor"
    assert "Free cancellation until Sun 29 Nov, 10:00 UTC." in description


def test_a_cancellation_by_the_english_mentor_reaches_the_student_in_spanish(booked,
                                                                             django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.session_cancel(session=booked, actor=booked.mentor, now=NOW)
    student_mail = OutboundEmail.objects.get(kind="session_cancelled", recipient=booked.student)
    mentor_mail = OutboundEmail.objects.get(kind="session_cancelled", recipient=booked.mentor)
    assert student_mail.subject.startswith(f"Cancelada: {booked.service.name} el lun 30 nov, 11:00")
    assert "Ada Mentor canceló la sesión entre Lucía Estudiante y Ada Mentor del lun 30 nov, 11:00" in student_mail.body_text
    assert "Se te ha devuelto el crédito a tu cuenta." in student_mail.body_text
    assert "The session between Lucía Estudiante and Ada Mentor on Mon 30 Nov, 05:00" in mentor_mail.body_text
    assert "was cancelled by you." in mentor_mail.body_text


def test_the_google_calendar_link_follows_the_active_language(booked):
    with translation.override("es"):
        assert "Estudiante+y+Ada+Mentor" in google_calendar_url(booked)
    with translation.override("en"):
        assert "Estudiante+%26+Ada+Mentor" in google_calendar_url(booked)


@pytest.mark.parametrize(("language", "amount", "subject"), [
    ("en", 1, "Your December sessions are ready: 1 credit"),
    ("en", 4, "Your December sessions are ready: 4 credits"),
    ("es", 1, "Tus sesiones de diciembre están listas: 1 crédito"),
    ("es", 4, "Tus sesiones de diciembre están listas: 4 créditos"),
])
def test_the_monthly_reset_email_has_the_right_plural_in_both_languages(language, amount, subject):
    student = StudentFactory(language=language)
    context = {"entry": SimpleNamespace(period=dt.date(2026, 12, 1), amount=amount),
               "plan": SimpleNamespace(name="Basic"), "expired": 1}
    got_subject, text = preview_email(name="credits_reset", to=student, context=context)
    assert got_subject == subject
    expired = {"en": "1 unused session from last month expired at the reset.",
               "es": "1 sesión sin usar del mes pasado caducó con el reinicio."}[language]
    assert expired in text


@pytest.mark.parametrize(("sessions", "headline"), [(1, "Te queda 1 sesión en tu paquete"),
                                                     (3, "Te quedan 3 sesiones en tu paquete")])
def test_the_credits_page_speaks_spanish(client, sessions, headline):
    student = StudentFactory(language="es")
    give_credits(student, sessions, now=NOW)
    client.force_login(student)
    page = client.get(reverse("credits:history")).content.decode()
    assert headline in page
    assert "Conseguir más sesiones" in page and "Historial" in page and "Concesión: Plan" in page
    for english in ("left in your pack", "Get more sessions", "Granted"):
        assert english not in page
