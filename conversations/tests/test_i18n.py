"""Conversations in Spanish: the inbox and thread pages, refusals and plurals in the
reader's language (the English wording is asserted by the other tests)."""

import html
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import translation

from conversations import services
from conversations.errors import ConversationError, RateLimited
from conversations.forms import MessageForm
from conversations.links import session_message_link
from conversations.tests.conftest import send

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def spanish(student):
    student.language = "es"
    student.save(update_fields=["language"])
    return student


def test_the_inbox_and_thread_read_in_spanish(client, thread, spanish, mentor):
    send(thread, mentor, "Hola, ¿qué tal?")
    client.force_login(spanish)
    inbox = text(client.get(reverse("conversations:inbox")))
    assert 'lang="es"' in inbox and "Bandeja de entrada" in inbox and 'placeholder="Buscar por nombre"' in inbox
    assert "1<span class=\"visually-hidden\"> sin leer</span>" in inbox
    page = text(client.get(reverse("conversations:thread", args=[thread.pk])))
    assert "Conversación con Ada" in page and "Escribe a Ada" in page and "Bloquear esta conversación" in page
    assert "Write to" not in page and "Block this conversation" not in page


def test_an_empty_search_says_so_in_spanish(client, thread, spanish):
    client.force_login(spanish)
    page = text(client.get(reverse("conversations:inbox"), {"q": "Zoe"}))
    assert "No hay ninguna conversación con alguien llamado «Zoe»." in page


def test_blocking_is_confirmed_in_spanish(client, thread, spanish, mentor):
    send(thread, mentor, "Hola")
    client.force_login(spanish)
    response = client.post(reverse("conversations:block", args=[thread.pk]), {"reason": ""}, follow=True)
    page = text(response)
    assert "ya no puede escribirte aquí y se ha avisado a tu responsable de seguimiento" in page
    assert "Bloqueaste esta conversación el " in page


def test_the_rate_limit_counts_hours_right_in_both_languages(thread, student, monkeypatch):
    now = datetime.now(UTC)
    for window, expected_es, expected_en in [
        (timedelta(hours=1), "en la última hora", "in the last 1 hour"),
        (timedelta(hours=2), "en las últimas 2 horas", "in the last 2 hours"),
        (timedelta(minutes=1), "en el último minuto", "in the last minute"),
    ]:
        monkeypatch.setattr(services, "RATE_LIMITS", ((window, 0),))
        for language, expected in (("es", expected_es), ("en", expected_en)):
            with translation.override(language), pytest.raises(RateLimited) as exc:
                send(thread, student, "Hola", now=now)
            assert expected in exc.value.message


def test_a_long_message_is_refused_with_the_limit_grouped_the_language_s_way(thread, student):
    with translation.override("es"), pytest.raises(ConversationError) as exc:
        services.message_send(thread=thread, sender=student, body="x" * 4001, submit_key=uuid.uuid4(),
                              now=datetime.now(UTC))
    assert exc.value.message.startswith("Los mensajes pueden tener hasta 4\xa0000 caracteres; el tuyo tiene 4\xa0001.")
    with translation.override("en"):
        form = MessageForm({"body": "x" * 4001, "submit_key": str(uuid.uuid4())})
        assert not form.is_valid()
        assert form.errors["body"] == ["Messages can be up to 4,000 characters; yours has 4001. "
                                       "Shorten it or send it in two parts."]
    with translation.override("es"):
        form = MessageForm({"body": "x" * 4001, "submit_key": str(uuid.uuid4())})
        assert not form.is_valid() and form.errors["body"][0].startswith("Los mensajes pueden tener hasta 4\xa0000")


def test_the_session_page_link_is_worded_for_the_reader(session_for_pair):
    session = session_for_pair
    with translation.override("es"):
        assert session_message_link(session, session.student)[0].label == "Escribir a tu mentor"
        assert session_message_link(session, session.mentor)[0].label == f"Escribir a {session.student.get_short_name()}"
    with translation.override("en"):
        assert session_message_link(session, session.student)[0].label == "Message your mentor"


@pytest.fixture
def session_for_pair(paired, student, mentor):
    from scheduling import services as scheduling_services
    from scheduling.tests.helpers import bookable_mentor, give_credits

    service = bookable_mentor(mentor)
    give_credits(student, 2)
    starts = (datetime.now(UTC) + timedelta(days=3)).replace(hour=10, minute=0, second=0, microsecond=0)
    return scheduling_services.booking_create(student=student, mentor=mentor, service=service, starts_at=starts,
                                              actor=student, now=datetime.now(UTC))
