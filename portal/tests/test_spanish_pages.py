"""The portal's pages in each person's own language: Spanish wording, plurals and dates; English unchanged."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from mentorship.models import MentorAssignment
from mentorship.tests.factories import make_mentor, make_student, weekdays

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_afterwards():
    # A request by a Spanish speaker leaves Spanish active in this thread (the language middleware
    # doesn't deactivate it): don't let it leak into the tests that run next.
    yield
    translation.deactivate()


def test_the_overview_speaks_the_students_language_with_spanish_plurals_and_dates(client):
    student = make_student(timezone_name="Europe/Madrid", hours={0: range(9, 10)}, language="es")
    mentor = make_mentor(timezone_name="Europe/Madrid", hours={0: range(9, 10)}, full_name="Ada Mentora")
    MentorAssignment.objects.create(student=student, mentor=mentor, started_at=timezone.now(), reason="r")
    client.force_login(student)
    html = client.get(reverse("portal:overview")).content.decode()
    assert '<html lang="es">' in html
    assert "Tu mentor" in html and "Saltar al contenido principal" in html and "Cerrar sesión" in html
    assert '<span data-testid="shared-hours">1</span> hora en común a la semana' in html  # singular
    # "mié 25 nov, 19:07": Spanish day and month abbreviations, 24-hour clock.
    assert re.search(r"Estudiante · tu hora: (lun|mar|mié|jue|vie|sáb|dom) \d{1,2} [a-z]{3}, \d\d:\d\d", html)
    assert "Your mentor" not in html and "shared hour" not in html and "Sign out" not in html


def test_a_fractional_count_of_shared_hours_reads_plural_with_a_decimal_comma(client):
    # Kolkata is UTC+05:30: a London student and a Kolkata mentor share half hours.
    student = make_student(timezone_name="Europe/London", hours=weekdays(range(9, 12)), language="es")
    make_mentor(timezone_name="Asia/Kolkata", hours=weekdays(range(14, 16)), full_name="Ravi")
    client.force_login(student)
    html = client.get(reverse("portal:directory")).content.decode()
    match = re.search(r'<strong data-testid="shared-hours">([\d,]+)</strong> horas en común a la semana contigo', html)
    assert match and "," in match.group(1), html
    student.language = "en"
    student.save(update_fields=["language"])
    html = client.get(reverse("portal:directory")).content.decode()
    assert re.search(r'<strong data-testid="shared-hours">\d+\.5</strong> shared hours a week with you', html)


def test_the_mentor_page_pluralises_seats_and_years_in_spanish(client):
    student = make_student(language="es")
    mentor = make_mentor(capacity=1, full_name="Ada Mentora")
    mentor.mentor_profile.years_experience = 1
    mentor.mentor_profile.save()
    client.force_login(student)
    html = client.get(reverse("portal:mentor-detail", args=[mentor.pk])).content.decode()
    assert "queda 1 plaza" in html and "1 año" in html and "Zona horaria" in html


def test_the_agenda_heads_each_day_with_spanish_names(client):
    mentor = make_mentor(timezone_name="Europe/Madrid", language="es")
    client.force_login(mentor)
    html = client.get(reverse("portal:agenda"), {"week": "2027-03-01"}).content.decode()
    assert "lun 1 mar – dom 7 mar 2027" in html
    assert "lunes 1 mar" in html and "Semana siguiente →" in html and "Nada." in html


def test_a_visitor_gets_the_browsers_language_and_a_switcher_naming_each_language_in_itself(client):
    html = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "No hemos encontrado esa página" in html and '<html lang="es">' in html
    assert '<option value="en" lang="en">English</option>' in html
    assert '<option value="es" lang="es" selected>Español</option>' in html
    html = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "We couldn't find that page" in html and '<option value="en" lang="en" selected>English</option>' in html


def test_notification_settings_are_saved_with_a_spanish_message(client):
    student = make_student(language="es")
    client.force_login(student)
    response = client.post(reverse("portal:settings-notifications"), {"remind_last_chance": "on"}, follow=True)
    html = response.content.decode()
    assert "Guardado. Los correos de reservas, cambios y cancelaciones se envían siempre." in html
    assert "Recordatorios por correo" in html


def test_the_date_override_message_uses_spanish_day_and_month_names(client):
    mentor = make_mentor(timezone_name="Europe/Madrid", language="es")
    client.force_login(mentor)
    day = mentor.local_now().date() + datetime.timedelta(days=7)
    response = client.post(reverse("mentorship:availability"), {
        "override": "1", "date": day.isoformat(), "from_hour": "9", "until_hour": "12", "note": ""}, follow=True)
    html = response.content.decode()
    assert re.search(r"Horas guardadas para el (lun|mar|mié|jue|vie|sáb|dom) \d{1,2} [a-z]{3}: 09:00–12:00\.", html)


def test_the_directory_filter_names_languages_in_the_readers_language(client):
    from mentorship.models import Language

    Language.objects.create(name="English")
    Language.objects.create(name="Klingon")
    client.force_login(make_student(language="es"))
    html = client.get(reverse("portal:directory")).content.decode()
    assert re.search(r">[Ii]nglés</option>", html) and ">Klingon</option>" in html and ">Cualquier idioma</option>" in html
