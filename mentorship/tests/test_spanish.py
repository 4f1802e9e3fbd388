"""Mentorship texts in Spanish: the matching explanation, the grid's words and messages, the script catalog."""

import pytest
from django.urls import reverse
from django.utils import translation

from mentorship import weekgrid
from mentorship.selectors import MentorMatch

from .factories import make_student


@pytest.fixture(autouse=True)
def _english_afterwards():
    # A request by a Spanish speaker leaves Spanish active in this thread (the language middleware
    # doesn't deactivate it): don't let it leak into the tests that run next.
    yield
    translation.deactivate()


def match(**kwargs):
    values = {"mentor_id": 1, "full_name": "Ada", "timezone": "UTC", "shared_hours": 1.0, "skills_matched": 1,
              "skills_wanted": 1, "capacity": 5, "active_students": 4, "accepting": True}
    return MentorMatch(**{**values, **kwargs})


def test_the_explanation_is_spanish_with_the_right_plural_forms():
    with translation.override("es"):
        assert match().explanation == "1 hora en común a la semana · 1 de 1 habilidad · queda 1 plaza"
        assert match(shared_hours=7.5, skills_wanted=3, active_students=2).explanation == (
            "7,5 horas en común a la semana · 1 de 3 habilidades · quedan 3 plazas")
        assert match(shared_hours=0, accepting=False).explanation.startswith("Ninguna hora en común esta semana")
    with translation.override("en"):
        assert match(shared_hours=7.5, skills_wanted=3, active_students=2).explanation == (
            "7.5 shared hours a week · 1 of 3 skills · 3 seats left")


def test_the_grid_labels_follow_the_language():
    with translation.override("es"):
        assert weekgrid.cell_label(weekgrid.cell_index(1, 9)) == "Martes 09:00–10:00"
        assert weekgrid.format_hours(2.75) == "2,75"
    with translation.override("en"):
        assert weekgrid.cell_label(weekgrid.cell_index(1, 9)) == "Tuesday 09:00–10:00"


@pytest.mark.django_db
def test_the_grid_page_and_its_saved_message_in_spanish(client):
    student = make_student(language="es")
    client.force_login(student)
    url = reverse("mentorship:availability")
    html = client.get(url).content.decode()
    assert "Martes 09:00–10:00" in html and ">Lun</th>" in html
    assert '<span data-grid-plural>horas a la semana seleccionadas.</span>' in html
    html = client.post(url, {"cell": ["9"]}, follow=True).content.decode()
    assert "Guardado: 1 hora a la semana." in html
    assert '<span data-grid-plural>hora a la semana seleccionada.</span>' in html
    html = client.post(url, {"cell": ["nine"]}).content.decode()
    assert "No se ha guardado nada: «nine» no es una hora de la semana" in html


@pytest.mark.django_db
def test_the_script_catalog_carries_the_grid_and_time_zone_words(client):
    body = client.get(reverse("javascript-catalog"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    for spanish in ("hora a la semana seleccionada.", "horas a la semana seleccionadas.", "Buscar zonas horarias",
                    "la zona de este dispositivo"):
        assert spanish in body
