"""Group sessions and flash requests in Spanish: pages, messages and plurals in the
reader's language (English stays as it was; the other tests assert it)."""

import html
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.tests.factories import MentorFactory, StudentFactory
from scheduling import flash
from scheduling.flash import FlashError
from scheduling.tests.group_helpers import give_group_credits, schedule
from scheduling.tests.helpers import at, bookable_mentor

pytestmark = pytest.mark.django_db

NOW = at("2027-03-10 12:00")  # a Wednesday
STARTS = at("2027-03-13 18:00")  # Saturday 13 March, 19:00 in Madrid


@pytest.fixture
def now(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


@pytest.fixture
def mentor():
    return MentorFactory(full_name="Ada Mentor", timezone="Europe/London", language="en")


@pytest.fixture
def student():
    s = StudentFactory(full_name="Sofía Estudiante", timezone="Europe/Madrid", language="es")
    give_group_credits(s, 2, sessions=4, now=NOW)
    return s


@pytest.fixture
def group(now, mentor):
    return schedule(mentor, STARTS, now=now, seats=3, title="Entrevistas")


def text(response) -> str:
    return html.unescape(response.content.decode())


def test_a_spanish_student_reads_the_group_page_in_spanish_with_spanish_dates(client, student, group):
    client.force_login(student)
    page = text(client.get(reverse("scheduling:group-detail", args=[group.pk])))
    assert 'lang="es"' in page
    assert "sábado 13 de marzo, 19:00–20:00" in page and "con Ada Mentor" in page
    assert "0 de 3 plazas ocupadas · quedan 3" in page
    assert "Cancelación gratuita hasta el <strong>vie 12 mar, 19:00</strong>, hora tuya" in page
    assert "Reservar una plaza" in page
    assert "Free cancellation" not in page and "seats taken" not in page


def test_seats_left_agree_with_the_count_in_both_languages(client, student, group):
    other = StudentFactory(language="es")
    give_group_credits(other, 2, now=NOW)
    client.force_login(other)
    response = client.post(reverse("scheduling:group-book", args=[group.pk]), follow=True)
    assert "¡Plaza reservada! Te hemos enviado la invitación por correo." in text(response)
    client.force_login(student)
    client.post(reverse("scheduling:group-book", args=[group.pk]))
    spanish = text(client.get(reverse("scheduling:group-detail", args=[group.pk])))
    assert "2 de 3 plazas ocupadas · queda 1" in spanish
    listing = text(client.get(reverse("scheduling:group-list")))
    assert "Tu plaza" in listing
    student.language = "en"
    student.save(update_fields=["language"])
    english = text(client.get(reverse("scheduling:group-detail", args=[group.pk])))
    assert "2 of 3 seats taken · 1 left" in english and "Saturday 13 March, 19:00–20:00" in english


def test_the_seat_count_of_the_list_uses_the_spanish_plural(client, now, mentor, student):
    roomy = schedule(mentor, STARTS + timedelta(days=1), now=now, seats=2, title="Charla")
    one_left = StudentFactory(language="es")
    give_group_credits(one_left, 1, now=NOW)
    from scheduling import services

    services.group_seat_book(group=roomy, student=one_left, actor=one_left, now=now)
    client.force_login(student)
    listing = text(client.get(reverse("scheduling:group-list")))
    assert "Queda 1 de 2 plazas" in listing and "seats left" not in listing


def test_a_mentor_scheduling_weekly_reads_the_plural_in_their_language(client, now, mentor):
    bookable_mentor(mentor)
    mentor.language = "es"
    mentor.save(update_fields=["language"])
    client.force_login(mentor)
    form = client.get(reverse("scheduling:group-schedule"))
    assert "Cada semana durante 3 semanas" in text(form) and "Entre 2 y 100." in text(form)
    response = client.post(reverse("scheduling:group-schedule"), {
        "title": "Semanal", "start_local": "2027-03-20T10:00", "duration_minutes": "60", "seats": "5",
        "weeks": "3"}, follow=True)
    assert "3 sesiones grupales programadas." in text(response)
    mentor.language = "en"
    mentor.save(update_fields=["language"])
    response = client.post(reverse("scheduling:group-schedule"), {
        "title": "Once", "start_local": "2027-03-21T10:00", "duration_minutes": "60", "seats": "5",
        "weeks": "1"}, follow=True)
    assert "Scheduled 1 group session." in text(response)


def test_flash_refusals_are_worded_in_the_active_language(now, mentor):
    service = bookable_mentor(mentor)
    student = StudentFactory(language="es")
    give_group_credits(student, 0, sessions=4, now=NOW)
    with translation.override("es"), pytest.raises(FlashError) as exc:
        flash.flash_request_create(student=student, mentor=mentor, service=service, starts_at=NOW - timedelta(hours=1),
                                   topic="Hola", message="", now=NOW)
    assert exc.value.message == "Esa hora ya pasó. Elige una hora futura."
    with translation.override("es"), pytest.raises(FlashError) as exc:
        flash.flash_request_create(student=student, mentor=mentor, service=service,
                                   starts_at=NOW + timedelta(days=400), topic="Hola", message="", now=NOW)
    assert exc.value.message.startswith("Esa hora está demasiado lejos; elige una antes del ")
    assert " de " in exc.value.message  # "9 de junio": a Spanish day and month
    with translation.override("en"), pytest.raises(FlashError) as exc:
        flash.flash_request_create(student=student, mentor=mentor, service=service, starts_at=NOW - timedelta(hours=1),
                                   topic="Hola", message="", now=NOW)
    assert exc.value.message == "That time has already passed. Pick a time in the future."


def test_the_flash_page_reads_in_spanish(client, now, mentor):
    service = bookable_mentor(mentor)
    student = StudentFactory(language="es", timezone="Europe/Madrid")
    give_group_credits(student, 0, sessions=4, now=NOW)
    flash.flash_request_create(student=student, mentor=mentor, service=service, starts_at=at("2027-03-13 20:00"),
                               topic="Revisión de código", message="", now=NOW)
    client.force_login(student)
    page = text(client.get(reverse("scheduling:flash-list")))
    assert "Solicitudes flash" in page and "Solicitudes abiertas" in page
    assert 'Solicitada para el <span data-testid="flash-proposed">sáb 13 mar 2027, 21:00</span>' in page
    assert "Tema: Revisión de código" in page and "Retirar" in page
