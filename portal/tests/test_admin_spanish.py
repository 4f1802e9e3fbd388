"""The success managers' admin in Spanish: pages, plurals, charts, conflicts and the page script's strings.

The English wording is covered by the other admin tests; these check that a
manager whose language is Spanish reads Spanish, with Spanish dates.
"""

import html
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.tests.factories import MentorFactory
from credits.models import Enrolment
from mentorship.models import MentorAssignment
from portal import charts
from portal.dashboard import Scope, dashboard
from scheduling import at_risk, services
from scheduling.services.reassign import move_conflicts
from scheduling.tests.helpers import at, bookable_mentor, give_credits

pytestmark = pytest.mark.django_db
NOW = at("2027-01-10 12:00")  # a Sunday in January: "ene" in Spanish


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def spanish_manager(manager):
    manager.language = "es"
    manager.save(update_fields=["language"])
    return manager


def pair_with_a_session(student, mentor, manager):
    """The student paired with the mentor (by `manager`), holding a pack and one session with them next
    Tuesday: (service, session)."""
    service = bookable_mentor(mentor, hours=range(0, 24))
    MentorAssignment.objects.create(student=student, mentor=mentor, started_at=NOW - timedelta(days=30),
                                    reason="start", assigned_by=manager)
    give_credits(student, 5, now=NOW)
    session = services.booking_create(student=student, mentor=mentor, service=service, starts_at=at("2027-01-12 10:00"),
                                      actor=student, now=NOW)
    return service, session


@pytest.fixture
def paired(student, mentor, spanish_manager):
    """Sam is paired with Ada, holds a pack and one session with her next Tuesday."""
    return pair_with_a_session(student, mentor, spanish_manager)


def text(response) -> str:
    return html.unescape(response.content.decode())


def test_the_student_page_is_in_spanish_with_spanish_dates(client, spanish_manager, student, paired):
    client.force_login(spanish_manager)
    page = text(client.get(reverse("admin:mentorship_studentaccount_change", args=[student.pk])))

    assert '<html lang="es"' in page
    for spanish in ("Plan y créditos", "Próximas (1)", "Pasadas y canceladas (0)", "Reasignar mentor",
                    "Cambios de los responsables de seguimiento", "Últimos 2 movimientos.",
                    "desde el 10 ene 2027", "mar 12 ene, 05:00–06:00"):
        assert spanish in page, spanish
    for english in ("Plan and credits", "Upcoming (1)", "Changes by success managers", "Latest 2 entries.",
                    "No pause requests.", "Credit ledger, newest first"):
        assert english not in page, english


def test_the_reassign_page_and_its_conflicts_are_in_spanish(client, spanish_manager, student, mentor, paired):
    nia = MentorFactory(full_name="Nia New", timezone="Europe/London", is_active=False)
    client.force_login(spanish_manager)
    page = text(client.get(reverse("admin:mentorship_reassign", args=[student.pk])))

    assert "Próximas sesiones con Ada Mentor" in page and "Sugerencias, de mejor a peor" in page
    assert "Mantener con el mentor anterior" in page and "Elige un mentor arriba" in page
    # The page's script reads its words from the JavaScript catalog, loaded before it.
    assert page.index(reverse("javascript-catalog")) < page.index("js/admin-reassign.js")
    _, session = paired
    with translation.override("es"):
        assert move_conflicts(sessions=[session], new_mentor=nia, now=NOW) == {
            session.pk: "Nia New no es un mentor activo."}
    with translation.override("en"):
        assert move_conflicts(sessions=[session], new_mentor=nia, now=NOW) == {
            session.pk: "Nia New is not an active mentor."}


def test_the_javascript_catalog_carries_the_reassign_script_words(client):
    catalog = client.get(reverse("javascript-catalog"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Se comprueba al enviar" in catalog and "No: %(why)s" in catalog


def _risky(**counts):
    defaults = {"risk_misses": True, "risk_forfeits": 0, "risk_no_shows": 0, "risk_group_no_shows": 0,
                "risk_no_upcoming": False, "risk_no_credits": False, "risk_no_hours": False,
                "risk_plan_kind": "pack", "risk_plan_name": "Pack 5"}
    defaults.update(counts)
    defaults["risk_missed"] = defaults["risk_forfeits"] + defaults["risk_no_shows"] + defaults["risk_group_no_shows"]
    return SimpleNamespace(**defaults)


def test_at_risk_reasons_agree_with_their_numbers_in_both_languages():
    one_each = _risky(risk_forfeits=1, risk_no_shows=1)
    two_no_shows = _risky(risk_no_shows=2, risk_no_credits=True)
    with translation.override("en"):
        assert at_risk.reasons_for(one_each) == [
            "Missed 2 sessions in the last 30 days (1 forfeited by a late cancellation, 1 no-show)."]
        assert at_risk.reasons_for(two_no_shows) == [
            "Missed 2 sessions in the last 30 days (2 no-shows).", "No credits left on “Pack 5”."]
    with translation.override("es"):
        assert at_risk.reasons_for(one_each) == [
            "Perdió 2 sesiones en los últimos 30 días (1 perdida por cancelación tardía, 1 ausencia)."]
        assert at_risk.reasons_for(two_no_shows) == [
            "Perdió 2 sesiones en los últimos 30 días (2 ausencias).",
            "No le quedan créditos en «Pack 5»."]
        assert at_risk.short_reasons(two_no_shows) == ["2 perdidas en 30 días", "sin créditos"]
        assert str(at_risk.REASONS["misses"]) == "2 o más sesiones perdidas en 30 días"


def test_the_dashboard_charts_name_their_weeks_in_the_readers_language(mentor, paired):
    board = dashboard(Scope(), now=NOW)
    with translation.override("es"):
        svg = charts.sessions_svg(board).decode()
        table = charts.sessions_table(board)
    assert "Sesiones por semana" in svg and "04 ene" in svg
    assert table.header[:3] == ["Semana del", "Reservadas", "Completadas"]
    with translation.override("en"):
        assert "04 Jan" in charts.sessions_svg(board).decode()


def test_the_dashboard_csv_is_for_people_so_its_header_follows_the_language(client, spanish_manager, paired):
    client.force_login(spanish_manager)
    response = client.get(reverse("programme:chart-csv", args=["credits"]))
    assert response.content.decode().splitlines()[0] == "Plan,Créditos concedidos,Sesiones usadas"


def test_the_session_export_keeps_its_machine_readable_header(client, spanish_manager, paired):
    _, session = paired
    client.force_login(spanish_manager)
    response = client.post(reverse("admin:scheduling_session_changelist"),
                           {"action": "export_csv", "_selected_action": [session.pk]})
    assert response.content.decode().splitlines()[0].startswith("id,starts (UTC),ends (UTC)")


def test_an_enrolment_action_message_is_a_spanish_plural(client, spanish_manager, student, paired):
    client.force_login(spanish_manager)
    enrolment = Enrolment.objects.get(student=student)
    response = client.post(reverse("admin:credits_enrolment_changelist"),
                           {"action": "pause_selected", "_selected_action": [enrolment.pk]}, follow=True)
    assert "1 inscripción pausada." in text(response)


def test_the_at_risk_page_counts_in_spanish(client, spanish_manager, student, paired):
    client.force_login(spanish_manager)
    page = text(client.get(reverse("admin:portal_students_at_risk")))
    assert "Estudiantes en riesgo" in page and "1 estudiante." in page
    assert "No ha indicado su disponibilidad semanal." in page
